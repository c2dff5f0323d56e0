//! Every number a request takes has documented bounds the server enforces, and arithmetic on
//! stored values cannot overflow a column: out of range answers 422 naming the field.

use std::collections::BTreeSet;

use balcao_tests::brl;
use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Collects the numbers without both `minimum` and `maximum` reachable from `schema`.
fn unbounded(spec: &Value, schema: &Value, path: String, seen: &mut Vec<String>, out: &mut BTreeSet<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
        if seen.contains(&name) {
            return;
        }
        seen.push(name.clone());
        unbounded(spec, &spec["components"]["schemas"][&name], name, seen, out);
        seen.pop();
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let numeric = types.iter().any(|t| *t == "integer" || *t == "number");
    let has = |k: &str| schema.get(k).is_some();
    let bounded = has("minimum") || has("exclusiveMinimum");
    let capped = has("maximum") || has("exclusiveMaximum");
    if numeric && !(bounded && capped) {
        out.insert(path.clone());
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for inner in schema[key].as_array().into_iter().flatten() {
            unbounded(spec, inner, path.clone(), seen, out);
        }
    }
    for (name, inner) in schema["properties"].as_object().into_iter().flatten() {
        unbounded(spec, inner, format!("{path}.{name}"), seen, out);
    }
    if schema.get("items").is_some() {
        unbounded(spec, &schema["items"], format!("{path}[]"), seen, out);
    }
    if schema["additionalProperties"].is_object() {
        unbounded(spec, &schema["additionalProperties"], format!("{path}{{}}"), seen, out);
    }
}

#[test]
fn every_number_a_request_takes_has_documented_bounds() {
    let spec = serde_json::to_value(balcao_gateway::openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for (_, content) in operation["requestBody"]["content"].as_object().into_iter().flatten() {
                unbounded(&spec, &content["schema"], format!("{method} {path} body"), &mut Vec::new(), &mut out);
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let at = format!("{method} {path} {}", parameter["name"].as_str().unwrap_or_default());
                unbounded(&spec, &parameter["schema"], at, &mut Vec::new(), &mut out);
            }
        }
    }
    assert!(out.is_empty(), "numbers without minimum and maximum:\n{}", out.into_iter().collect::<Vec<_>>().join("\n"));
}

fn assert_field(status: StatusCode, body: &Value, field: &str, code: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().unwrap_or_else(|| panic!("no errors: {body}"));
    assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "{field} {code}: {body}");
}

#[tokio::test]
async fn stock_adjustments_cannot_overflow_the_column() {
    let shop = Commerce::open().await;
    let (product, variant) = shop.product("Bolo", "BOLO-1", 4500, 10).await;
    let path = format!("/products/{product}/variants/{variant}/inventory-adjustments");
    let adjust = |delta: i64| json!({"delta": delta, "reason": "correction"});
    let (status, body) = shop.staff(Method::POST, &path, Some(adjust(2_147_483_646))).await;
    assert_field(status, &body, "delta", "out_of_range");
    let (status, body) = shop.staff(Method::POST, &path, Some(adjust(2_147_483_648))).await;
    assert_field(status, &body, "delta", "invalid");

    let (status, body) = shop.staff(Method::POST, &path, Some(adjust(999_999_990))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["inventory"]["on_hand"], 1_000_000_000, "{body}");
    let (status, body) = shop.staff(Method::POST, &path, Some(adjust(1_000_000_000))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("stock_above_maximum")),
        "{body}"
    );
    assert_eq!(body["errors"][0]["field"], "delta");
    let (status, body) = shop.staff(Method::POST, &path, Some(adjust(-1_000_000_000))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["inventory"]["on_hand"], 0, "{body}");

    let big = json!({"title": "Muito", "variants": [{"sku": "M-1", "price": brl(100), "on_hand": 1_000_000_001,
        "low_stock_threshold": 2_000_000_000}]});
    let (status, body) = shop.staff(Method::POST, "/products", Some(big)).await;
    assert_field(status, &body, "variants[0].on_hand", "out_of_range");
    assert_field(status, &body, "variants[0].low_stock_threshold", "out_of_range");
}

#[tokio::test]
async fn numbers_past_their_bounds_are_refused_by_name() {
    let shop = Commerce::open().await;
    // Coupons: amounts and limits.
    let coupon = json!({"code": "GRANDE", "kind": "fixed_amount", "amount": brl(1_000_000_001),
        "minimum_subtotal": brl(9_000_000_000_000_000_000_i64), "usage_limit": 2_000_000_000, "minimum_item_count": 1_000_001});
    let (status, body) = shop.staff(Method::POST, "/coupons", Some(coupon)).await;
    for field in ["amount", "minimum_subtotal", "usage_limit", "minimum_item_count"] {
        assert_field(status, &body, field, "out_of_range");
    }
    // Split rules: a fixed share.
    let rules =
        json!({"platform_fee_bps": 0, "recipients": [{"id": "parceiro", "amount": 9_000_000_000_000_000_000_i64}]});
    let (status, body) = shop.staff(Method::PUT, "/payment-split-rules", Some(rules)).await;
    assert_field(status, &body, "recipients[0].amount", "out_of_range");
    // Carts: units past the line limit and past i32.
    let (_, variant) = shop.product("Bolo", "BOLO-1", 4500, 10).await;
    let cart = shop.cart(&variant, 1).await;
    for quantity in [1000_i64, 2_147_483_648] {
        let body = json!({"variant_id": variant, "quantity": quantity});
        let (status, body) = shop.shop(Method::POST, &format!("/carts/{cart}/items"), Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "quantity", "{body}");
    }
    // Pages: a huge limit.
    let (status, body) = shop.staff(Method::GET, "/products?limit=100000000000000000000", None).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")),
        "{body}"
    );
}

#[tokio::test]
async fn an_order_with_nothing_to_pay_takes_no_payment() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Bolo", "BOLO-1", 4500, 10).await;
    let coupon = json!({"code": "TUDO", "kind": "percentage", "percent_bps": 10_000});
    let (status, body) = shop.staff(Method::POST, "/coupons", Some(coupon)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cart = shop.cart(&variant, 1).await;
    let (status, body) = shop.shop(Method::POST, &format!("/carts/{cart}/coupon"), Some(json!({"code": "TUDO"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, order) = shop.checkout(&cart, "free-order", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["total"]["amount"], 0, "{order}");
    let path = format!("/v1/stores/{}/orders/{}/payments", shop.store, order["id"].as_str().unwrap());
    let response = shop
        .app
        .request(Method::POST, &path, Some(&shop.token))
        .header("Idempotency-Key", "free-payment")
        .json(&json!({"method": "pix"}))
        .send()
        .await
        .unwrap();
    balcao_tests::assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_pay").await;
}
