//! The EFI payment provider over the client: charges keyed by the payment's txid, the BR
//! Code EFI answers as the payer's instructions, one OAuth token for every call, and the
//! charge's state for reconciliation.

use std::collections::BTreeMap;
use std::time::Duration;

use balcao_core::id::StoreId;
use balcao_payments::payments::model::{Method, PaymentId};
use balcao_payments::providers::efi::adapter::EfiProvider;
use balcao_payments::providers::{Account, ChargeRef, ChargeRequest, Payer, PaymentProvider, Remote};
use balcao_payments::splits::SplitShare;
use serde_json::json;

use super::KEY;
use super::server::{MockEfi, pki};

fn account(server: &MockEfi, pki: &super::server::Pki) -> Account {
    let config = server.config(pki);
    let credentials = BTreeMap::from([
        ("client_id".to_owned(), config.client_id),
        ("client_secret".to_owned(), config.client_secret),
        ("certificate_pem".to_owned(), config.certificate_pem),
        ("extra_root_pem".to_owned(), config.extra_root_pem.unwrap_or_default()),
    ]);
    let outbound = balcao_core::outbound::Policy::ALLOW_PRIVATE;
    Account { settings: json!({"base_url": config.base_url, "pix_key": KEY}), credentials, outbound }
}

fn charge(payment: PaymentId) -> ChargeRequest {
    ChargeRequest {
        store_id: StoreId::new(),
        store_name: "Doceria da Ana".into(),
        payment_id: payment,
        order_number: 1001,
        order_id: uuid::Uuid::now_v7(),
        method: Method::Pix,
        amount: 11480,
        expires_in: Duration::from_secs(3600),
        idempotency_key: format!("payment-{payment}"),
        payer: Payer::default(),
        card_token: None,
        notification_url: None,
        splits: Vec::new(),
    }
}

#[tokio::test]
async fn charges_carry_the_payment_txid_and_efis_br_code_with_one_token() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let provider = EfiProvider::new();
    let account = account(&server, &pki);
    let (first, second) = (PaymentId::new(), PaymentId::new());
    let created = provider.create(&account, &charge(first)).await.unwrap();
    provider.create(&account, &charge(second)).await.unwrap();
    assert_eq!(created.provider_payment_id, first.uuid().simple().to_string());
    assert_eq!(
        created.instructions.pix_code.as_deref(),
        Some("00020101021226830014BR.GOV.BCB.PIX2561pix.example.com/qr/v2/9d36b84f6304ABCD")
    );
    assert_eq!(server.token_requests(), 1, "the OAuth token is reused");
    let put = &server.api_requests()[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.path, format!("/v2/cob/{}", first.uuid().simple()));
    assert_eq!(
        put.json(),
        json!({"calendario": {"expiracao": 3600}, "valor": {"original": "114.80"}, "chave": KEY,
               "solicitacaoPagador": "Pedido 1001"})
    );
    match provider
        .status(&account, ChargeRef { method: Method::Pix, id: &created.provider_payment_id, amount: 11480 })
        .await
        .unwrap()
    {
        Remote::Paid { amount, .. } => assert_eq!(amount, 11000),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn shares_with_efi_accounts_ride_on_the_charge_as_a_linked_split_and_the_payer_is_the_debtor() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let provider = EfiProvider::new();
    let account = account(&server, &pki);
    let payment = PaymentId::new();
    let mut req = charge(payment);
    req.payer = Payer { name: "Ana Souza".into(), document: Some("12345678909".into()), ..Payer::default() };
    req.splits = vec![
        SplitShare { recipient: "platform".into(), amount: 287, destination: None },
        SplitShare { recipient: "socia".into(), amount: 1148, destination: Some("11222333000181:7654321".into()) },
    ];
    provider.create(&account, &req).await.unwrap();
    let txid = payment.uuid().simple().to_string();
    let calls = server.api_requests();
    let seen: Vec<(String, String)> = calls.iter().map(|r| (r.method.clone(), r.path.clone())).collect();
    assert_eq!(
        seen,
        [
            ("PUT".to_owned(), format!("/v2/cob/{txid}")),
            ("PUT".to_owned(), format!("/v2/gn/split/config/s{txid}")),
            ("PUT".to_owned(), format!("/v2/gn/split/cob/{txid}/vinculo/s{txid}")),
        ]
    );
    assert_eq!(calls[0].json()["devedor"], json!({"cpf": "12345678909", "nome": "Ana Souza"}));
    assert_eq!(
        calls[1].json(),
        json!({"descricao": "Pedido 1001", "lancamento": {"imediato": true}, "split": {
            "divisaoTarifa": "assumir_total",
            "minhaParte": {"tipo": "fixo", "valor": "103.32"},
            "repasses": [{"tipo": "fixo", "valor": "11.48", "favorecido": {"cnpj": "11222333000181", "conta": "7654321"}}]
        }})
    );
    assert!(calls.iter().all(|r| r.client_cert_ok), "every call presents the client certificate");

    // Without shares for EFI accounts, only the charge goes out.
    let plain = PaymentId::new();
    let mut req = charge(plain);
    req.splits = vec![SplitShare { recipient: "platform".into(), amount: 287, destination: None }];
    provider.create(&account, &req).await.unwrap();
    assert_eq!(server.api_requests().len(), 4);
}
