//! Diesel table definitions for the tables balcao-stores owns.
// Written by hand to match migrations/2026-11-29-000002_catalog. `products.search_document`
// is generated in PostgreSQL and only used through SQL fragments, so it is not listed.

diesel::table! {
    categories (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        name -> Text,
        slug -> Text,
        description -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    products (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        title -> Text,
        slug -> Text,
        description -> Text,
        status -> Text,
        tags -> Array<Text>,
        options -> Jsonb,
        currency -> Text,
        min_price_amount -> Int8,
        max_price_amount -> Int8,
        in_stock -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    product_categories (store_id, product_id, category_id) {
        store_id -> Uuid,
        product_id -> Uuid,
        category_id -> Uuid,
    }
}

diesel::table! {
    product_images (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        product_id -> Uuid,
        url -> Text,
        alt -> Text,
        position -> Int4,
    }
}

diesel::table! {
    variants (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        product_id -> Uuid,
        sku -> Text,
        title -> Text,
        option_values -> Array<Text>,
        price_amount -> Int8,
        compare_at_amount -> Nullable<Int8>,
        cost_amount -> Nullable<Int8>,
        weight_grams -> Int4,
        barcode -> Nullable<Text>,
        position -> Int4,
        on_hand -> Int4,
        reserved -> Int4,
        low_stock_threshold -> Nullable<Int4>,
        low_stock_alerted -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    inventory_adjustments (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        variant_id -> Uuid,
        delta -> Int4,
        reason -> Text,
        note -> Text,
        on_hand_after -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    customers (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        document_kind -> Nullable<Text>,
        document -> Nullable<Text>,
        tags -> Array<Text>,
        notes -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    customer_addresses (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        customer_id -> Uuid,
        label -> Text,
        recipient -> Text,
        cep -> Text,
        street -> Text,
        number -> Text,
        complement -> Text,
        neighborhood -> Text,
        city -> Text,
        state -> Text,
        is_default -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    customer_consents (store_id, id) {
        store_id -> Uuid,
        id -> Uuid,
        customer_id -> Uuid,
        channel -> Text,
        purpose -> Text,
        granted -> Bool,
        source -> Text,
        text_version -> Text,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    wishlist_items (store_id, customer_id, variant_id) {
        store_id -> Uuid,
        customer_id -> Uuid,
        variant_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    categories,
    products,
    product_categories,
    product_images,
    variants,
    inventory_adjustments,
    customers,
    customer_addresses,
    customer_consents,
    wishlist_items,
);

diesel::define_sql_function! {
    /// Accent folding and lowercasing, as indexed (`balcao_fold(text)` in the migration).
    fn balcao_fold(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
