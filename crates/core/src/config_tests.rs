//! Unit tests of the configuration: defaults, validation, production rules, redaction.

use super::*;

#[test]
fn debug_hides_url_credentials() {
    assert_eq!(
        redact_url("smtp://ana:s3cret@mail.example.com:587?tls=required"),
        "smtp://***@mail.example.com:587?tls=required"
    );
    assert_eq!(redact_url("postgres://localhost/balcao"), "postgres://localhost/balcao");
    assert_eq!(redact_url("redis://:pw@127.0.0.1:6379/0"), "redis://***@127.0.0.1:6379/0");
    let vars = HashMap::from([
        ("DATABASE_URL".to_owned(), "postgres://u:dbpass@db/balcao".to_owned()),
        ("BALCAO_SMTP_URL".to_owned(), "smtps://u:mailpass@mail.example.com".to_owned()),
    ]);
    let Ok(config) = Config::from_map(&vars) else { panic!("config") };
    let shown = format!("{config:?}");
    assert!(!shown.contains("dbpass") && !shown.contains("mailpass"), "{shown}");
    assert!(shown.contains("mail.example.com"));
}

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn defaults_apply() {
    let config = Config::from_map(&vars(&[])).map_err(|e| e.to_string());
    let Ok(config) = config else { panic!("{config:?}") };
    assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
    assert!(config.redis_url.is_none());
}

#[test]
fn bad_value_names_the_variable() {
    let err = Config::from_map(&vars(&[("BALCAO_DB_POOL_SIZE", "lots")])).err().map(|e| e.to_string());
    assert!(err.as_deref().is_some_and(|e| e.contains("BALCAO_DB_POOL_SIZE")), "{err:?}");
    let err = Config::from_map(&vars(&[("BALCAO_BIND", "nowhere")])).err().map(|e| e.var);
    assert_eq!(err, Some("BALCAO_BIND"));
}

#[test]
fn webhook_flags_parse() {
    let config = Config::from_map(&vars(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true")])).map_err(|e| e.to_string());
    let Ok(config) = config else { panic!("{config:?}") };
    assert!(config.webhooks_allow_http && !config.outbound_allow_private);
    let err = Config::from_map(&vars(&[("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "maybe")])).err().map(|e| e.var);
    assert_eq!(err, Some("BALCAO_WEBHOOKS_ALLOW_PRIVATE"));
}

#[test]
fn mail_settings_parse() {
    let config = Config::from_map(&vars(&[])).map_err(|e| e.to_string());
    let Ok(config) = config else { panic!("{config:?}") };
    assert!(config.smtp_url.is_none());
    assert_eq!(config.mail_from, DEFAULT_MAIL_FROM);
    assert_eq!(config.mail_dir, PathBuf::from("var/mail"));
    let config = Config::from_map(&vars(&[
        ("BALCAO_SMTP_URL", "smtps://ana:s3cret@smtp.loja.com:465"),
        ("BALCAO_MAIL_FROM", "Loja da Ana <vendas@loja.com>"),
        ("BALCAO_MAIL_DIR", "/tmp/balcao-mail"),
    ]))
    .map_err(|e| e.to_string());
    let Ok(config) = config else { panic!("{config:?}") };
    assert_eq!(config.smtp_url.as_deref(), Some("smtps://ana:s3cret@smtp.loja.com:465"));
    assert_eq!(config.mail_dir, PathBuf::from("/tmp/balcao-mail"));
    let err = Config::from_map(&vars(&[("BALCAO_MAIL_FROM", "vendas at loja")])).err().map(|e| e.var);
    assert_eq!(err, Some("BALCAO_MAIL_FROM"));
    let err = Config::from_map(&vars(&[("BALCAO_SMTP_URL", "ftp://ana:s3cret@smtp.loja.com")])).err();
    assert_eq!(err.as_ref().map(|e| e.var), Some("BALCAO_SMTP_URL"));
    assert!(err.is_some_and(|e| !e.to_string().contains("s3cret")), "the password is not echoed");
}

#[test]
fn the_public_url_is_an_http_url_without_a_trailing_slash() {
    let config = Config::from_map(&vars(&[])).map_err(|e| e.to_string());
    let Ok(config) = config else { panic!("{config:?}") };
    assert_eq!(config.public_url, DEFAULT_PUBLIC_URL);
    for good in ["https://api.loja.com", "http://127.0.0.1:8080", "https://loja.com/balcao"] {
        let config = Config::from_map(&vars(&[("BALCAO_PUBLIC_URL", good)])).map_err(|e| e.to_string());
        assert_eq!(config.map(|c| c.public_url).as_deref(), Ok(good));
    }
    for bad in [
        "api.loja.com",
        "ftp://loja.com",
        "https://",
        "https://loja.com/",
        "https://loja.com/?a=1",
        "https://u:p@loja.com",
    ] {
        let err = Config::from_map(&vars(&[("BALCAO_PUBLIC_URL", bad)])).err().map(|e| e.var);
        assert_eq!(err, Some("BALCAO_PUBLIC_URL"), "{bad}");
    }
}

#[test]
fn production_requires_keys() {
    let err = Config::from_map(&vars(&[("BALCAO_ENV", "production")])).err().map(|e| e.var);
    assert_eq!(err, Some("BALCAO_SECRET_KEYS"));
}

#[test]
fn production_requires_the_public_url() {
    let keys = format!("k1:{}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32]));
    let err =
        Config::from_map(&vars(&[("BALCAO_ENV", "production"), ("BALCAO_SECRET_KEYS", &keys)])).err().map(|e| e.var);
    assert_eq!(err, Some("BALCAO_PUBLIC_URL"));
}
