//! Customers: documents, phones, uniqueness, addresses, consent, search, tenancy, tokens and wishlists.

use balcao_tests::{TestApp, assert_problem};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A store with a signed-in owner: (app, token, store id).
pub(crate) async fn shop() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    (app, user.token, store)
}

pub(crate) async fn create(app: &TestApp, token: &str, store: &str, body: Value) -> Value {
    let (status, customer) = app.post(&format!("/v1/stores/{store}/customers"), token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{customer}");
    customer
}

fn address(cep: &str, state: &str) -> Value {
    json!({"recipient": "Maria da Silva", "cep": cep, "street": "Avenida Paulista", "number": "1578",
        "neighborhood": "Bela Vista", "city": "São Paulo", "state": state})
}

/// The single field a 422/409 problem names.
fn field(body: &Value) -> &str {
    body["errors"][0]["field"].as_str().unwrap_or_default()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

pub(crate) async fn created_events_for(app: &TestApp, customer_id: &str) -> i64 {
    let mut conn = app.core.pool.get().await.unwrap();
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM outbox_events WHERE event_type = 'customer.created' AND payload->>'id' = $1",
    )
    .bind::<Text, _>(customer_id)
    .get_result(&mut conn)
    .await
    .unwrap();
    row.count
}

#[tokio::test]
async fn documents_phones_and_uniqueness() {
    let (app, token, store) = shop().await;
    let base = format!("/v1/stores/{store}/customers");

    let maria = create(
        &app,
        &token,
        &store,
        json!({"name": " Maria da Silva ", "email": "Maria@Example.com", "phone": "(11) 98765-4321",
            "document": "529.982.247-25", "tags": ["VIP", "vip", " Atacado "], "notes": "prefere entrega à tarde"}),
    )
    .await;
    assert_eq!(maria["name"], "Maria da Silva");
    assert_eq!(maria["email"], "maria@example.com");
    assert_eq!(maria["phone"], "+5511987654321");
    assert_eq!(maria["document"], json!({"kind": "cpf", "value": "52998224725", "formatted": "529.982.247-25"}));
    assert_eq!(maria["tags"], json!(["vip", "atacado"]));
    assert_eq!(maria["addresses"], json!([]));
    let id = maria["id"].as_str().unwrap();
    assert_eq!(created_events_for(&app, id).await, 1, "customer.created is in the outbox");
    let (status, got) = app.get(&format!("{base}/{id}"), &token).await;
    assert_eq!((status, &got["document"]), (StatusCode::OK, &maria["document"]));

    // An 8-digit old-style mobile is kept as entered.
    let old = create(&app, &token, &store, json!({"name": "Seu Zé", "phone": "(61) 8123-4567"})).await;
    assert_eq!(old["phone"], "+556181234567");
    assert!(old["document"].is_null() && old["email"].is_null());

    let cnpj = create(&app, &token, &store, json!({"name": "Empresa", "document": "11222333000181"})).await;
    assert_eq!(cnpj["document"]["kind"], "cnpj");
    assert_eq!(cnpj["document"]["formatted"], "11.222.333/0001-81");
    let alnum = create(&app, &token, &store, json!({"name": "Nova Empresa", "document": "12.abc.345/01de-35"})).await;
    assert_eq!(
        alnum["document"],
        json!({"kind": "cnpj", "value": "12ABC34501DE35", "formatted": "12.ABC.345/01DE-35"})
    );

    let (status, body) = app.post(&base, &token, json!({"name": "X", "document": "529.982.247-24"})).await;
    assert_eq!(
        (status, field(&body), body["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "document", Some("invalid_check_digits"))
    );
    let (status, body) = app.post(&base, &token, json!({"name": "X", "phone": "(20) 98765-4321"})).await;
    assert_eq!(
        (status, field(&body), body["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "phone", Some("invalid_area_code"))
    );
    let (status, body) = app.post(&base, &token, json!({"name": "", "email": "nope"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name", "email"]);

    let (status, body) = app.post(&base, &token, json!({"name": "Outra", "email": "MARIA@example.com"})).await;
    assert_eq!((status, body["code"].as_str(), field(&body)), (StatusCode::CONFLICT, Some("email_taken"), "email"));
    let (status, body) = app.post(&base, &token, json!({"name": "Outra", "document": "52998224725"})).await;
    assert_eq!(
        (status, body["code"].as_str(), field(&body)),
        (StatusCode::CONFLICT, Some("document_taken"), "document")
    );
    let response = app
        .request(Method::POST, &base, Some(&token))
        .json(&json!({"name": "O", "document": "529.982.247-25"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::CONFLICT, "document_taken").await;

    // PATCH: change, clear, and the same uniqueness.
    let old_id = old["id"].as_str().unwrap();
    let (status, body) = app.patch(&format!("{base}/{old_id}"), &token, json!({"email": "maria@example.com"})).await;
    assert_eq!((status, body["code"].as_str(), field(&body)), (StatusCode::CONFLICT, Some("email_taken"), "email"));
    let (status, changed) = app
        .patch(&format!("{base}/{old_id}"), &token, json!({"phone": null, "email": "ze@example.com", "tags": ["Fiel"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert!(changed["phone"].is_null());
    assert_eq!((changed["email"].as_str(), changed["name"].as_str()), (Some("ze@example.com"), Some("Seu Zé")));
    assert_eq!(changed["tags"], json!(["fiel"]));
    let (status, body) = app.patch(&format!("{base}/{old_id}"), &token, json!({"document": "123"})).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "document"));
    let (status, _) = app.delete(&format!("{base}/{old_id}"), &token).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "no erasure route yet");
}

#[tokio::test]
async fn addresses_validate_cep_and_state_and_keep_one_default() {
    let (app, token, store) = shop().await;
    let base = format!("/v1/stores/{store}/customers");

    let (status, body) = app
        .post(
            &base,
            &token,
            json!({"name": "Maria", "addresses": [address("01310-10", "SP"), address("01310100", "XX")]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["addresses[0].cep", "addresses[1].state"]);

    let maria = create(
        &app,
        &token,
        &store,
        json!({"name": "Maria", "addresses": [address("01310100", "sp"), address("20040-020", "RJ")]}),
    )
    .await;
    let addresses = maria["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2);
    assert_eq!((addresses[0]["cep"].as_str(), addresses[0]["state"].as_str()), (Some("01310-100"), Some("SP")));
    assert_eq!((addresses[0]["is_default"].as_bool(), addresses[1]["is_default"].as_bool()), (Some(true), Some(false)));
    let first = addresses[0]["id"].as_str().unwrap().to_owned();
    let id = maria["id"].as_str().unwrap();
    let addrs = format!("{base}/{id}/addresses");

    let (status, body) = app.post(&addrs, &token, address("abc", "SP")).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "cep"));
    let (status, body) = app.post(&addrs, &token, address("01310-100", "ZZ")).await;
    assert_eq!(
        (status, field(&body), body["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "state", Some("invalid_uf"))
    );

    let mut work = address("04538-133", "SP");
    work["label"] = json!("Trabalho");
    work["is_default"] = json!(true);
    let (status, added) = app.post(&addrs, &token, work).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!((added["cep"].as_str(), added["is_default"].as_bool()), (Some("04538-133"), Some(true)));
    let (_, got) = app.get(&format!("{base}/{id}"), &token).await;
    let defaults: Vec<&Value> =
        got["addresses"].as_array().unwrap().iter().filter(|a| a["is_default"] == true).collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["id"], added["id"]);
    assert_eq!(got["addresses"][0]["id"], added["id"], "the default comes first");

    let (status, patched) = app
        .patch(
            &format!("{addrs}/{first}"),
            &token,
            json!({"is_default": true, "cep": "01310 100", "complement": "ap 12"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!((patched["is_default"].as_bool(), patched["complement"].as_str()), (Some(true), Some("ap 12")));
    let (_, got) = app.get(&format!("{base}/{id}"), &token).await;
    let defaults: Vec<&Value> =
        got["addresses"].as_array().unwrap().iter().filter(|a| a["is_default"] == true).collect();
    assert_eq!((defaults.len(), defaults[0]["id"].as_str()), (1, Some(first.as_str())));
    let (status, body) = app.patch(&format!("{addrs}/{first}"), &token, json!({"state": "S"})).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "state"));

    let (status, _) = app.delete(&format!("{addrs}/{first}"), &token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.delete(&format!("{addrs}/{first}"), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, got) = app.get(&format!("{base}/{id}"), &token).await;
    assert_eq!(got["addresses"].as_array().map(Vec::len), Some(2));

    // A customer's first address becomes the default.
    let ze = create(&app, &token, &store, json!({"name": "Zé"})).await;
    let (_, only) =
        app.post(&format!("{base}/{}/addresses", ze["id"].as_str().unwrap()), &token, address("70040-010", "DF")).await;
    assert_eq!(only["is_default"], true);
}

#[tokio::test]
async fn consent_is_append_only_with_current_state() {
    let (app, token, store) = shop().await;
    let maria = create(&app, &token, &store, json!({"name": "Maria"})).await;
    let path = format!("/v1/stores/{store}/customers/{}/consents", maria["id"].as_str().unwrap());

    let (status, overview) = app.get(&path, &token).await;
    assert_eq!((status, overview), (StatusCode::OK, json!({"current": [], "history": []})));

    let grant = json!({"channel": "whatsapp", "purpose": "marketing", "granted": true,
        "source": "checkout form", "text_version": "2026-01"});
    let (status, granted) = app.post(&path, &token, grant).await;
    assert_eq!(status, StatusCode::CREATED, "{granted}");
    assert!(granted["recorded_by"].is_string(), "a session records its user");
    let (status, _) = app
        .post(
            &path,
            &token,
            json!({"channel": "email", "purpose": "transactional", "granted": true, "source": "signup"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let key = app.api_key(&token, &store, Some(&["customers:write", "customers:read"])).await;
    let opt_out =
        json!({"channel": "whatsapp", "purpose": "marketing", "granted": false, "source": "whatsapp keyword"});
    let (status, revoked) = app.post(&path, &key, opt_out).await;
    assert_eq!(status, StatusCode::CREATED, "{revoked}");
    assert!(revoked["recorded_by"].is_null(), "an API key records no user");

    let (status, overview) = app.get(&path, &key).await;
    assert_eq!(status, StatusCode::OK);
    let history = overview["history"].as_array().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0]["id"], revoked["id"], "newest first");
    assert_eq!(history[2]["id"], granted["id"]);
    assert_eq!((history[2]["granted"].as_bool(), history[0]["granted"].as_bool()), (Some(true), Some(false)));
    let current = overview["current"].as_array().unwrap();
    assert_eq!(current.len(), 2);
    let whatsapp = current.iter().find(|c| c["channel"] == "whatsapp").unwrap();
    assert_eq!(whatsapp["granted"], false);
    assert_eq!(whatsapp["purpose"], "marketing");
    assert_eq!(whatsapp["source"], "whatsapp keyword");
    assert_eq!(whatsapp["recorded_at"], revoked["recorded_at"]);
    assert_eq!(current.iter().find(|c| c["channel"] == "email").unwrap()["granted"], true);

    let (status, body) = app
        .post(&path, &token, json!({"channel": "pombo", "purpose": "marketing", "granted": true, "source": "x"}))
        .await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "channel"));
    let (status, body) = app
        .post(&path, &token, json!({"channel": "sms", "purpose": "marketing", "granted": true, "source": " "}))
        .await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "source"));
}

#[tokio::test]
async fn list_searches_filters_pages_and_costs_the_same_whatever_its_size() {
    let (app, token, store) = shop().await;
    let base = format!("/v1/stores/{store}/customers");
    create(
        &app,
        &token,
        &store,
        json!({"name": "João Pereira", "email": "joao@example.com", "tags": ["VIP"],
        "addresses": [address("01310100", "SP")]}),
    )
    .await;
    create(
        &app,
        &token,
        &store,
        json!({"name": "Ana Souza", "phone": "(21) 99876-5432", "tags": ["atacado"],
        "addresses": [address("20040020", "RJ"), address("22041001", "RJ")]}),
    )
    .await;
    create(
        &app,
        &token,
        &store,
        json!({"name": "Loja da Esquina", "document": "11.222.333/0001-81",
        "addresses": [address("70040010", "DF")]}),
    )
    .await;
    create(&app, &token, &store, json!({"name": "Beatriz Conceição", "email": "bia@example.com", "tags": ["vip"]}))
        .await;

    let names = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
    };
    for (query, expected) in [
        ("q=JOAO", vec!["João Pereira"]),
        ("q=conceicao", vec!["Beatriz Conceição"]),
        ("q=BIA%40EXAMPLE", vec!["Beatriz Conceição"]),
        ("q=99876-5432", vec!["Ana Souza"]),
        ("q=11.222.333", vec!["Loja da Esquina"]),
        ("q=%25", vec![]),
        ("tag=VIP", vec!["João Pereira", "Beatriz Conceição"]),
        ("tag=vip&q=bia", vec!["Beatriz Conceição"]),
    ] {
        let (status, page) = app.get(&format!("{base}?{query}"), &token).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(names(&page), expected, "{query}");
    }

    let (_, first) = app.get(&format!("{base}?limit=3"), &token).await;
    assert_eq!(names(&first), vec!["João Pereira", "Ana Souza", "Loja da Esquina"]);
    assert_eq!(first["data"][1]["addresses"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.get(&format!("{base}?limit=3&cursor={cursor}"), &token).await;
    assert_eq!((names(&second), second["next_cursor"].is_null()), (vec!["Beatriz Conceição".to_owned()], true));
    let (status, body) = app.get(&format!("{base}?limit=0"), &token).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "limit"));

    let small = format!("{base}?limit=1");
    let large = format!("{base}?limit=50");
    app.get(&small, &token).await; // warm the credential cache
    let (one, (_, page)) = app.count_queries(app.get(&small, &token)).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    let (fifty, (_, page)) = app.count_queries(app.get(&large, &token)).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(4));
    assert_eq!(one, fifty, "page size does not change the query count");
    assert_eq!(fifty, 2, "customers, then every address of the page at once");
}

#[tokio::test]
async fn another_store_sees_nothing() {
    let (app, token, store) = shop().await;
    let maria = create(&app, &token, &store, json!({"name": "Maria", "addresses": [address("01310100", "SP")]})).await;
    let id = maria["id"].as_str().unwrap();
    let address_id = maria["addresses"][0]["id"].as_str().unwrap();
    let stranger = app.user().await;
    let own_store = app.store(&stranger.token).await;
    let consent = json!({"channel": "sms", "purpose": "marketing", "granted": true, "source": "x"});

    for s in [store.as_str(), own_store.as_str()] {
        let c = format!("/v1/stores/{s}/customers/{id}");
        let routes: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, c.clone(), None),
            (Method::PATCH, c.clone(), Some(json!({"name": "Hacked"}))),
            (Method::POST, format!("{c}/addresses"), Some(address("01310100", "SP"))),
            (Method::PATCH, format!("{c}/addresses/{address_id}"), Some(json!({"city": "X"}))),
            (Method::DELETE, format!("{c}/addresses/{address_id}"), None),
            (Method::POST, format!("{c}/consents"), Some(consent.clone())),
            (Method::GET, format!("{c}/consents"), None),
            (Method::POST, format!("{c}/tokens"), None),
            (Method::GET, format!("{c}/wishlist"), None),
        ];
        for (method, path, body) in routes {
            let (status, problem) = app.call(method.clone(), &path, Some(&stranger.token), body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
        }
    }
    let (status, _) = app.get(&format!("/v1/stores/{store}/customers"), &stranger.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.post(&format!("/v1/stores/{store}/customers"), &stranger.token, json!({"name": "X"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = app.get(&format!("/v1/stores/{own_store}/customers"), &stranger.token).await;
    assert_eq!((status, page["data"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));

    // A viewer reads but does not write.
    app.add_member(&token, &store, &stranger.email, "viewer").await;
    let (status, _) = app.get(&format!("/v1/stores/{store}/customers/{id}"), &stranger.token).await;
    assert_eq!(status, StatusCode::OK);
    let response = app
        .request(Method::PATCH, &format!("/v1/stores/{store}/customers/{id}"), Some(&stranger.token))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
}
