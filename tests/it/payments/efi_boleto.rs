//! Boletos through a store's EFI account end to end: the exact one-step request to a wiremock
//! billing API, EFI's line verified into the payment's instructions, then EFI's form
//! notification, read back with the store's credentials, marks the payment and the order paid
//! once, however often it arrives.

use std::time::Duration;

use balcao_payments::br::boleto;
use balcao_tests::clock;
use balcao_tests::commerce::Commerce;
use chrono::{TimeDelta, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::sandbox::Sale;

const TOKEN: &str = "09027955-5e06-4ff0-a9c7-46b47b8f1b27";
/// `base64("Client_Id_test:Client_Secret_test")`, computed outside Rust.
const BASIC: &str = "Basic Q2xpZW50X0lkX3Rlc3Q6Q2xpZW50X1NlY3JldF90ZXN0";

/// A pending order of two cakes (R$ 114,80) whose customer gave a CPF, on an app that lets a
/// provider base URL be a local http server.
async fn sale_with_document() -> Sale {
    let shop = Commerce::open_with(&[
        ("BALCAO_JOB_POLL_MS", "100"),
        ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
        ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ])
    .await;
    let (product, variant) = shop.product("Bolo de cenoura", "BOLO-1", 5740, 10).await;
    let cart = shop.cart(&variant, 2).await;
    let mut body = shop.pickup_checkout("ana@example.com");
    body["customer"]["document"] = json!("529.982.247-25");
    let (status, order) = shop.checkout(&cart, "checkout-1", body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let order = order["id"].as_str().unwrap().to_owned();
    Sale { shop, product, variant, order }
}

async fn post_inbound(sale: &Sale, content_type: &str, body: &str) -> (StatusCode, Value) {
    let url = format!("{}/v1/inbound/efi/{}", sale.shop.app.base, sale.shop.store);
    let request = sale.shop.app.client.post(url).header("content-type", content_type).body(body.to_owned());
    balcao_tests::parse(request.send().await.unwrap()).await
}

/// Waits until `count` EFI events were processed.
async fn processed(sale: &Sale, count: usize) {
    let mut events = Value::Null;
    for _ in 0..100 {
        events = sale.shop.staff(Method::GET, "/inbound-events?provider=efi", None).await.1;
        let done = events["data"].as_array().unwrap().iter().filter(|e| e["status"] == "processed").count();
        if done == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("EFI events never reached {count} processed: {events}");
}

#[tokio::test]
async fn an_efi_boleto_is_issued_verified_and_paid_once_by_its_notification() {
    let sale = sale_with_document().await;
    let efi = MockServer::start().await;
    let shop = &sale.shop;

    // The billing URL follows the SSRF policy, like `base_url`.
    let refused = json!({"credentials": {"client_id": "Client_Id_test", "client_secret": "Client_Secret_test",
        "certificate_pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
        "settings": {"pix_key": "loja@example.com", "billing_base_url": "ftp://efi.example.com"}});
    let (status, problem) = shop.staff(Method::PUT, "/payment-accounts/efi", Some(refused.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "settings.billing_base_url");
    let mut account = refused;
    account["settings"]["billing_base_url"] = json!(efi.uri());
    let (status, body) = shop.staff(Method::PUT, "/payment-accounts/efi", Some(account)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    Mock::given(method("POST"))
        .and(path("/v1/authorize"))
        .and(header("authorization", BASIC))
        .and(body_json(json!({"grant_type": "client_credentials"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "token-1", "expires_in": 600})))
        .mount(&efi)
        .await;
    let due = Utc::now().date_naive() + TimeDelta::days(3);
    let issued = boleto::build("364", 11480, due, "0000100000000000009000101").unwrap();
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 200, "data": {
            "barcode": issued.formatted_line(), "link": "https://boleto.example.com/90001",
            "billet_link": "https://boleto.example.com/90001", "pdf": {"charge": "https://boleto.example.com/90001.pdf"},
            "expire_at": due.format("%Y-%m-%d").to_string(), "charge_id": 90001, "status": "waiting",
            "total": 11480, "payment": "banking_billet"}})))
        .expect(1)
        .mount(&efi)
        .await;

    let (status, payment) = sale.pay("boleto", "pay-boleto-1").await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    let id = payment["id"].as_str().unwrap().to_owned();
    assert_eq!((payment["provider"].as_str(), payment["provider_payment_id"].as_str()), (Some("efi"), Some("90001")));
    assert_eq!(payment["instructions"]["boleto_line"], issued.formatted_line());
    assert_eq!(payment["instructions"]["boleto_barcode"], issued.barcode());
    assert_eq!(payment["instructions"]["due_date"], due.format("%Y-%m-%d").to_string());
    // The payment waits through the clearing window after the end of the due date (São Paulo).
    let end_of_due = (due + TimeDelta::days(1)).and_hms_opt(3, 0, 0).unwrap().and_utc();
    let expires = end_of_due + TimeDelta::from_std(balcao_payments::payments::BOLETO_CLEARING).unwrap();
    assert_eq!(payment["expires_at"], expires.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));

    let requests = efi.received_requests().await.unwrap();
    let one_step = requests.iter().find(|r| r.url.path() == "/v1/charge/one-step").unwrap();
    let public_url = &shop.app.core.config.public_url;
    assert_eq!(
        serde_json::from_slice::<Value>(&one_step.body).unwrap(),
        json!({
            "items": [{"name": "Pedido 1001", "value": 11480, "amount": 1}],
            "metadata": {"custom_id": id, "notification_url": format!("{public_url}/v1/inbound/efi/{}", shop.store)},
            "payment": {"banking_billet": {
                "expire_at": due.format("%Y-%m-%d").to_string(),
                "customer": {"name": "Ana Souza", "cpf": "52998224725", "email": "ana@example.com",
                             "phone_number": "11987654321"},
                "configurations": {"days_to_write_off": 0}
            }}
        })
    );

    // EFI posts only a token, the same one on every change of the charge; balcao reads it back
    // with the store's credentials. First the boleto is waiting.
    let paid_at = clock::at(-TimeDelta::minutes(1));
    let waiting = json!({"created_at": clock::efi_local(clock::at(-TimeDelta::minutes(2))), "custom_id": id, "id": 1,
        "identifiers": {"charge_id": 90001}, "status": {"current": "waiting", "previous": "new"}, "type": "charge"});
    let paid = json!({"created_at": clock::efi_local(paid_at), "custom_id": id, "id": 2,
        "identifiers": {"charge_id": 90001}, "received_by_bank_at": clock::brasilia_day(paid_at),
        "status": {"current": "paid", "previous": "waiting"}, "type": "charge", "value": 11480});
    let notification = |entries: Value| {
        Mock::given(method("GET"))
            .and(path(format!("/v1/notification/{TOKEN}")))
            .and(header("authorization", "Bearer token-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 200, "data": entries})))
    };
    notification(json!([waiting])).up_to_n_times(1).expect(1).mount(&efi).await;
    let (status, source) = shop
        .staff(
            Method::PUT,
            "/inbound-sources/efi",
            Some(json!({"secrets": {"hmac_secret": "efi-hmac-42"}, "ip_allowlist": []})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{source}");
    let worker = shop.app.worker().await;

    // No `hmac` on a charge's notification URL: the token's read-back authenticates it.
    let form = "application/x-www-form-urlencoded";
    let (status, received) = post_inbound(&sale, form, &format!("notification={TOKEN}")).await;
    assert_eq!(status, StatusCode::OK, "{received}");
    processed(&sale, 1).await;
    let pending = shop.staff(Method::GET, &format!("/payments/{id}"), None).await.1;
    assert_eq!(pending["status"], "pending", "{pending}");

    // Then the bank confirms it: the same token again, now with the payment in its history.
    notification(json!([waiting, paid])).expect(2).mount(&efi).await;
    let (status, received) = post_inbound(&sale, form, &format!("notification={TOKEN}")).await;
    assert_eq!(status, StatusCode::OK, "{received}");
    processed(&sale, 2).await;
    let paid = shop.staff(Method::GET, &format!("/payments/{id}"), None).await.1;
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(paid["paid_at"], clock::utc_rfc3339(paid_at));
    assert_eq!(sale.order().await["status"], "paid");

    // The same notification again (EFI retries): read again, nothing moves.
    let (status, again) = post_inbound(&sale, form, &format!("notification={TOKEN}")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    processed(&sale, 3).await;
    let confirmed = sale
        .count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'payment.confirmed'")
        .await;
    let order_paid =
        sale.count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'order.paid'").await;
    assert_eq!((confirmed, order_paid), (1, 1), "confirmed once");
    assert_eq!(
        shop.staff(Method::GET, &format!("/payments/{id}"), None).await.1["paid_at"],
        clock::utc_rfc3339(paid_at)
    );

    // Any other EFI body still needs the `hmac`.
    let (status, _) = post_inbound(&sale, "application/json", r#"{"pix": []}"#).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    worker.stop().await;
}
