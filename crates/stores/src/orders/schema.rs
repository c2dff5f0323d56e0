//! Diesel tables for carts and orders (migrations/2026-11-29-000005_orders).

diesel::table! {
    carts (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        customer_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        coupon_codes -> Array<Text>,
        cep -> Nullable<Text>,
        neighborhood -> Nullable<Text>,
        city -> Nullable<Text>,
        lat -> Nullable<Float8>,
        lng -> Nullable<Float8>,
        delivery_zone_id -> Nullable<Uuid>,
        status -> Text,
        order_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    cart_items (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        cart_id -> Uuid,
        variant_id -> Uuid,
        quantity -> Int4,
        seen_price_amount -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    order_counters (store_id) {
        store_id -> Uuid,
        last_number -> Int8,
    }
}

diesel::table! {
    orders (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        number -> Int8,
        status -> Text,
        payment_status -> Text,
        cart_id -> Nullable<Uuid>,
        customer_id -> Nullable<Uuid>,
        customer_name -> Text,
        customer_email -> Text,
        customer_phone -> Nullable<Text>,
        customer_document -> Nullable<Text>,
        shipping_address -> Nullable<Jsonb>,
        delivery -> Jsonb,
        notes -> Text,
        currency -> Text,
        subtotal_amount -> Int8,
        discount_amount -> Int8,
        shipping_amount -> Int8,
        total_amount -> Int8,
        coupon_codes -> Array<Text>,
        tracking_code -> Nullable<Text>,
        expires_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    order_lines (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        order_id -> Uuid,
        product_id -> Uuid,
        variant_id -> Uuid,
        sku -> Text,
        title -> Text,
        variant_title -> Text,
        quantity -> Int4,
        unit_price_amount -> Int8,
        total_amount -> Int8,
    }
}

diesel::table! {
    order_timeline (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        order_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor -> Text,
        actor_id -> Nullable<Uuid>,
        note -> Text,
        tracking_code -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(carts, cart_items, orders, order_lines, order_timeline);
use crate::schema::{products, variants};
diesel::allow_tables_to_appear_in_same_query!(cart_items, variants);
diesel::allow_tables_to_appear_in_same_query!(cart_items, products);
