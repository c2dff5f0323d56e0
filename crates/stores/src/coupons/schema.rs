//! Diesel tables of coupons, written by hand to match migrations/2026-11-29-000004_coupons.

diesel::table! {
    coupons (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        code -> Text,
        kind -> Text,
        percent_bps -> Nullable<Int4>,
        amount -> Nullable<Int8>,
        currency -> Text,
        minimum_subtotal_amount -> Nullable<Int8>,
        minimum_item_count -> Nullable<Int4>,
        product_ids -> Array<Uuid>,
        category_ids -> Array<Uuid>,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        usage_limit -> Nullable<Int4>,
        per_customer_limit -> Nullable<Int4>,
        combinable -> Bool,
        active -> Bool,
        times_used -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    coupon_redemptions (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        coupon_id -> Uuid,
        order_id -> Uuid,
        customer_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}
