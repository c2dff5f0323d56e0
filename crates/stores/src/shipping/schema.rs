//! Diesel table definition for `delivery_zones`.
// Written by hand to match migrations/2026-11-29-000003_delivery_zones.

diesel::table! {
    /// A store's delivery zones (shipping methods).
    delivery_zones (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        name -> Text,
        kind -> Text,
        active -> Bool,
        position -> Int4,
        fee_amount -> Int8,
        free_above_amount -> Nullable<Int8>,
        minimum_order_amount -> Nullable<Int8>,
        estimated_days -> Nullable<Int4>,
        rules -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}
