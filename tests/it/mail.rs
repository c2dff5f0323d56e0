//! Email: the SMTP mailer delivers to a real SMTP listener, the file mailer writes `.eml` files,
//! and `BALCAO_SMTP_URL` reaches the app's mailer.

use std::time::Duration;

use balcao_core::mail::{Email, FileMailer, MailError, Mailbox, Mailer, SmtpMailer};
use balcao_tests::TestApp;
use balcao_tests::smtp::SmtpSink;
use mailparse::{MailHeaderMap, ParsedMail};

const WAIT: Duration = Duration::from_secs(10);

fn sender() -> Mailbox {
    "balcao <no-reply@balcao.local>".parse().unwrap()
}

fn order_email() -> Email {
    Email {
        to: vec!["Ana Souza <ana@example.com>".into(), "bruno@example.com".into()],
        subject: "Pedido nº 1042 confirmado ✅".into(),
        text: "Olá Ana,\r\n.linha que começa com ponto\r\nObrigado pela compra!".into(),
        html: Some("<p>Olá Ana,</p><p>Obrigado pela <b>compra</b>!</p>".into()),
        from: Some("Loja da Ana <vendas@loja.com>".into()),
        reply_to: Some("atendimento@loja.com".into()),
        headers: vec![
            ("List-Unsubscribe".into(), "<https://loja.com/u/abc>, <mailto:sair@loja.com?subject=sair>".into()),
            ("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()),
        ],
    }
}

fn header(mail: &ParsedMail<'_>, name: &str) -> String {
    mail.headers.get_first_value(name).unwrap_or_else(|| panic!("no {name} header"))
}

/// Asserts the parsed message carries every field of [`order_email`].
fn assert_order_email(raw: &[u8]) {
    let mail = mailparse::parse_mail(raw).unwrap();
    assert_eq!(header(&mail, "Subject"), "Pedido nº 1042 confirmado ✅");
    assert_eq!(header(&mail, "From"), "\"Loja da Ana\" <vendas@loja.com>");
    assert_eq!(header(&mail, "To"), "\"Ana Souza\" <ana@example.com>, bruno@example.com");
    assert_eq!(header(&mail, "Reply-To"), "atendimento@loja.com");
    assert_eq!(header(&mail, "List-Unsubscribe"), "<https://loja.com/u/abc>, <mailto:sair@loja.com?subject=sair>");
    assert_eq!(header(&mail, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    assert!(header(&mail, "Message-ID").ends_with("@loja.com>"));
    assert!(mail.headers.get_first_value("Bcc").is_none());

    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    assert_eq!(mail.subparts.len(), 2);
    let (text, html) = (&mail.subparts[0], &mail.subparts[1]);
    assert_eq!(text.ctype.mimetype, "text/plain");
    assert_eq!(text.get_body().unwrap().trim_end(), "Olá Ana,\r\n.linha que começa com ponto\r\nObrigado pela compra!");
    assert_eq!(html.ctype.mimetype, "text/html");
    assert_eq!(html.get_body().unwrap().trim_end(), "<p>Olá Ana,</p><p>Obrigado pela <b>compra</b>!</p>");
}

#[tokio::test]
async fn smtp_mailer_delivers_both_parts_and_headers() {
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&sink.url(), sender(), Duration::from_secs(5)).unwrap();

    mailer.send(&order_email()).await.unwrap();
    let received = sink.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].from, "vendas@loja.com");
    assert_eq!(received[0].to, ["ana@example.com", "bruno@example.com"]);
    assert_order_email(received[0].data.as_bytes());

    // More messages go over the pooled connection; text alone is a single part from the default sender.
    for n in 0..3 {
        let email = Email {
            to: vec!["carla@example.com".into()],
            subject: format!("Lembrete {n}"),
            text: format!("Seu carrinho espera por você ({n})."),
            ..Email::default()
        };
        mailer.send(&email).await.unwrap();
    }
    let received = sink.wait_for(4, WAIT).await;
    assert_eq!(received.len(), 4);
    for (n, message) in received[1..].iter().enumerate() {
        assert_eq!(message.from, "no-reply@balcao.local");
        assert_eq!(message.to, ["carla@example.com"]);
        let mail = mailparse::parse_mail(message.data.as_bytes()).unwrap();
        assert_eq!(header(&mail, "Subject"), format!("Lembrete {n}"));
        assert_eq!(mail.ctype.mimetype, "text/plain");
        assert!(mail.subparts.is_empty());
        assert_eq!(mail.get_body().unwrap().trim_end(), format!("Seu carrinho espera por você ({n})."));
    }
}

#[tokio::test]
async fn bad_addresses_are_permanent_and_an_unreachable_server_is_retryable() {
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&sink.url(), sender(), Duration::from_secs(5)).unwrap();
    let bad = Email { to: vec!["ana at example".into()], ..order_email() };
    let err = mailer.send(&bad).await.unwrap_err();
    assert!(matches!(err, MailError::Invalid(_)) && err.is_permanent(), "{err:?}");
    assert!(sink.messages().await.is_empty());

    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = SmtpMailer::new(&format!("smtp://127.0.0.1:{port}"), sender(), Duration::from_secs(2)).unwrap();
    let err = closed.send(&order_email()).await.unwrap_err();
    assert!(matches!(err, MailError::Transport(_)) && !err.is_permanent(), "{err:?}");
}

#[tokio::test]
async fn file_mailer_writes_a_parseable_eml() {
    let dir = std::env::temp_dir().join(format!("balcao-mail-{}", uuid::Uuid::now_v7().simple())).join("out");
    let mailer = FileMailer::new(&dir, sender());
    assert_eq!(mailer.dir(), dir);

    mailer.send(&order_email()).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    assert_order_email(&std::fs::read(&files[0]).unwrap());

    let err = mailer.send(&Email { to: vec![], ..order_email() }).await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn the_app_sends_through_the_configured_smtp_server() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(&[("BALCAO_SMTP_URL", &url), ("BALCAO_MAIL_FROM", "Balcão <oi@balcao.local>")]).await;
    assert_eq!(app.core.config.smtp_url.as_deref(), Some(url.as_str()));

    let email = Email { to: vec!["ana@example.com".into()], subject: "Bem-vinda".into(), ..Email::default() };
    app.core.mailer.send(&email).await.unwrap();
    let received = sink.wait_for(1, WAIT).await;
    assert_eq!(received[0].from, "oi@balcao.local");
    assert_eq!(received[0].to, ["ana@example.com"]);
    let mail = mailparse::parse_mail(received[0].data.as_bytes()).unwrap();
    assert_eq!(header(&mail, "From"), "Balcão <oi@balcao.local>");
}
