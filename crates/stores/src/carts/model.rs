//! Cart and checkout API types.

use balcao_core::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::coupons::AppliedCoupon;
use crate::ids::{CartId, CartItemId, DeliveryZoneId, ProductId, VariantId};
use crate::orders::Order;
use crate::shipping::{Coordinates, ShippingOption};

/// `POST /v1/storefront/{slug}/carts`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreateCart {
    /// The shopper's email (per-customer coupon limits use it for guests).
    pub email: Option<String>,
    /// The shopper's phone.
    pub phone: Option<String>,
}

/// `POST .../carts/{cart_id}/items`: adds units (or more units of a line already there).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AddItem {
    /// The variant.
    pub variant_id: VariantId,
    /// Units, 1 to 999 (default 1).
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: Option<i32>,
}

/// `PATCH .../carts/{cart_id}/items/{item_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateItem {
    /// New number of units, 1 to 999 (absent: the line stays as it is).
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: Option<i32>,
}

/// `POST .../carts/{cart_id}/coupon`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApplyCoupon {
    /// The coupon code (case-insensitive).
    pub code: String,
}

/// Where the cart is going, for shipping quotes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CartShippingInput {
    /// CEP.
    pub cep: String,
    /// Neighbourhood (for zones by neighbourhood).
    pub neighborhood: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Coordinates (for zones by radius).
    pub coordinates: Option<Coordinates>,
    /// The chosen delivery method (a delivery zone id).
    pub delivery_method_id: Option<DeliveryZoneId>,
}

/// `PATCH .../carts/{cart_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateCart {
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Shipping destination and method.
    pub shipping: Option<CartShippingInput>,
}

/// What changed on a line since the shopper last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    /// The price is not what it was.
    PriceChanged,
    /// No unit can be bought now.
    OutOfStock,
    /// Fewer units are available than the line asks for.
    InsufficientStock,
    /// The product left the storefront.
    Unavailable,
}

/// A cart line, priced from the current catalog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CartLine {
    /// The line's id.
    pub id: CartItemId,
    /// Variant.
    pub variant_id: VariantId,
    /// Product.
    pub product_id: ProductId,
    /// Product title.
    pub title: String,
    /// Variant label.
    pub variant_title: String,
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: i32,
    /// Current unit price.
    pub unit_price: Money,
    /// `unit_price * quantity` (0 when the line cannot be bought).
    pub line_total: Money,
    /// Units that can be bought now.
    pub available_quantity: i32,
    /// What changed since the last look.
    pub changes: Vec<LineChange>,
    /// The price seen before, when it changed.
    pub previous_unit_price: Option<Money>,
}

/// A problem with part of the cart, reported without failing the read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CartNotice {
    /// Stable code (a coupon rejection code, `delivery_method_unavailable`, ...).
    pub code: String,
    /// Explanation.
    pub detail: String,
}

/// The cart's shipping state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CartShipping {
    /// CEP, formatted.
    pub cep: String,
    /// Neighbourhood.
    pub neighborhood: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Coordinates.
    pub coordinates: Option<Coordinates>,
    /// The chosen method, priced now.
    pub option: Option<ShippingOption>,
    /// Why the chosen method cannot serve the cart, when it cannot.
    pub notice: Option<CartNotice>,
}

/// A cart, recomputed from the current catalog on every read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Cart {
    /// The cart's id (unguessable: keep it private).
    pub id: CartId,
    /// `open` or `checked_out`.
    pub status: String,
    /// Lines.
    pub items: Vec<CartLine>,
    /// Coupon codes applied.
    pub coupon_codes: Vec<String>,
    /// Coupons that hold now, with their discounts.
    pub applied_coupons: Vec<AppliedCoupon>,
    /// Why an applied coupon no longer holds.
    pub coupon_notice: Option<CartNotice>,
    /// Shipping destination and method.
    pub shipping: Option<CartShipping>,
    /// Units that can be bought.
    pub item_count: i32,
    /// Sum of the lines that can be bought.
    pub subtotal: Money,
    /// Coupon discount.
    pub discount: Money,
    /// Shipping fee of the chosen method.
    pub shipping_fee: Money,
    /// `subtotal - discount + shipping_fee`.
    pub total: Money,
    /// Email given.
    pub email: Option<String>,
    /// When the cart expires if left untouched.
    pub expires_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The buyer at checkout.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CheckoutCustomer {
    /// Name, 1 to 200 characters.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone (normalised to E.164).
    pub phone: Option<String>,
    /// CPF or CNPJ.
    pub document: Option<String>,
}

/// The delivery address at checkout.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CheckoutAddress {
    /// Who receives it (default: the customer).
    pub recipient: Option<String>,
    /// CEP.
    pub cep: String,
    /// Street.
    pub street: String,
    /// Number.
    pub number: String,
    /// Complement.
    pub complement: Option<String>,
    /// Neighbourhood.
    pub neighborhood: String,
    /// City.
    pub city: String,
    /// State (UF).
    pub state: String,
}

/// `POST .../carts/{cart_id}/checkout` (send an `Idempotency-Key`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Checkout {
    /// The buyer.
    pub customer: CheckoutCustomer,
    /// Where to deliver (not needed for pickup).
    pub shipping_address: Option<CheckoutAddress>,
    /// The delivery method (a delivery zone id from the shipping quote).
    pub delivery_method_id: DeliveryZoneId,
    /// Coordinates of the address (for zones by radius).
    pub coordinates: Option<Coordinates>,
    /// A note for the store.
    pub notes: Option<String>,
    /// Start paying with the order: `pix`, `boleto` or `card` (the response then carries `payment`).
    #[serde(default)]
    pub payment_method: Option<CheckoutPaymentMethod>,
    /// Cards through PagBank: the card as the provider's browser SDK encrypted it (only with `card`).
    #[serde(default)]
    pub card_token: Option<String>,
}

/// How the shopper pays, chosen at checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckoutPaymentMethod {
    /// PIX: a BR Code ("copia e cola") and its QR code.
    Pix,
    /// Boleto bancário.
    Boleto,
    /// Card, through the provider's own elements.
    Card,
}

impl CheckoutPaymentMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pix => "pix",
            Self::Boleto => "boleto",
            Self::Card => "card",
        }
    }
}

/// Why the payment asked for at checkout did not start; the order stands and can be paid later
/// through `POST /v1/storefront/{slug}/carts/{cart_id}/payments`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckoutPaymentError {
    /// The problem's stable code (`provider_refused`, `service_unavailable`, ...).
    pub code: String,
    /// Explanation.
    pub detail: String,
}

/// `POST .../carts/{cart_id}/checkout`: the order placed, with the payment started for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlacedOrder {
    /// The order (its fields at the top level).
    #[serde(flatten)]
    pub order: Order,
    /// The payment with its instructions, when `payment_method` was given and it started.
    #[schema(schema_with = payment_schema)]
    pub payment: Option<serde_json::Value>,
    /// Why the payment did not start, when `payment_method` was given and it did not.
    pub payment_error: Option<CheckoutPaymentError>,
}

/// `payment` is the payments API's `Payment` (or null); balcao-stores only refers to it by name.
fn payment_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{Object, OneOfBuilder, Schema, Type};
    let one_of = OneOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name("Payment"))
        .item(Object::with_type(Type::Null))
        .description(Some("The payment with its instructions, when `payment_method` was given and it started."));
    Schema::OneOf(one_of.build())
}
