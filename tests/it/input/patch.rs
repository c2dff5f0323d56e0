//! An empty PATCH changes nothing and answers the resource, on every PATCH route.

use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Where the resource a PATCH answers is read before it: the whole GET body, the object at a
/// JSON pointer, or the item of a list (at a JSON pointer) whose `key` is `id`.
enum Read {
    Whole,
    At(&'static str),
    Item(&'static str, &'static str, String),
}

impl Read {
    fn pick(&self, body: &Value) -> Value {
        match self {
            Read::Whole => body.clone(),
            Read::At(pointer) => {
                body.pointer(pointer).cloned().unwrap_or_else(|| panic!("nothing at {pointer} in {body}"))
            }
            Read::Item(pointer, key, id) => body
                .pointer(pointer)
                .and_then(Value::as_array)
                .and_then(|items| items.iter().find(|i| i[*key] == id.as_str()))
                .cloned()
                .unwrap_or_else(|| panic!("no {key} = {id} at {pointer} in {body}")),
        }
    }
}

/// Every field the PATCH answered that the earlier read shows too must be unchanged.
fn assert_unchanged(route: &str, before: &Value, after: &Value) {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        panic!("{route}: not objects: {before} / {after}");
    };
    let mut compared = 0;
    for (key, value) in after {
        if let Some(old) = before.get(key) {
            assert_eq!(old, value, "{route}: `{key}` changed");
            compared += 1;
        }
    }
    assert!(compared >= 2, "{route}: nothing to compare in {after:?}");
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

async fn created(shop: &Commerce, path: &str, body: Value) -> Value {
    let (status, created) = shop.staff(Method::POST, path, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {created}");
    created
}

#[tokio::test]
async fn an_empty_patch_answers_the_unchanged_resource_on_every_route() {
    let shop =
        Commerce::open_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let (app, token) = (&shop.app, shop.token.as_str());
    let staff = app.user().await;
    app.add_member(token, &shop.store, &staff.email, "staff").await;
    let category = id(&created(&shop, "/categories", json!({"name": "Bolos"})).await);
    let (product, variant) = shop.product("Bolo", "BOLO-1", 4500, 10).await;
    let customer = created(
        &shop,
        "/customers",
        json!({"name": "Maria", "addresses": [{"recipient": "Maria", "cep": "01310-100", "street": "Av. Paulista",
            "number": "1578", "neighborhood": "Bela Vista", "city": "São Paulo", "state": "SP"}]}),
    )
    .await;
    let address = id(&customer["addresses"][0]);
    let customer = id(&customer);
    let coupon =
        id(&created(&shop, "/coupons", json!({"code": "DEZ", "kind": "percentage", "percent_bps": 1000})).await);
    let channel = created(
        &shop,
        "/channels",
        json!({"kind": "whatsapp", "provider": "sandbox", "name": "Sandbox", "sender": "sandbox"}),
    )
    .await;
    let channel = id(&channel);
    let inbound = json!({"from": "+5511987654321", "text": "Oi"});
    created(&shop, &format!("/channels/{channel}/simulate-inbound"), inbound).await;
    let (_, conversations) = shop.staff(Method::GET, "/conversations", None).await;
    let conversation = id(&conversations["data"][0]);
    let template = json!({"kind": "whatsapp", "name": "pedido_enviado", "language": "pt_BR", "category": "utility",
        "components": [{"type": "BODY", "text": "Olá {{1}}, seu pedido saiu."}]});
    let template = id(&created(&shop, "/message-templates", template).await);
    let endpoint = json!({"url": "http://127.0.0.1:9/hook", "event_types": ["*"]});
    let endpoint = id(&created(&shop, "/webhook-endpoints", endpoint).await);
    let role = id(&created(&shop, "/roles", json!({"name": "estoque", "permissions": ["catalog:read"]})).await);
    let cart = shop.cart(&variant, 2).await;
    let (_, cart_body) = shop.shop(Method::GET, &format!("/carts/{cart}"), None).await;
    let item = id(&cart_body["items"][0]);

    // The owner is an operator too, so one token reads and patches the admin routes.
    app.make_operator(token).await;

    let store = format!("/v1/stores/{}", shop.store);
    let storefront = format!("/v1/storefront/{}", shop.slug);
    let routes: Vec<(String, String, Read)> = vec![
        (store.clone(), store.clone(), Read::Whole),
        (
            format!("{store}/members/{}", staff.id),
            format!("{store}/members"),
            Read::Item("/data", "user_id", staff.id.clone()),
        ),
        (format!("{store}/roles/{role}"), format!("{store}/roles"), Read::Item("", "id", role.clone())),
        (format!("{store}/categories/{category}"), format!("{store}/categories/{category}"), Read::Whole),
        (format!("{store}/products/{product}"), format!("{store}/products/{product}"), Read::Whole),
        (
            format!("{store}/products/{product}/variants/{variant}"),
            format!("{store}/products/{product}/variants"),
            Read::Item("", "id", variant.clone()),
        ),
        (format!("{store}/customers/{customer}"), format!("{store}/customers/{customer}"), Read::Whole),
        (
            format!("{store}/customers/{customer}/addresses/{address}"),
            format!("{store}/customers/{customer}"),
            Read::Item("/addresses", "id", address.clone()),
        ),
        (
            format!("{store}/delivery-zones/{}", shop.delivery),
            format!("{store}/delivery-zones/{}", shop.delivery),
            Read::Whole,
        ),
        (format!("{store}/coupons/{coupon}"), format!("{store}/coupons/{coupon}"), Read::Whole),
        (
            format!("{store}/conversations/{conversation}"),
            format!("{store}/conversations/{conversation}"),
            Read::At("/conversation"),
        ),
        (format!("{store}/channels/{channel}"), format!("{store}/channels/{channel}"), Read::Whole),
        (format!("{store}/message-templates/{template}"), format!("{store}/message-templates/{template}"), Read::Whole),
        (format!("{store}/webhook-endpoints/{endpoint}"), format!("{store}/webhook-endpoints/{endpoint}"), Read::Whole),
        (format!("{storefront}/carts/{cart}"), format!("{storefront}/carts/{cart}"), Read::Whole),
        (format!("{storefront}/carts/{cart}/items/{item}"), format!("{storefront}/carts/{cart}"), Read::Whole),
        ("/v1/admin/plans/free".to_owned(), "/v1/admin/plans".to_owned(), Read::Item("", "name", "free".to_owned())),
        (format!("/v1/admin/stores/{}", shop.store), store.clone(), Read::Whole),
    ];
    let spec: Value = app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let patch_routes = spec["paths"].as_object().unwrap().values().filter(|ops| ops.get("patch").is_some()).count();
    assert_eq!(routes.len(), patch_routes, "every PATCH route of the spec is in this table");

    let mut failures = Vec::new();
    for (patch, get, read) in &routes {
        let auth = (!patch.starts_with("/v1/storefront")).then_some(token);
        let (status, before) = app.call(Method::GET, get, auth, None).await;
        assert_eq!(status, StatusCode::OK, "{get}: {before}");
        let before = read.pick(&before);
        let (status, after) = app.call(Method::PATCH, patch, auth, Some(json!({}))).await;
        if status != StatusCode::OK {
            failures.push(format!("{patch}: {status} {after}"));
            continue;
        }
        assert_unchanged(patch, &before, &after);
        let (_, again) = app.call(Method::GET, get, auth, None).await;
        assert_unchanged(patch, &before, &read.pick(&again));
    }
    assert!(failures.is_empty(), "empty PATCHes failed:\n{}", failures.join("\n"));
}
