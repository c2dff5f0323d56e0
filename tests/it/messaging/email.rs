//! The email provider end to end, on real SMTP listeners on loopback: marketing mail from the
//! channel's sender with RFC 8058 one-click unsubscribe headers, the unsubscribe link (a GET
//! changes nothing, a POST opts the contact out of marketing only), and a store's own SMTP
//! server through the channel's `smtp_url` credential.

use std::time::Duration;

use balcao_tests::TestApp;
use balcao_tests::smtp::{Received, SmtpSink};
use mailparse::{MailHeaderMap, ParsedMail};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);
const PUBLIC_URL: &str = "https://balcao.example";
const SENDER: &str = "Loja da Ana <vendas@loja.example>";

struct Shop {
    app: TestApp,
    token: String,
    store: String,
}

impl Shop {
    /// An app whose operator SMTP server is `operator`, a store, and an email channel with
    /// `credentials`.
    async fn new(operator: &SmtpSink, credentials: Value) -> Self {
        let app = TestApp::spawn_with(&[
            ("BALCAO_SMTP_URL", &operator.url()),
            ("BALCAO_JOB_POLL_MS", "100"),
            ("BALCAO_PUBLIC_URL", PUBLIC_URL),
            // The second test's store server is a plain SMTP listener on loopback.
            ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
            ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ])
        .await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let (status, channel) = app
            .post(
                &format!("/v1/stores/{store}/channels"),
                &user.token,
                json!({"kind": "email", "provider": "smtp", "name": "E-mail", "sender": SENDER,
                       "settings": {"reply_to": "atendimento@loja.example"}, "credentials": credentials}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        Self { app, token: user.token, store }
    }

    async fn send(&self, to: &str, category: &str, subject: &str) -> (StatusCode, Value) {
        let content = json!({"type": "email", "subject": subject,
            "text": "Olá Ana,\r\n20% de desconto em tudo até domingo.",
            "html": "<p>Olá Ana,</p><p><b>20%</b> de desconto em tudo até domingo.</p>"});
        self.app
            .post(
                &format!("/v1/stores/{}/messages", self.store),
                &self.token,
                json!({"channel": "email", "to": to, "category": category, "content": content}),
            )
            .await
    }

    async fn queue(&self, to: &str, category: &str, subject: &str) -> String {
        let (status, message) = self.send(to, category, subject).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{message}");
        message["id"].as_str().unwrap().to_owned()
    }

    async fn settled(&self, id: &str) -> Value {
        super::support::settled(&self.app, &self.token, &self.store, id).await
    }
}

fn header(mail: &ParsedMail<'_>, name: &str) -> String {
    mail.headers.get_first_value(name).unwrap_or_else(|| panic!("no {name} header"))
}

/// Checks the parts and the sender of a received message; answers the parsed mail's headers.
fn assert_store_email(received: &Received, subject: &str) -> Vec<(String, String)> {
    assert_eq!(received.from, "vendas@loja.example");
    assert_eq!(received.to, ["ana@example.com"]);
    let mail = mailparse::parse_mail(received.data.as_bytes()).unwrap();
    assert_eq!(header(&mail, "Subject"), subject);
    assert_eq!(header(&mail, "From"), "\"Loja da Ana\" <vendas@loja.example>");
    assert_eq!(header(&mail, "To"), "ana@example.com");
    assert_eq!(header(&mail, "Reply-To"), "atendimento@loja.example");
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    assert_eq!(mail.subparts.len(), 2);
    assert_eq!(mail.subparts[0].ctype.mimetype, "text/plain");
    assert_eq!(mail.subparts[0].get_body().unwrap().trim_end(), "Olá Ana,\r\n20% de desconto em tudo até domingo.");
    assert_eq!(mail.subparts[1].ctype.mimetype, "text/html");
    assert_eq!(
        mail.subparts[1].get_body().unwrap().trim_end(),
        "<p>Olá Ana,</p><p><b>20%</b> de desconto em tudo até domingo.</p>"
    );
    mail.headers.iter().map(|h| (h.get_key(), h.get_value())).collect()
}

#[tokio::test]
async fn marketing_email_carries_one_click_unsubscribe_and_the_link_opts_the_contact_out() {
    let operator = SmtpSink::start().await;
    let shop = Shop::new(&operator, json!({})).await;
    let worker = shop.app.worker().await;

    let id = shop.queue("Ana Souza <Ana@Example.com>", "marketing", "Promoção de inverno ❄").await;
    let message = shop.settled(&id).await;
    assert_eq!(message["status"], "sent", "{message}");
    let received = operator.wait_for_to("ana@example.com", 1, WAIT).await;
    let headers = assert_store_email(&received[0], "Promoção de inverno ❄");
    let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    assert_eq!(get("Message-ID"), message["provider_message_id"].as_str().map(str::to_owned), "{message}");
    assert!(get("Message-ID").unwrap().ends_with("@loja.example>"));
    assert_eq!(get("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let list_unsubscribe = get("List-Unsubscribe").unwrap();
    let url = list_unsubscribe.strip_prefix('<').and_then(|v| v.strip_suffix('>')).unwrap();
    // BALCAO_PUBLIC_URL is not the test app's address: call the app on the link's path.
    let path = url.strip_prefix(PUBLIC_URL).unwrap();
    assert!(path.starts_with("/v1/unsubscribe/"), "{url}");
    let link = format!("{}{path}", shop.app.base);

    // A GET (a mail scanner, a link preview) shows a page and changes nothing.
    let page = shop.app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\"") && html.contains("Loja Teste"), "{html}");
    assert!(!html.contains("ana@example.com"), "the address is masked: {html}");
    let again = shop.queue("ana@example.com", "marketing", "Promoção de inverno ❄").await;
    assert_eq!(shop.settled(&again).await["status"], "sent");
    let received = operator.wait_for_to("ana@example.com", 2, WAIT).await;
    assert_store_email(&received[1], "Promoção de inverno ❄");

    // The one-click POST (RFC 8058) opts the contact out, idempotently.
    for _ in 0..2 {
        let response = shop
            .app
            .client
            .post(&link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        let (status, body) = balcao_tests::parse(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"unsubscribed": true}));
    }
    // The page's button (a browser asking for HTML) gets a page; an empty body is fine too.
    let confirmed = shop.app.client.post(&link).header("accept", "text/html").send().await.unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert!(confirmed.text().await.unwrap().contains("Inscrição cancelada"));

    let (status, problem) = shop.send("ana@example.com", "marketing", "Mais promoções").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "recipient_opted_out");
    assert_eq!(problem["errors"][0]["field"], "to");
    let receipt = shop.queue("ana@example.com", "transactional", "Pedido nº 1042 confirmado").await;
    assert_eq!(shop.settled(&receipt).await["status"], "sent");
    let received = operator.wait_for_to("ana@example.com", 3, WAIT).await;
    let headers = assert_store_email(&received[2], "Pedido nº 1042 confirmado");
    assert!(!headers.iter().any(|(k, _)| k.starts_with("List-Unsubscribe")), "{headers:?}");
    worker.stop().await;
    assert_eq!(operator.messages_to("ana@example.com").await.len(), 3);

    // A tampered or made-up token is a 404 problem, for GET and POST alike.
    let token = path.strip_prefix("/v1/unsubscribe/").unwrap();
    let tampered = format!("{}/v1/unsubscribe/{}x", shop.app.base, token);
    for method in [Method::GET, Method::POST] {
        for bad in [tampered.clone(), format!("{}/v1/unsubscribe/nonsense", shop.app.base)] {
            let response = shop.app.client.request(method.clone(), &bad).send().await.unwrap();
            balcao_tests::assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        }
    }
}

#[tokio::test]
async fn a_channel_with_its_own_smtp_url_sends_through_that_server() {
    let operator = SmtpSink::start().await;
    let store_server = SmtpSink::start().await;
    let smtp_url = store_server.url();
    let shop = Shop::new(&operator, json!({"smtp_url": smtp_url})).await;
    let worker = shop.app.worker().await;

    let first = shop.queue("ana@example.com", "transactional", "Pedido nº 1042 confirmado").await;
    let second = shop.queue("ana@example.com", "marketing", "Promoção de inverno ❄").await;
    for id in [&first, &second] {
        let message = shop.settled(id).await;
        assert_eq!(message["status"], "sent", "{message}");
    }
    worker.stop().await;
    let received = store_server.wait_for_to("ana@example.com", 2, WAIT).await;
    let mut subjects: Vec<String> = received
        .iter()
        .map(|message| {
            let subject = header(&mailparse::parse_mail(message.data.as_bytes()).unwrap(), "Subject");
            assert_store_email(message, &subject);
            subject
        })
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["Pedido nº 1042 confirmado", "Promoção de inverno ❄"]);
    assert!(operator.messages_to("ana@example.com").await.is_empty(), "nothing went through the operator's server");

    let (_, channels) = shop.app.get(&format!("/v1/stores/{}/channels", shop.store), &shop.token).await;
    assert_eq!(channels["data"][0]["configured_credentials"], json!(["smtp_url"]));
    assert!(!channels.to_string().contains(&smtp_url), "the SMTP URL is never returned: {channels}");
}
