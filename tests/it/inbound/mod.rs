//! Inbound receivers end to end: source configuration, Meta's handshake, signed deliveries accepted
//! once, refusals that store nothing, processing by registered handlers, and replay.
//!
//! Signatures are computed here with the `hmac`, `sha1` and `sha2` crates, not with the verifiers
//! under test. The worker is the product's, with `inbound.process` swapped for one whose handlers
//! record what they get (`TestApp::worker_with`).

mod support;

use support::*;

use balcao_tests::assert_problem;
use balcao_webhooks::inbound::receiver::{InboundHandlers, InboundProcessJob, PROCESS_JOB, Provider};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn meta_handshake_echoes_the_challenge_for_the_verify_token_only() {
    let shop = shop().await;
    shop.configure("whatsapp", json!({"secrets": {"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN}})).await;
    let get = |provider: &str, query: &str| shop.app.client.get(format!("{}?{query}", shop.receiver(provider))).send();

    let ok = get("whatsapp", &format!("hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(ok.text().await.unwrap(), "1158201444");

    let wrong = get("whatsapp", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1").await.unwrap();
    assert_problem(wrong, StatusCode::FORBIDDEN, "handshake_refused").await;
    let mode = get("whatsapp", &format!("hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"));
    assert_problem(mode.await.unwrap(), StatusCode::FORBIDDEN, "handshake_refused").await;
    let unsafe_challenge =
        get("whatsapp", &format!("hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=%3Cb%3E"));
    let problem =
        assert_problem(unsafe_challenge.await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "hub.challenge");

    // Instagram is not configured; Stripe has no handshake; an unknown provider is nothing.
    let query = format!("hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1");
    assert_problem(get("instagram", &query).await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
    let stripe = get("stripe", &query).await.unwrap();
    assert_eq!(stripe.headers()["allow"], "POST");
    assert_problem(stripe, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert_problem(get("mercadopago", &query).await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_signed_meta_delivery_is_accepted_once_and_handed_to_the_handler() {
    let shop = shop().await;
    shop.configure("whatsapp", json!({"secrets": {"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN}})).await;
    let recorder = Recorder::new(&[Provider::Whatsapp]);
    let worker = shop.worker(&recorder).await;

    let first = accepted(shop.meta(META_BODY, &meta_signature(META_BODY)).await).await;
    assert_eq!(first["duplicate"], false);
    let id = first["id"].as_str().unwrap().to_owned();
    let seen = recorder.wait_for(1).await;
    assert_eq!(seen[0].id.to_string(), id);
    assert_eq!(seen[0].store_id.to_string(), shop.store);
    assert_eq!(seen[0].provider, Provider::Whatsapp);
    assert_eq!(seen[0].body, META_BODY.as_bytes());
    assert_eq!(seen[0].event_type, "whatsapp_business_account.messages");
    assert!(seen[0].external_id.starts_with("sha256:"), "{}", seen[0].external_id);
    assert_eq!(seen[0].json::<Value>().unwrap()["entry"][0]["id"], "1");

    let event = shop.wait_status(&id, "processed").await;
    assert_eq!(event["body"], META_BODY);
    assert_eq!(event["body_encoding"], "utf8");
    assert_eq!(event["attempts"], 1);
    assert_eq!(event["headers"]["x-hub-signature-256"], meta_signature(META_BODY));
    assert_eq!(event["headers"]["content-type"], "application/json");

    // Meta redelivers the same body: acknowledged, not stored or processed again.
    let again = accepted(shop.meta(META_BODY, &meta_signature(META_BODY)).await).await;
    assert_eq!((again["duplicate"].clone(), again["id"].clone()), (json!(true), json!(id)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(recorder.seen().len(), 1, "a duplicate is not handled again");
    assert_eq!(shop.events().await, 1);

    // Refusals store nothing.
    let other = META_BODY.replace("oi", "ola");
    let bad = shop.meta(&other, &meta_signature(META_BODY)).await;
    assert_problem(bad, StatusCode::UNAUTHORIZED, "bad_signature").await;
    let wrong_key = format!("sha256={}", hmac_sha256_hex("another-secret", other.as_bytes()));
    assert_problem(shop.meta(&other, &wrong_key).await, StatusCode::UNAUTHORIZED, "bad_signature").await;
    let missing = shop.post("whatsapp", &other).send().await.unwrap();
    assert_problem(missing, StatusCode::UNAUTHORIZED, "missing_signature").await;
    assert_problem(shop.meta(&other, "sha1=abc").await, StatusCode::UNAUTHORIZED, "malformed").await;
    assert_eq!(shop.events().await, 1, "rejected deliveries are not stored");

    // The list shows the one event, and filters name bad parameters.
    let base = format!("/v1/stores/{}/inbound-events", shop.store);
    let (status, page) = shop.app.get(&format!("{base}?provider=whatsapp&status=processed"), &shop.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    assert!(page["data"][0].get("body").is_none());
    let (status, page) = shop.app.get(&format!("{base}?provider=stripe"), &shop.token).await;
    assert_eq!((status, page["data"].clone()), (StatusCode::OK, json!([])));
    let response = shop.app.request(Method::GET, &format!("{base}?provider=pix"), Some(&shop.token)).send().await;
    let problem = assert_problem(response.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "provider");
    worker.stop().await;
}

#[tokio::test]
async fn stripe_signatures_are_checked_with_a_five_minute_tolerance() {
    let shop = shop().await;
    shop.configure("stripe", json!({"secrets": {"signing_secret": STRIPE_SECRET}})).await;
    let body = r#"{"id":"evt_1Nq","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}"#;
    let now = chrono::Utc::now().timestamp();

    let stale = shop.stripe(body, now - 400, STRIPE_SECRET).await;
    assert_problem(stale, StatusCode::UNAUTHORIZED, "expired").await;
    let forged = shop.stripe(body, now, "whsec_someone_else").await;
    assert_problem(forged, StatusCode::UNAUTHORIZED, "bad_signature").await;
    assert_eq!(shop.events().await, 0);

    let first = accepted(shop.stripe(body, now, STRIPE_SECRET).await).await;
    assert_eq!(first["duplicate"], false);
    // Stripe retries re-sign with a new timestamp: the event id makes it a duplicate.
    let retry = accepted(shop.stripe(body, now + 5, STRIPE_SECRET).await).await;
    assert_eq!((retry["duplicate"].clone(), retry["id"].clone()), (json!(true), first["id"].clone()));
    assert_eq!(shop.events().await, 1);

    let id = first["id"].as_str().unwrap();
    let event = shop.event(id).await;
    assert_eq!(event["external_id"], "evt_1Nq");
    assert_eq!(event["event_type"], "payment_intent.succeeded");
    assert_eq!(event["status"], "received");

    // With no handler for Stripe (only a WhatsApp one), the event is kept and marked ignored.
    let worker = shop.worker(&Recorder::new(&[Provider::Whatsapp])).await;
    let event = shop.wait_status(id, "ignored").await;
    assert!(event["processed_at"].is_string(), "{event}");
    worker.stop().await;
}

#[tokio::test]
async fn the_ip_allowlist_refuses_other_addresses_and_efi_defaults_to_its_own() {
    let shop = shop().await;
    let token = "pagbank-token-123";
    let source = shop.configure("pagbank", json!({"secrets": {"token": token}, "ip_allowlist": ["10.0.0.0/8"]})).await;
    assert_eq!(source["ip_allowlist"], json!(["10.0.0.0/8"]));
    let body = r#"{"id":"ORDE_1","charges":[{"id":"CHAR_1","status":"PAID"}]}"#;
    let signature = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(format!("{token}-{body}").as_bytes()));
    let send = || shop.post("pagbank", body).header("x-authenticity-token", signature.clone()).send();

    assert_problem(send().await.unwrap(), StatusCode::FORBIDDEN, "forbidden_ip").await;
    assert_eq!(shop.events().await, 0);
    // Changing only the allowlist keeps the stored token.
    let source = shop.configure("pagbank", json!({"ip_allowlist": ["127.0.0.0/8", "::1"]})).await;
    assert_eq!(source["configured_secrets"], json!(["token"]));
    let received = accepted(send().await.unwrap()).await;
    assert_eq!(shop.event(received["id"].as_str().unwrap()).await["external_id"], "ORDE_1:PAID");

    // EFI without an allowlist only takes its published addresses; `[]` allows any.
    let efi = shop.configure("efi", json!({"secrets": {"hmac_secret": "efi-hmac-7d1c"}})).await;
    assert_eq!(efi["ip_allowlist"], json!(["34.193.116.226/32"]));
    assert_eq!(efi["settings"]["client_cert_header"], "X-Client-Cert-Verified");
    let pix = r#"{"pix":[{"endToEndId":"E1234","txid":"t1","valor":"10.00"}]}"#;
    let url = format!("{}?hmac=efi-hmac-7d1c&ignorar=", shop.receiver("efi"));
    let send = |url: String| shop.app.client.post(url).header("content-type", "application/json").body(pix).send();
    assert_problem(send(url.clone()).await.unwrap(), StatusCode::FORBIDDEN, "forbidden_ip").await;
    shop.configure("efi", json!({"ip_allowlist": []})).await;
    let wrong = format!("{}?hmac=nope", shop.receiver("efi"));
    assert_problem(send(wrong).await.unwrap(), StatusCode::UNAUTHORIZED, "bad_signature").await;
    let received = accepted(send(url).await.unwrap()).await;
    assert_eq!(shop.event(received["id"].as_str().unwrap()).await["external_id"], "E1234");
}

#[tokio::test]
async fn twilio_signs_the_public_url_and_the_form() {
    let shop = shop().await;
    shop.configure("twilio", json!({"secrets": {"auth_token": "twilio-token-12345"}})).await;
    let fields = [("MessageSid", "SM123"), ("MessageStatus", "delivered"), ("To", "+5511999990000")];
    let form: String =
        fields.iter().map(|(k, v)| format!("{k}={}", v.replace('+', "%2B"))).collect::<Vec<_>>().join("&");
    let mut sorted = fields.to_vec();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"twilio-token-12345").unwrap();
    mac.update(shop.receiver("twilio").as_bytes());
    for (k, v) in &sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    let signature = b64(&mac.finalize().into_bytes());
    let send = |signature: String| {
        shop.app
            .client
            .post(shop.receiver("twilio"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", signature)
            .body(form.clone())
            .send()
    };
    let received = accepted(send(signature).await.unwrap()).await;
    let event = shop.event(received["id"].as_str().unwrap()).await;
    assert_eq!(
        (event["external_id"].clone(), event["event_type"].clone()),
        (json!("SM123:delivered"), json!("delivered"))
    );
    let bad = b64(&[0u8; 20]);
    assert_problem(send(bad).await.unwrap(), StatusCode::UNAUTHORIZED, "bad_signature").await;
}

#[tokio::test]
async fn unconfigured_inactive_and_deleted_sources_answer_404() {
    let shop = shop().await;
    let zenvia = |secret: &str| {
        shop.post("zenvia", r#"{"id":"z1","type":"MESSAGE"}"#).header("X-Zenvia-Token", secret.to_owned()).send()
    };
    assert_problem(zenvia("zv-secret").await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
    shop.configure("zenvia", json!({"secrets": {"secret": "zv-secret"}, "active": false})).await;
    assert_problem(zenvia("zv-secret").await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
    let source = shop.configure("zenvia", json!({"active": true})).await;
    assert_eq!(source["settings"]["header_name"], "X-Zenvia-Token");
    assert_problem(zenvia("wrong").await.unwrap(), StatusCode::UNAUTHORIZED, "bad_signature").await;
    let received = accepted(zenvia("zv-secret").await.unwrap()).await;
    let event = shop.event(received["id"].as_str().unwrap()).await;
    assert!(event["headers"].get("x-zenvia-token").is_none(), "the shared secret is not kept: {event}");

    let path = format!("/v1/stores/{}/inbound-sources/zenvia", shop.store);
    let (status, _) = shop.app.delete(&path, &shop.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_problem(zenvia("zv-secret").await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
    let (status, _) = shop.app.delete(&path, &shop.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(shop.events().await, 1, "events outlive their source");

    let bogus = format!("{}/v1/inbound/zenvia/not-a-uuid", shop.app.base);
    let response = shop.app.client.post(bogus).body("{}").send().await.unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let too_big = "x".repeat(1024 * 1024 + 1);
    let response = shop.post("stripe", &too_big).send().await.unwrap();
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn sources_never_return_secrets_and_name_bad_fields() {
    let shop = shop().await;
    let created = shop
        .configure(
            "instagram",
            json!({"secrets": {"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN}, "ip_allowlist": [" 2001:db8::/32 "]}),
        )
        .await;
    assert_eq!(created["provider"], "instagram");
    assert_eq!(created["active"], true);
    assert_eq!(created["ip_allowlist"], json!(["2001:db8::/32"]));
    assert_eq!(created["configured_secrets"], json!(["app_secret", "verify_token"]));
    assert_eq!(created["receiver_url_path"], format!("/v1/inbound/instagram/{}", shop.store));
    shop.configure("stripe", json!({"secrets": {"signing_secret": STRIPE_SECRET}})).await;
    let (status, list) = shop.app.get(&format!("/v1/stores/{}/inbound-sources", shop.store), &shop.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["next_cursor"], Value::Null);
    for text in [created.to_string(), list.to_string()] {
        for secret in [APP_SECRET, VERIFY_TOKEN, STRIPE_SECRET] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    let shop = &shop;
    let field = |provider: &'static str, body: Value| async move {
        let path = format!("/v1/stores/{}/inbound-sources/{provider}", shop.store);
        let response = shop.app.request(Method::PUT, &path, Some(&shop.token)).json(&body).send().await.unwrap();
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        (
            problem["errors"][0]["field"].as_str().unwrap().to_owned(),
            problem["errors"][0]["code"].as_str().unwrap().to_owned(),
        )
    };
    let bad_cidr = json!({"ip_allowlist": ["10.0.0.0/8", "10.0.0.0/33"]});
    assert_eq!(field("instagram", bad_cidr).await, ("ip_allowlist[1]".into(), "invalid_cidr".into()));
    assert_eq!(field("whatsapp", json!({})).await, ("secrets".into(), "required".into()));
    let half = json!({"secrets": {"app_secret": "x"}});
    assert_eq!(field("whatsapp", half).await, ("secrets.verify_token".into(), "required".into()));
    let not_whsec = json!({"secrets": {"signing_secret": "sk_live_1"}});
    assert_eq!(field("stripe", not_whsec).await, ("secrets.signing_secret".into(), "invalid_format".into()));
    let typo = json!({"secrets": {"auth_tokn": "x"}});
    assert_eq!(field("twilio", typo).await, ("secrets.auth_tokn".into(), "unknown_field".into()));
    assert_eq!(field("pagbank", json!({"active": "yes"})).await.0, "active");

    let (status, _) = shop.put_source("mercadopago", json!({"secrets": {}})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another store's owner sees nothing.
    let stranger = shop.app.user().await;
    let (status, _) = shop.app.get(&format!("/v1/stores/{}/inbound-sources", shop.store), &stranger.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = shop.app.request(Method::GET, &format!("/v1/stores/{}/inbound-events", shop.store), None).send();
    assert_problem(response.await.unwrap(), StatusCode::UNAUTHORIZED, "missing_token").await;
}

#[tokio::test]
async fn replay_runs_the_handlers_again_and_failures_are_recorded() {
    let shop = shop().await;
    shop.configure("stripe", json!({"secrets": {"signing_secret": STRIPE_SECRET}})).await;
    shop.configure("zenvia", json!({"secrets": {"secret": "zv", "header_name": "X-Loja-Secret"}})).await;
    let recorder = Recorder::new(&[Provider::Stripe]);
    let refuser = Recorder { fail: true, ..Recorder::new(&[Provider::Zenvia]) };
    let core = shop.app.core.clone();
    let (a, b) = (recorder.clone(), refuser.clone());
    let worker = shop
        .app
        .worker_with(move |registry| {
            let mut handlers = InboundHandlers::new();
            handlers.register(Arc::new(a)).register(Arc::new(b));
            registry.register(PROCESS_JOB, Arc::new(InboundProcessJob::new(core, handlers)));
        })
        .await;

    let body = r#"{"id":"evt_replay","type":"charge.refunded"}"#;
    let first = accepted(shop.stripe(body, chrono::Utc::now().timestamp(), STRIPE_SECRET).await).await;
    let id = first["id"].as_str().unwrap();
    recorder.wait_for(1).await;
    shop.wait_status(id, "processed").await;

    let path = format!("/v1/stores/{}/inbound-events/{id}/replay", shop.store);
    let (status, queued) = shop.app.post(&path, &shop.token, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["status"], "received");
    let seen = recorder.wait_for(2).await;
    assert_eq!(seen[1].id, seen[0].id);
    let event = shop.wait_status(id, "processed").await;
    assert_eq!(event["attempts"], 2);
    let missing = format!("/v1/stores/{}/inbound-events/{}/replay", shop.store, uuid::Uuid::now_v7());
    assert_eq!(shop.app.post(&missing, &shop.token, json!({})).await.0, StatusCode::NOT_FOUND);

    let zenvia = shop.post("zenvia", r#"{"id":"z-1","type":"MESSAGE"}"#).header("X-Loja-Secret", "zv").send();
    let received = accepted(zenvia.await.unwrap()).await;
    let failed = shop.wait_status(received["id"].as_str().unwrap(), "failed").await;
    assert!(failed["error"].as_str().unwrap().contains("test handler refuses"), "{failed}");
    assert_eq!(refuser.seen().len(), 1);
    worker.stop().await;
}
