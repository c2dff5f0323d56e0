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

#[test]
fn the_passkey_relying_party_defaults_from_the_public_url_and_is_checked() {
    let rp = |pairs: &[(&str, &str)]| {
        Config::from_map(&vars(pairs)).map(|c| c.webauthn.map(|w| (w.rp_id, w.origin.to_string()))).map_err(|e| e.var)
    };
    assert_eq!(rp(&[]), Ok(Some(("localhost".to_owned(), "http://localhost:8080/".to_owned()))));
    assert_eq!(
        rp(&[("BALCAO_PUBLIC_URL", "https://api.loja.com/balcao")]),
        Ok(Some(("api.loja.com".to_owned(), "https://api.loja.com/".to_owned())))
    );
    assert_eq!(
        rp(&[("BALCAO_WEBAUTHN_ORIGIN", "https://app.loja.com"), ("BALCAO_WEBAUTHN_RP_ID", "Loja.com")]),
        Ok(Some(("loja.com".to_owned(), "https://app.loja.com/".to_owned())))
    );
    // A public URL on an IP address cannot be a relying party: passkeys are off, nothing fails.
    assert_eq!(rp(&[("BALCAO_PUBLIC_URL", "http://127.0.0.1:8080")]), Ok(None));
    for (pairs, var) in [
        (&[("BALCAO_WEBAUTHN_RP_ID", "other.com")][..], "BALCAO_WEBAUTHN_RP_ID"),
        (
            &[("BALCAO_WEBAUTHN_ORIGIN", "https://app.loja.com"), ("BALCAO_WEBAUTHN_RP_ID", "evil.com")][..],
            "BALCAO_WEBAUTHN_RP_ID",
        ),
        (&[("BALCAO_WEBAUTHN_ORIGIN", "http://app.loja.com")][..], "BALCAO_WEBAUTHN_ORIGIN"),
        (&[("BALCAO_WEBAUTHN_ORIGIN", "https://app.loja.com/login")][..], "BALCAO_WEBAUTHN_ORIGIN"),
        (&[("BALCAO_WEBAUTHN_ORIGIN", "not a url")][..], "BALCAO_WEBAUTHN_ORIGIN"),
        (&[("BALCAO_WEBAUTHN_ORIGIN", "https://10.0.0.1")][..], "BALCAO_WEBAUTHN_ORIGIN"),
        (
            &[("BALCAO_PUBLIC_URL", "http://127.0.0.1:8080"), ("BALCAO_WEBAUTHN_RP_ID", "loja.com")][..],
            "BALCAO_PUBLIC_URL",
        ),
    ] {
        assert_eq!(rp(pairs), Err(var), "{pairs:?}");
    }
    let err = Config::from_map(&vars(&[("BALCAO_WEBAUTHN_RP_ID", "other.com")])).err().map(|e| e.to_string());
    assert!(err.as_deref().is_some_and(|e| e.contains("other.com") && e.contains("localhost")), "{err:?}");
}
