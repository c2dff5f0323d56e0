//! Checkout: a cart becomes an order in one transaction, or nothing happens.

use balcao_core::error::{Error, Result, Validator};
use balcao_core::events;
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::access::PgCartService;
use super::model::{Checkout, CheckoutAddress, CheckoutPaymentMethod};
use super::pricing::{self, Destination, LineFacts};
use crate::br::{is_valid_uf, normalize_phone, parse_cep, parse_document};
use crate::catalog::cache;
use crate::coupons;
use crate::ids::{CartId, CustomerId, OrderId, OrderLineId, VariantId};
use crate::orders::model::{OrderDelivery, ShippingAddress};
use crate::orders::schema::{carts, order_lines, orders};
use crate::orders::service::{Actor, Step, load, record};
use crate::orders::{Order, OrderStatus, expiry, stock};
use crate::shipping::ZoneRules;
use balcao_core::identity::service::email_is_valid;

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    last_number: i64,
}

struct Buyer {
    name: String,
    email: String,
    phone: Option<String>,
    document: Option<String>,
}

fn validate(req: &Checkout) -> Result<(Buyer, Option<ShippingAddress>)> {
    let mut v = Validator::new();
    v.length(&req.customer.name, "customer.name", 1, 200);
    let email = req.customer.email.trim().to_lowercase();
    v.check(email_is_valid(&email), "customer.email", "invalid_format", "must be an email address");
    let phone = match req.customer.phone.as_deref().map(normalize_phone) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            v.check(false, "customer.phone", e.code(), &e.to_string());
            None
        }
        None => None,
    };
    let document = match req.customer.document.as_deref().map(parse_document) {
        Some(Ok(d)) => Some(d.value),
        Some(Err(e)) => {
            v.check(false, "customer.document", e.code(), &e.to_string());
            None
        }
        None => None,
    };
    v.check(
        req.notes.as_deref().unwrap_or("").chars().count() <= 1000,
        "notes",
        "too_long",
        "must be at most 1000 characters",
    );
    if let Some(token) = &req.card_token {
        let card = req.payment_method == Some(CheckoutPaymentMethod::Card);
        v.check(card, "card_token", "unexpected", "is only for payment_method card");
        v.length(token, "card_token", 1, 10_000);
    }
    let address = req.shipping_address.as_ref().map(|a| address(&mut v, a, &req.customer.name));
    v.finish()?;
    Ok((Buyer { name: req.customer.name.trim().to_owned(), email, phone, document }, address.flatten()))
}

fn address(v: &mut Validator, a: &CheckoutAddress, fallback: &str) -> Option<ShippingAddress> {
    let cep = parse_cep(&a.cep);
    if let Err(e) = &cep {
        v.check(false, "shipping_address.cep", e.code(), &e.to_string());
    }
    v.length(&a.street, "shipping_address.street", 1, 200);
    v.length(&a.number, "shipping_address.number", 1, 20);
    v.length(&a.neighborhood, "shipping_address.neighborhood", 1, 100);
    v.length(&a.city, "shipping_address.city", 1, 100);
    v.check(
        is_valid_uf(a.state.trim()),
        "shipping_address.state",
        "invalid",
        "must be a Brazilian state (UF) such as SP",
    );
    Some(ShippingAddress {
        recipient: a.recipient.clone().filter(|r| !r.trim().is_empty()).unwrap_or_else(|| fallback.trim().to_owned()),
        cep: cep.ok()?.formatted(),
        street: a.street.trim().to_owned(),
        number: a.number.trim().to_owned(),
        complement: a.complement.clone().unwrap_or_default(),
        neighborhood: a.neighborhood.trim().to_owned(),
        city: a.city.trim().to_owned(),
        state: a.state.trim().to_uppercase(),
    })
}

fn unknown_method() -> Error {
    Error::Rule {
        code: crate::problems::UNKNOWN_DELIVERY_METHOD,
        detail: "This store has no active delivery method with this id.".into(),
        field: Some("delivery_method_id".into()),
    }
}

fn stock_error(f: &LineFacts) -> Error {
    Error::Conflict {
        code: crate::problems::INSUFFICIENT_STOCK,
        detail: format!(
            "Variant {} (SKU {}) has {} units available; {} requested.",
            f.variant_id,
            f.sku,
            f.available(),
            f.quantity
        ),
        field: Some("variant_id".into()),
    }
}

/// Places the order for a cart.
pub async fn run(
    svc: &PgCartService,
    slug: &str,
    id: CartId,
    customer: Option<CustomerId>,
    req: Checkout,
) -> Result<Order> {
    let (buyer, shipping_address) = validate(&req)?;
    let (store, row, facts, categories) = {
        let mut conn = svc.core.pool.get().await?;
        let (store, row) = svc.open_cart(&mut conn, slug, id).await?;
        let (facts, categories) = pricing::load_lines(&mut conn, store, row.id).await?;
        (store, row, facts, categories)
    };
    if facts.is_empty() {
        return Err(Error::Rule {
            code: crate::problems::CART_EMPTY,
            detail: "Add items before checking out.".into(),
            field: Some("items".into()),
        });
    }
    if let Some(short) = facts.iter().find(|f| !f.purchasable()) {
        return Err(stock_error(short));
    }
    // A guest cannot hold a store's whole stock: units per variant are capped without a customer.
    let cap = svc.core.config.guest_units_per_variant;
    if customer.is_none()
        && row.customer_id.is_none()
        && let Some(line) = facts.iter().find(|f| f.quantity > cap)
    {
        return Err(Error::Rule {
            code: crate::problems::GUEST_QUANTITY_LIMIT,
            detail: format!(
                "A checkout without a customer account takes at most {cap} units of `{}`; lower the quantity or \
                 check out as a customer of the store.",
                line.sku
            ),
            field: Some("items".into()),
        });
    }
    let destination = shipping_address.as_ref().map(|a| Destination {
        cep: a.cep.clone(),
        neighborhood: Some(a.neighborhood.clone()),
        city: Some(a.city.clone()),
        coordinates: req.coordinates.clone(),
    });
    if shipping_address.is_none() {
        // Only pickup goes without an address.
        let zone = svc.deps.delivery.get(store, req.delivery_method_id).await.map_err(|_| unknown_method())?;
        if !matches!(zone.rules, ZoneRules::Pickup(_)) {
            return Err(Error::field("shipping_address", "required", "delivery needs an address"));
        }
    }
    // Pickup ignores the address, so any valid CEP prices it.
    let pickup_probe = Destination { cep: "01001000".into(), neighborhood: None, city: None, coordinates: None };
    let customer_id = customer.or(row.customer_id.map(CustomerId));
    let priced = pricing::price(
        &svc.deps,
        store,
        &facts,
        &categories,
        &row.coupon_codes,
        (customer_id, Some(buyer.email.clone()), buyer.phone.clone()),
        Some(destination.as_ref().unwrap_or(&pickup_probe)),
        Some(req.delivery_method_id),
    )
    .await?;
    if let Some(error) = priced.coupon_error {
        return Err(error);
    }
    if let Some(error) = priced.shipping_error {
        return Err(error);
    }
    let option = priced.shipping.clone().ok_or_else(unknown_method)?;
    let delivery = OrderDelivery {
        method_id: option.method_id.uuid(),
        kind: serde_json::to_value(option.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        name: option.name.clone(),
        fee: priced.shipping_fee,
        estimated_days: option.estimated_days,
    };
    let expires_at = Utc::now() + hold_time(svc, store).await?;
    let order_id = OrderId::new();
    let lines: Vec<(VariantId, i32)> = facts.iter().map(|f| (VariantId(f.variant_id), f.quantity)).collect();
    // Pricing above took its own connections; the transaction takes one now, holding no other.
    let mut conn = svc.core.pool.get().await?;
    let order = conn
        .transaction::<_, Error, _>(async |conn| {
            let claimed = diesel::update(
                carts::table
                    .filter(carts::store_id.eq(store.uuid()))
                    .filter(carts::id.eq(id.uuid()))
                    .filter(carts::status.eq("open")),
            )
            .set((
                carts::status.eq("checked_out"),
                carts::order_id.eq(order_id.uuid()),
                carts::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
            if claimed == 0 {
                return Err(Error::Conflict {
                    code: crate::problems::CART_CHECKED_OUT,
                    detail: "This cart became an order already.".into(),
                    field: None,
                });
            }
            let number: Number = diesel::sql_query(
                "INSERT INTO order_counters (store_id, last_number) VALUES ($1, 1001) \
                 ON CONFLICT (store_id) DO UPDATE SET last_number = order_counters.last_number + 1 \
                 RETURNING last_number",
            )
            .bind::<SqlUuid, _>(store.uuid())
            .get_result(conn)
            .await?;
            insert_order(
                conn,
                store,
                order_id,
                number.last_number,
                &row,
                customer_id,
                &buyer,
                &shipping_address,
                &delivery,
                &priced,
                &req,
                expires_at,
            )
            .await?;
            insert_lines(conn, store, order_id, &facts).await?;
            let placed = Step {
                from: None,
                to: OrderStatus::PendingPayment,
                actor: Actor::Customer,
                note: "Order placed.",
                tracking_code: None,
            };
            record(conn, store, order_id, placed).await?;
            coupons::redeem(conn, store, &priced.applied, order_id.uuid(), &priced.coupon_context).await?;
            let order = load(conn, store, order_id).await?;
            events::emit(conn, Some(store), &crate::orders::events::ORDER_CREATED, &order).await?;
            expiry::schedule(conn, store, order_id, expires_at).await?;
            // Last, so the variant rows stay locked only until the commit right after.
            stock::reserve(conn, store, &lines).await?;
            Ok(order)
        })
        .await?;
    cache::invalidate(&svc.core, store).await;
    Ok(order)
}

#[allow(clippy::too_many_arguments)]
async fn insert_order(
    conn: &mut diesel_async::AsyncPgConnection,
    store: StoreId,
    id: OrderId,
    number: i64,
    cart: &pricing::CartRow,
    customer_id: Option<CustomerId>,
    buyer: &Buyer,
    address: &Option<ShippingAddress>,
    delivery: &OrderDelivery,
    priced: &pricing::Priced,
    req: &Checkout,
    expires_at: chrono::DateTime<Utc>,
) -> Result<()> {
    let codes: Vec<String> = priced.applied.iter().map(|a| a.code.clone()).collect();
    diesel::insert_into(orders::table)
        .values((
            orders::store_id.eq(store.uuid()),
            orders::id.eq(id.uuid()),
            orders::number.eq(number),
            orders::status.eq(OrderStatus::PendingPayment.as_str()),
            orders::cart_id.eq(Some(cart.id)),
            orders::customer_id.eq(customer_id.map(CustomerId::uuid)),
            orders::customer_name.eq(&buyer.name),
            orders::customer_email.eq(&buyer.email),
            orders::customer_phone.eq(&buyer.phone),
            orders::customer_document.eq(&buyer.document),
            orders::shipping_address.eq(address
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(Error::internal)?),
            orders::delivery.eq(serde_json::to_value(delivery).map_err(Error::internal)?),
            orders::notes.eq(req.notes.clone().unwrap_or_default()),
            orders::currency.eq(priced.currency.code()),
            orders::subtotal_amount.eq(priced.subtotal.amount),
            orders::discount_amount.eq(priced.discount.amount),
            orders::shipping_amount.eq(priced.shipping_fee.amount),
            orders::total_amount.eq(priced.total.amount),
            orders::coupon_codes.eq(codes),
            orders::expires_at.eq(Some(expires_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_lines(
    conn: &mut diesel_async::AsyncPgConnection,
    store: StoreId,
    order: OrderId,
    facts: &[LineFacts],
) -> Result<()> {
    let rows: Vec<_> = facts
        .iter()
        .map(|f| {
            (
                order_lines::store_id.eq(store.uuid()),
                order_lines::id.eq(OrderLineId::new().uuid()),
                order_lines::order_id.eq(order.uuid()),
                order_lines::product_id.eq(f.product_id),
                order_lines::variant_id.eq(f.variant_id),
                order_lines::sku.eq(f.sku.clone()),
                order_lines::title.eq(f.title.clone()),
                order_lines::variant_title.eq(f.variant_title.clone()),
                order_lines::quantity.eq(f.quantity),
                order_lines::unit_price_amount.eq(f.price_amount),
                order_lines::total_amount.eq(f.price_amount.saturating_mul(i64::from(f.quantity))),
            )
        })
        .collect();
    diesel::insert_into(order_lines::table).values(rows).execute(conn).await?;
    Ok(())
}

/// How long an unpaid order of `store` holds its stock: the store's `unpaid_hold_minutes`, or
/// the platform's `BALCAO_ORDER_PAYMENT_TIMEOUT_SECS`.
async fn hold_time(svc: &PgCartService, store: StoreId) -> Result<chrono::Duration> {
    use balcao_core::tenancy::stores::{PgStoreService, StoreService};
    let minutes = PgStoreService::new(svc.core.clone()).get(store).await?.unpaid_hold_minutes;
    let default =
        chrono::Duration::from_std(svc.core.config.order_payment_timeout).unwrap_or(chrono::Duration::minutes(30));
    Ok(minutes.map_or(default, |m| chrono::Duration::minutes(i64::from(m))))
}
