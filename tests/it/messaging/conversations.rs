//! The inbox, templates and the suppression list over HTTP: conversations listed by activity with
//! their last message at a fixed query cost, filtered and paged, changed with checked fields;
//! templates with unique (kind, name, language); staff opt-outs.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::inbound::{CONTACT, Shop, shop};

impl Shop {
    /// A sandbox WhatsApp channel; answers its simulate-inbound path.
    async fn sandbox(&self) -> String {
        let body = json!({"kind": "whatsapp", "provider": "sandbox", "name": "Sandbox", "sender": "sandbox"});
        let (status, channel) = self.app.post(&self.path("channels"), &self.token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        self.path(&format!("channels/{}/simulate-inbound", channel["id"].as_str().unwrap()))
    }

    /// A contact writes; answers the stored message.
    async fn inbound(&self, simulate: &str, from: &str, text: &str) -> Value {
        let body = json!({"from": from, "text": text, "name": format!("Cliente {}", &from[from.len() - 2..])});
        let (status, message) = self.app.post(simulate, &self.token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{message}");
        message
    }
}

fn phone(i: usize) -> String {
    format!("+55119876543{i:02}")
}

fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_inbox_lists_by_activity_at_a_fixed_query_cost() {
    let shop = shop().await;
    let simulate = shop.sandbox().await;
    for i in 0..6 {
        shop.inbound(&simulate, &phone(i), &format!("Mensagem {i}")).await;
    }
    shop.inbound(&simulate, &phone(0), "De novo eu").await;

    let small = shop.path("conversations?limit=1");
    let large = shop.path("conversations?limit=100");
    shop.app.get(&small, &shop.token).await; // warm the credential cache
    let (few, (_, one)) = shop.app.count_queries(shop.app.get(&small, &shop.token)).await;
    let (many, (_, all)) = shop.app.count_queries(shop.app.get(&large, &shop.token)).await;
    assert_eq!(one["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(all["data"].as_array().map(Vec::len), Some(6), "{all}");
    assert_eq!(few, many, "page size does not change the query count");
    assert_eq!(many, 2, "one query for the page, one for the last messages");

    let latest = &all["data"][0];
    assert_eq!(latest["contact"], phone(0), "most recently active first");
    assert_eq!(latest["last_message"]["text"], "De novo eu");
    assert_eq!(latest["contact_name"], "Cliente 00");

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => shop.path(&format!("conversations?limit=4&cursor={c}")),
            None => shop.path("conversations?limit=4"),
        };
        let (status, page) = shop.app.get(&path, &shop.token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids(&all), "pages cover the list once, in order");
    let (status, problem) = shop.app.get(&shop.path("conversations?cursor=nope"), &shop.token).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")));
}

#[tokio::test]
async fn conversations_change_with_checked_fields_and_filter() {
    let shop = shop().await;
    let simulate = shop.sandbox().await;
    shop.inbound(&simulate, CONTACT, "Oi").await;
    shop.inbound(&simulate, &phone(1), "Olá").await;
    let (_, list) = shop.app.get(&shop.path("conversations"), &shop.token).await;
    let id = list["data"].as_array().unwrap().iter().find(|c| c["contact"] == CONTACT).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = shop.path(&format!("conversations/{id}"));

    let too_many: Vec<String> = (0..21).map(|i| format!("l{i}")).collect();
    let stranger = uuid::Uuid::now_v7().to_string();
    for (body, field) in [
        (json!({"status": "closed"}), "status"),
        (json!({"assignee_id": stranger}), "assignee_id"),
        (json!({"assignee_id": "me"}), "assignee_id"),
        (json!({"labels": too_many}), "labels"),
        (json!({"labels": ["ok", "x".repeat(51)]}), "labels[1]"),
        (json!({"labels": "vip"}), "labels"),
    ] {
        let (status, problem) = shop.app.patch(&path, &shop.token, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let outsider = shop.app.user().await;
    let (status, problem) = shop.app.patch(&path, &shop.token, json!({"assignee_id": outsider.id})).await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_member"))
    );

    let member = shop.app.user().await;
    shop.app.add_member(&shop.token, &shop.store, &member.email, "staff").await;
    let patch = json!({"status": "resolved", "assignee_id": member.id, "labels": ["vip", "entrega", "vip"]});
    let (status, updated) = shop.app.patch(&path, &shop.token, patch).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["status"], "resolved");
    assert_eq!(updated["assignee_id"], member.id.as_str());
    assert_eq!(updated["labels"], json!(["vip", "entrega"]));

    let filtered =
        async |query: String| shop.app.get(&shop.path(&format!("conversations?{query}")), &shop.token).await.1;
    assert_eq!(ids(&filtered("status=resolved".into()).await), std::slice::from_ref(&id));
    assert_eq!(ids(&filtered("label=vip".into()).await), std::slice::from_ref(&id));
    assert_eq!(ids(&filtered(format!("assignee_id={}", member.id)).await), std::slice::from_ref(&id));
    assert_eq!(ids(&filtered("status=open".into()).await).len(), 1);
    let (status, problem) = shop.app.get(&shop.path("conversations?status=closed"), &shop.token).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));

    let (_, unassigned) = shop.app.patch(&path, &shop.token, json!({"assignee_id": null})).await;
    assert_eq!(
        (unassigned["assignee_id"].clone(), unassigned["labels"].clone()),
        (Value::Null, json!(["vip", "entrega"]))
    );
    shop.inbound(&simulate, CONTACT, "Mais uma coisa").await;
    let (_, reopened) = shop.app.get(&path, &shop.token).await;
    assert_eq!(reopened["conversation"]["status"], "open", "a new message reopens a resolved conversation");

    let (_, detail) = shop.app.get(&format!("{path}?limit=1"), &shop.token).await;
    assert_eq!(detail["messages"]["data"][0]["content"]["text"], "Oi", "oldest first");
    let next = detail["messages"]["next_cursor"].as_str().unwrap();
    let (_, rest) = shop.app.get(&format!("{path}/messages?cursor={next}"), &shop.token).await;
    assert_eq!(rest["data"][0]["content"]["text"], "Mais uma coisa", "{rest}");
    let (_, newest) = shop.app.get(&format!("{path}/messages?order=desc&limit=1"), &shop.token).await;
    assert_eq!(newest["data"][0]["content"]["text"], "Mais uma coisa");

    let other = shop.app.user().await;
    let other_store = shop.app.store(&other.token).await;
    let (status, _) = shop.app.get(&format!("/v1/stores/{other_store}/conversations/{id}"), &other.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another store's conversation is not found");
    let (status, _) =
        shop.app.patch(&shop.path(&format!("conversations/{}", uuid::Uuid::now_v7())), &shop.token, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn templates_are_unique_by_kind_name_and_language() {
    let shop = shop().await;
    let path = shop.path("message-templates");
    let body = json!({"kind": "whatsapp", "name": "pedido_enviado", "language": "pt_BR", "category": "utility",
        "components": [{"type": "BODY", "text": "Olá {{1}}, seu pedido saiu."}, {"type": "buttons", "buttons": []}]});
    let (status, created) = shop.app.post(&path, &shop.token, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["components"][0]["text"], "Olá {{1}}, seu pedido saiu.");
    let (status, problem) = shop.app.post(&path, &shop.token, body.clone()).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("template_exists")));
    let mut english = body.clone();
    english["language"] = json!("en_US");
    let (status, other) = shop.app.post(&path, &shop.token, english).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");

    for (change, field) in [
        (json!({"name": "Pedido Enviado"}), "name"),
        (json!({"language": "portugues"}), "language"),
        (json!({"category": "promo"}), "category"),
        (json!({"kind": "fax"}), "kind"),
        (json!({"components": [{"type": "carousel"}]}), "components[0].type"),
        (json!({"components": []}), "components"),
    ] {
        let mut bad = body.clone();
        for (k, v) in change.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, problem) = shop.app.post(&path, &shop.token, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{change}: {problem}");
    }

    let one = format!("{path}/{}", other["id"].as_str().unwrap());
    let (status, problem) = shop.app.patch(&one, &shop.token, json!({"language": "pt_BR"})).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("template_exists")));
    let (status, patched) = shop.app.patch(&one, &shop.token, json!({"category": "marketing", "language": "es"})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!((patched["category"].as_str(), patched["language"].as_str()), (Some("marketing"), Some("es")));
    let (_, listed) = shop.app.get(&format!("{path}?name=pedido_enviado&language=es"), &shop.token).await;
    assert_eq!(ids(&listed), [other["id"].as_str().unwrap().to_owned()]);

    let viewer = shop.app.user().await;
    shop.app.add_member(&shop.token, &shop.store, &viewer.email, "viewer").await;
    let (status, _) = shop.app.get(&one, &viewer.token).await;
    assert_eq!(status, StatusCode::OK, "reading needs messages:read");
    let (status, _) = shop.app.delete(&one, &viewer.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "changing needs channels:manage");
    let (status, _) = shop.app.delete(&one, &shop.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = shop.app.get(&one, &shop.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_record_and_remove_opt_outs() {
    let shop = shop().await;
    let path = shop.path("suppressions");
    let (status, created) =
        shop.app.post(&path, &shop.token, json!({"kind": "sms", "contact": "+55 (11) 98765-4321"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!((created["contact"].as_str(), created["source"].as_str()), (Some(CONTACT), Some("staff")));
    let (status, again) =
        shop.app.post(&path, &shop.token, json!({"kind": "sms", "contact": CONTACT, "source": "import"})).await;
    assert_eq!((status, again["source"].as_str()), (StatusCode::OK, Some("staff")));
    let (status, _) = shop.app.post(&path, &shop.token, json!({"kind": "email", "contact": "Ana@Example.com"})).await;
    assert_eq!(status, StatusCode::CREATED);
    for (body, field) in [
        (json!({"kind": "sms", "contact": "123"}), "contact"),
        (json!({"kind": "pombo", "contact": CONTACT}), "kind"),
        (json!({"kind": "sms", "contact": CONTACT, "source": "Staff Member"}), "source"),
    ] {
        let (status, problem) = shop.app.post(&path, &shop.token, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    let (_, sms) = shop.app.get(&format!("{path}?kind=sms&contact=%2B5511987654321"), &shop.token).await;
    assert_eq!(sms["data"].as_array().map(Vec::len), Some(1), "{sms}");
    let (_, all) = shop.app.get(&format!("{path}?limit=1"), &shop.token).await;
    assert_eq!(all["data"][0]["kind"], "email", "ordered by kind then contact");
    let (_, rest) = shop.app.get(&format!("{path}?cursor={}", all["next_cursor"].as_str().unwrap()), &shop.token).await;
    assert_eq!(rest["data"][0]["kind"], "sms", "{rest}");

    let (status, queued) = shop
        .app
        .post(
            &shop.path("messages"),
            &shop.token,
            json!({"channel": "sms", "to": CONTACT, "category": "marketing",
            "content": {"type": "text", "text": "Promoção"}}),
        )
        .await;
    assert_eq!((status, queued["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("recipient_opted_out")));
    let (status, _) = shop.app.delete(&format!("{path}/sms/%2B5511987654321"), &shop.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = shop.app.delete(&format!("{path}/sms/%2B5511987654321"), &shop.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = shop.app.delete(&format!("{path}/fax/x"), &shop.token).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
    let (status, _) = shop.app.delete(&format!("{path}/email/ana@example.com"), &shop.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
