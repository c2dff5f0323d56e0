//! Orders in every status over the last 60 days: placed through storefront carts, paid through
//! the sandbox provider, moved along by staff, some refunded, then dated back.

use std::collections::{BTreeMap, HashMap, HashSet};

use balcao_core::money::Currency;
use balcao_core::{Error, Result};
use balcao_payments::payments::model::{CreatePayment, Method, Simulate};
use balcao_payments::refunds::model::CreateRefund;
use balcao_stores::carts::{AddItem, ApplyCoupon, Cart, Checkout, CheckoutAddress, CheckoutCustomer, CreateCart};
use balcao_stores::catalog::Product;
use balcao_stores::customers::Customer;
use balcao_stores::ids::{DeliveryZoneId, VariantId};
use balcao_stores::orders::{Actor, Order, OrderFilter, OrderStatus, Transition};
use balcao_stores::shipping::{QuoteParams, ZoneKind};
use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::catalog_data::LOW_STOCK;
use super::selling::PICKUP;
use super::{DEMO_SLUG, Demo, all};

use OrderStatus::*;

/// Days ago and final status of each demo order, oldest first.
#[rustfmt::skip]
const PLAN: [(i64, OrderStatus); 40] = [
    (59, Delivered), (57, Delivered), (55, Cancelled), (54, Delivered), (52, Refunded), (50, Delivered),
    (48, Delivered), (46, PartiallyRefunded), (45, Delivered), (43, Delivered), (41, Cancelled), (39, Delivered),
    (37, Delivered), (35, Delivered), (33, Refunded), (31, Delivered), (29, Delivered), (27, Delivered),
    (25, PartiallyRefunded), (23, Delivered), (21, Delivered), (19, Cancelled), (17, Delivered), (15, Delivered),
    (13, Delivered), (11, Delivered), (9, Delivered), (8, Shipped), (7, Delivered), (6, Shipped),
    (5, Shipped), (4, Shipped), (3, Preparing), (2, Preparing), (2, Paid), (1, Paid),
    (1, Cancelled), (0, Paid), (0, PendingPayment), (0, PendingPayment),
];

/// The note that marks the `index`th demo order (and lets a later run find it).
fn marker(index: usize) -> String {
    format!("Pedido de demonstração {:02}", index + 1)
}

/// Places the orders an earlier run did not; returns every demo order's id by status.
pub async fn seed(
    demo: &mut Demo,
    products: &[Product],
    customers: &[Customer],
    zones: &HashMap<String, DeliveryZoneId>,
) -> Result<BTreeMap<String, Vec<String>>> {
    let svc = &demo.state.stores.orders;
    let store = demo.store;
    let listed = all(async |page| {
        svc.list(store, OrderFilter { limit: page.limit, cursor: page.cursor, ..Default::default() }).await
    })
    .await?;
    let mut existing: HashMap<String, Order> = listed.into_iter().map(|o| (o.notes.clone(), o)).collect();
    // Low-stock products stay low: orders buy only what is well stocked.
    let stocked: Vec<&Product> = products
        .iter()
        .filter(|p| p.variants.iter().all(|v| v.inventory.available > 2 * LOW_STOCK) && p.in_stock)
        .filter(|p| p.status == balcao_stores::catalog::ProductStatus::Active)
        .collect();
    if stocked.is_empty() || customers.is_empty() {
        return Err(Error::internal("the demo catalog has nothing in stock to order"));
    }
    let mut welcomed = HashSet::new();
    let mut left = HashMap::new();
    let mut orders = Vec::new();
    for (index, &(days, status)) in PLAN.iter().enumerate() {
        let order = match existing.remove(&marker(index)) {
            Some(order) => order,
            None => {
                let customer = &customers[(index * 5) % customers.len()];
                let welcome = welcomed.insert(customer.id);
                let order = place(demo, index, &stocked, customer, zones, welcome, &mut left).await?;
                let order = advance(demo, index, order, status).await?;
                let placed_at = placed_at(index, days, status);
                balcao_stores::orders::backdate::backdate(
                    &demo.state.core,
                    store,
                    order.id,
                    placed_at,
                    Duration::hours(20),
                )
                .await?;
                order
            }
        };
        orders.push((order.id, order.status));
    }
    let payments = &demo.state.payments.payments;
    let paid = all(async |page| payments.list(store, &page).await).await?;
    let mut refunds = Vec::new();
    for payment in paid.iter().filter(|p| p.refunded_amount > 0) {
        refunds.extend(payments.refunds(store, payment.id).await?.into_iter().map(|r| r.id));
    }
    for payment in &paid {
        demo.record("payments", payment.id);
    }
    for refund in refunds {
        demo.record("refunds", refund);
    }
    let mut by_status: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, status) in orders {
        demo.record("orders", id);
        by_status.entry(status.as_str().to_owned()).or_default().push(id.to_string());
    }
    Ok(by_status)
}

/// When the `index`th order was placed: `days` ago during shop hours (9h to 21h in São Paulo,
/// 12h to 24h UTC), never later than a few minutes ago; pending orders within their payment window.
fn placed_at(index: usize, days: i64, status: OrderStatus) -> DateTime<Utc> {
    let now = Utc::now();
    let i = index as i64;
    if status == PendingPayment {
        return now - Duration::minutes(5 + 7 * (i % 3));
    }
    let midnight = (now - Duration::days(days)).date_naive().and_time(NaiveTime::MIN).and_utc();
    let at = midnight + Duration::hours(12 + (i * 5) % 12) + Duration::minutes((i * 17) % 60);
    at.min(now - Duration::minutes(20 + i % 30))
}

/// Places the `index`th order through a storefront cart, as its customer would.
async fn place(
    demo: &Demo,
    index: usize,
    stocked: &[&Product],
    customer: &Customer,
    zones: &HashMap<String, DeliveryZoneId>,
    welcome: bool,
    left: &mut HashMap<VariantId, i32>,
) -> Result<Order> {
    let carts = &demo.state.stores.carts;
    let slug = DEMO_SLUG;
    let email = customer.email.clone().unwrap_or_default();
    let cart = carts.create(slug, Some(customer.id), CreateCart { email: Some(email.clone()), phone: None }).await?;
    let mut priced = cart.clone();
    for line in 0..=(index % 3) {
        let product = stocked[(index * 7 + line * 11) % stocked.len()];
        let quantity = 1 + ((index + line) % 2) as i32;
        // The first variant (from a rotating start) with the units left, so nothing sells out.
        let count = product.variants.len();
        let Some(variant) = (0..count)
            .map(|k| &product.variants[(index + line + k) % count])
            .find(|v| left.get(&v.id).copied().unwrap_or(v.inventory.available) - quantity > LOW_STOCK)
        else {
            continue;
        };
        *left.entry(variant.id).or_insert(variant.inventory.available) -= quantity;
        priced = carts.add_item(slug, cart.id, AddItem { variant_id: variant.id, quantity: Some(quantity) }).await?;
    }
    for code in coupons_for(index, welcome, &priced) {
        let applied = carts.apply_coupon(slug, cart.id, ApplyCoupon { code: code.into() }).await?;
        priced = if applied.coupon_notice.is_some() { carts.remove_coupons(slug, cart.id).await? } else { applied };
    }
    let address = customer.addresses.first().ok_or_else(|| Error::internal("a demo customer has no address"))?;
    let pickup = index % 8 == 3;
    let delivery_method_id = if pickup {
        *zones.get(PICKUP).ok_or_else(|| Error::internal("the pickup zone is missing"))?
    } else {
        let params = QuoteParams {
            cep: address.cep.clone(),
            neighborhood: Some(address.neighborhood.clone()),
            city: Some(address.city.clone()),
            subtotal: Some(priced.subtotal.amount),
            ..Default::default()
        };
        let quote = demo.state.stores.delivery.quote(demo.store, &params.into_request(Currency::BRL)?).await?;
        let delivered = quote.options.iter().find(|o| o.kind != ZoneKind::Pickup);
        delivered.map(|o| o.method_id).ok_or_else(|| Error::internal("no zone delivers to a demo address"))?
    };
    let checkout = Checkout {
        customer: CheckoutCustomer {
            name: customer.name.clone(),
            email,
            phone: customer.phone.clone(),
            document: customer.document.as_ref().map(|d| d.value.clone()),
        },
        shipping_address: (!pickup).then(|| CheckoutAddress {
            recipient: Some(address.recipient.clone()),
            cep: address.cep.clone(),
            street: address.street.clone(),
            number: address.number.clone(),
            complement: Some(address.complement.clone()).filter(|c| !c.is_empty()),
            neighborhood: address.neighborhood.clone(),
            city: address.city.clone(),
            state: address.state.clone(),
        }),
        delivery_method_id,
        coordinates: None,
        notes: Some(marker(index)),
        payment_method: None,
        card_token: None,
    };
    carts.checkout(slug, cart.id, Some(customer.id), checkout).await
}

/// The coupons the `index`th order tries, when its cart qualifies.
fn coupons_for(index: usize, welcome: bool, cart: &Cart) -> Vec<&'static str> {
    let subtotal = cart.subtotal.amount;
    let mut codes = Vec::new();
    if welcome && index.is_multiple_of(4) {
        codes.push("BEMVINDO10");
    } else if index % 6 == 4 && subtotal >= 15000 {
        codes.push("DESCONTO20");
    }
    if index % 6 == 1 && subtotal >= 14900 {
        codes.push("FRETEGRATIS");
    }
    codes.truncate(1);
    codes
}

/// Moves a placed order to `status`: paid through the sandbox, then along by staff, refunds last.
async fn advance(demo: &Demo, index: usize, order: Order, status: OrderStatus) -> Result<Order> {
    let payments = &demo.state.payments.payments;
    let staff = Actor::Staff(demo.user.uuid());
    let move_to = async |to: OrderStatus, note: &str, tracking_code: Option<String>| {
        let req = Transition { to, note: Some(note.into()), tracking_code };
        demo.state.stores.orders.transition(demo.store, order.id, staff, req).await
    };
    let method = match index % 7 {
        2 => Method::Boleto,
        6 => Method::Card,
        _ => Method::Pix,
    };
    if status == Cancelled {
        return move_to(Cancelled, "Cliente desistiu da compra pelo WhatsApp.", None).await;
    }
    if status == PendingPayment && index.is_multiple_of(2) {
        return Ok(order);
    }
    let key = format!("demo-payment-{index:02}");
    let payment =
        payments.create(demo.store, order.id.uuid(), CreatePayment { method, card_token: None }, &key).await?;
    if status == PendingPayment {
        return Ok(order);
    }
    payments.simulate(demo.store, payment.id, Simulate { outcome: "paid".into() }).await?;
    let path: &[OrderStatus] = match status {
        Paid => &[],
        Preparing => &[Preparing],
        Shipped => &[Preparing, Shipped],
        _ => &[Preparing, Shipped, Delivered],
    };
    let mut current = demo.state.stores.orders.get(demo.store, order.id).await?;
    for &to in path {
        let (note, tracking) = match to {
            Preparing => ("Separando os itens.", None),
            Shipped => ("Enviado pelos Correios.", Some(format!("QB{:09}BR", 100_000_000 + index * 7919))),
            _ => ("Entregue ao destinatário.", None),
        };
        current = move_to(to, note, tracking).await?;
    }
    let refund = match status {
        Refunded => Some(CreateRefund { amount: None, reason: "Produto chegou com defeito.".into() }),
        PartiallyRefunded => {
            Some(CreateRefund { amount: Some(current.total.amount / 3), reason: "Um dos itens foi devolvido.".into() })
        }
        _ => None,
    };
    if let Some(req) = refund {
        payments.refund(demo.store, payment.id, req, &format!("demo-refund-{index:02}")).await?;
        current = demo.state.stores.orders.get(demo.store, order.id).await?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_covers_every_status_within_60_days_oldest_first() {
        for status in [PendingPayment, Paid, Preparing, Shipped, Delivered, Cancelled, Refunded, PartiallyRefunded] {
            assert!(PLAN.iter().any(|(_, s)| *s == status), "{status:?}");
        }
        assert!(PLAN.windows(2).all(|w| w[0].0 >= w[1].0));
        assert!(PLAN.iter().all(|(days, _)| (0..60).contains(days)));
    }
}
