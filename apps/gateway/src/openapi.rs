//! The OpenAPI document, collected from the real handlers, with the bearer scheme and every error response.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use balcao_core::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "balcao API",
        description = "The backend for Brazilian stores that sell over WhatsApp, Instagram and the web. \
            Errors are RFC 9457 problem documents with a stable `code`; lists use keyset cursors; \
            money is integer minor units.",
        license(name = "Proprietary", identifier = "LicenseRef-Proprietary"),
    ),
    components(schemas(Problem)),
    modifiers(&BearerScheme),
    tags(
        (name = "identity", description = "Signup, login, sessions and two-factor authentication"),
        (name = "stores", description = "Stores: the tenants"),
        (name = "members", description = "Members, roles and permissions"),
        (name = "api-keys", description = "Store API keys"),
        (name = "catalog", description = "Categories, products, variants and inventory"),
        (name = "customers", description = "Customers, addresses, consent and wishlists"),
        (name = "storefront", description = "The public storefront, by store slug: products, carts, checkout"),
        (name = "orders", description = "Orders, their lifecycle, and analytics"),
        (name = "coupons", description = "Discount coupons"),
        (name = "shipping", description = "Delivery zones and shipping quotes"),
        (name = "messaging", description = "Channels (WhatsApp, Instagram, email, SMS) with sealed credentials, messages, conversations, templates and consent"),
        (name = "payments", description = "PIX, boleto and card payments of orders, refunds, QR codes and the sandbox"),
        (name = "webhooks", description = "Outbound webhook endpoints, signing secrets and the event catalog"),
        (name = "inbound", description = "Inbound provider webhooks (WhatsApp, Instagram, Stripe, EFI, PagBank, Zenvia, Twilio): the public receivers, their per-store configuration and the events received"),
        (name = "platform", description = "Health, metrics and this document"),
        (name = "admin", description = "Platform operators only (granted with `balcao admin grant EMAIL`, TOTP on): plans and a store's plan; anyone else gets 404"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A session token from `POST /v1/auth/login` or a store API key (`bk_...`)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "customer_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A shopper's signed customer token (`bct_...`), minted by the store for one customer.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The operator's `BALCAO_METRICS_TOKEN`, for `/metrics` only."))
                    .build(),
            ),
        );
    }
}

/// Adds the problem responses every operation can give, so clients know every error shape.
struct ProblemResponses;

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
}

fn add_problems(path: &str, op: &mut Operation) {
    // A public operation says so (`security: []`) rather than inheriting a default.
    let secured = op.security.get_or_insert_with(Vec::new).iter().any(|s| s != &SecurityRequirement::default());
    // Only staff credentials carry permissions; a shopper's customer token has none to miss.
    let staff = serde_json::to_value(&op.security).is_ok_and(|v| v.to_string().contains("\"bearer\""));
    let has_body = op.request_body.is_some();
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if has_body {
        wanted.push(("400", "Malformed JSON"));
        wanted.push(("413", "Body too large"));
        wanted.push(("415", "Body is not application/json"));
    }
    if has_body || has_params {
        wanted.push(("422", "Invalid input; `errors` names each field"));
    }
    // The operators' routes answer 404 to anyone else, never 401 or 403.
    let admin = path.starts_with("/v1/admin/");
    if secured && !admin {
        wanted.push(("401", "Missing, expired or revoked credentials"));
    }
    if staff && !admin {
        wanted.push(("403", "A permission this action needs is missing"));
    }
    if admin {
        wanted.push(("404", "Not an operator with TOTP on: the same answer as an unknown route"));
    } else if path.contains('{') {
        wanted.push(("404", "Not found (or in another store)"));
    }
    let limited = crate::ratelimit::Scope::is_limited(path);
    if limited {
        wanted.push((
            "429",
            "Over a rate limit or a hard monthly quota (`quota_exceeded`, naming the `policy`); see Retry-After",
        ));
    }
    wanted.push(("500", "Unexpected error"));
    wanted.push(("503", "A dependency is unavailable; see Retry-After"));
    for (status, description) in wanted {
        op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description).into());
    }
    if limited {
        for (status, response) in op.responses.responses.iter_mut() {
            let utoipa::openapi::RefOr::T(response) = response else { continue };
            if status == "429" {
                response.headers.insert(
                    "Retry-After".into(),
                    utoipa::openapi::RefOr::Ref(Ref::new("#/components/headers/Retry-After")),
                );
            }
            if status.starts_with('2') || status == "429" {
                for name in ["RateLimit-Policy", "RateLimit"] {
                    response.headers.insert(
                        name.into(),
                        utoipa::openapi::RefOr::Ref(Ref::new(format!("#/components/headers/{name}"))),
                    );
                }
            }
        }
    }
}

/// The headers limited routes answer with, once in the components.
fn rate_limit_headers(openapi: &mut OpenApiDoc) {
    let string = || utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String).build();
    let headers = [
        (
            "RateLimit-Policy",
            "The limits this request counts against (draft-ietf-httpapi-ratelimit-headers, an RFC 8941 list): \
             `\"read\";q=20;w=2` is 20 requests at once, refilled over 2 seconds, per credential and route class \
             (`read`, `write`, `expensive`), or per client address (`storefront`, `auth`, `anonymous`), or per \
             provider and store (`inbound`); a store's monthly quota follows under its metric's name \
             (`\"api_calls\";q=100000;w=2678400`).",
        ),
        (
            "RateLimit",
            "Where this request left each policy, in the same order: `\"read\";r=19;t=1` is 19 requests left, \
             whole again in 1 second.",
        ),
        ("Retry-After", "Seconds until a request would pass; never early."),
    ];
    let components = openapi.components.get_or_insert_with(Default::default);
    for (name, description) in headers {
        let mut header = utoipa::openapi::header::Header::new(string());
        header.description = Some(description.to_owned());
        components.headers.insert(name.to_owned(), header.into());
    }
}

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
            {
                add_problems(path, op);
            }
        }
    }
}

/// Applies the document-wide modifiers to a collected document.
pub fn finish(mut doc: OpenApiDoc) -> OpenApiDoc {
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut local = Server::new("http://localhost:8080");
    local.description =
        Some("A local balcao (`balcao serve`); clients point their base URL at their own deployment".into());
    doc.servers = Some(vec![local]);
    ProblemResponses.modify(&mut doc);
    rate_limit_headers(&mut doc);
    crate::problems::document(&mut doc);
    doc
}
