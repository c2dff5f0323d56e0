//! Validation of product input: options, variants, prices, images.

use std::collections::HashSet;

use balcao_core::error::{FieldError, Validator};
use balcao_core::money::{Currency, Money};

use super::model::{NewImage, NewVariant, ProductOption, UpdateVariant};

/// Largest price accepted, in minor units (R$ 10 million).
pub const MAX_PRICE: i64 = balcao_core::money::MAX_INPUT_AMOUNT;

/// Most units a variant holds on hand (stock arithmetic stays far from `i32::MAX`).
pub const MAX_STOCK: i32 = 1_000_000_000;

/// Checks product options: at most 3, named, each with distinct values.
pub fn options(v: &mut Validator, options: &[ProductOption]) {
    v.check(options.len() <= 3, "options", "too_many", "at most 3 options");
    let mut names = HashSet::new();
    for (i, option) in options.iter().enumerate() {
        v.length(&option.name, &format!("options[{i}].name"), 1, 40);
        v.check(
            names.insert(option.name.trim().to_lowercase()),
            &format!("options[{i}].name"),
            "duplicate",
            "names must differ",
        );
        v.check(!option.values.is_empty(), &format!("options[{i}].values"), "required", "needs at least one value");
        let mut seen = HashSet::new();
        for (j, value) in option.values.iter().enumerate() {
            v.length(value, &format!("options[{i}].values[{j}]"), 1, 60);
            v.check(
                seen.insert(value.trim().to_lowercase()),
                &format!("options[{i}].values[{j}]"),
                "duplicate",
                "values must differ",
            );
        }
    }
}

/// Checks a money field against the store's currency and the price range.
pub fn price(v: &mut Validator, field: &str, money: &Money, currency: Currency) {
    v.check(money.currency == currency, field, "currency_mismatch", &format!("must be in {}", currency.code()));
    v.check((0..=MAX_PRICE).contains(&money.amount), field, "out_of_range", "must be between 0 and 1000000000");
}

/// Checks that option values fit the options.
pub fn option_values(v: &mut Validator, field: &str, values: &[String], options: &[ProductOption]) {
    if values.len() != options.len() {
        v.push(FieldError::new(
            field,
            "option_mismatch",
            format!("needs one value for each of the {} options", options.len()),
        ));
        return;
    }
    for (k, (value, option)) in values.iter().zip(options).enumerate() {
        v.check(
            option.values.iter().any(|o| o == value),
            &format!("{field}[{k}]"),
            "unknown_option_value",
            &format!("`{value}` is not a value of option `{}`", option.name),
        );
    }
}

/// Checks a new variant at `prefix` (e.g. `variants[2]`).
pub fn new_variant(
    v: &mut Validator,
    prefix: &str,
    variant: &NewVariant,
    options: &[ProductOption],
    currency: Currency,
) {
    sku(v, &format!("{prefix}sku"), &variant.sku);
    option_values(v, &format!("{prefix}option_values"), &variant.option_values, options);
    price(v, &format!("{prefix}price"), &variant.price, currency);
    if let Some(compare) = &variant.compare_at_price {
        price(v, &format!("{prefix}compare_at_price"), compare, currency);
        v.check(
            compare.amount > variant.price.amount,
            &format!("{prefix}compare_at_price"),
            "not_above_price",
            "must be above the price",
        );
    }
    if let Some(cost) = &variant.cost {
        price(v, &format!("{prefix}cost"), cost, currency);
    }
    v.check(
        variant.weight_grams.unwrap_or(0) >= 0,
        &format!("{prefix}weight_grams"),
        "negative",
        "must not be negative",
    );
    stock(v, &format!("{prefix}on_hand"), variant.on_hand);
    stock(v, &format!("{prefix}low_stock_threshold"), variant.low_stock_threshold);
    if let Some(barcode) = &variant.barcode {
        v.length(barcode, &format!("{prefix}barcode"), 1, 64);
    }
    if let Some(title) = &variant.title {
        v.length(title, &format!("{prefix}title"), 1, 200);
    }
}

/// Checks a variant patch.
pub fn update_variant(v: &mut Validator, req: &UpdateVariant, options: &[ProductOption], currency: Currency) {
    if let Some(s) = &req.sku {
        sku(v, "sku", s);
    }
    if let Some(values) = &req.option_values {
        option_values(v, "option_values", values, options);
    }
    if let Some(p) = &req.price {
        price(v, "price", p, currency);
    }
    if let Some(Some(p)) = &req.compare_at_price {
        price(v, "compare_at_price", p, currency);
    }
    if let Some(Some(p)) = &req.cost {
        price(v, "cost", p, currency);
    }
    v.check(req.weight_grams.unwrap_or(0) >= 0, "weight_grams", "negative", "must not be negative");
    stock(v, "low_stock_threshold", req.low_stock_threshold.flatten());
}

/// Checks a number of units: 0 to [`MAX_STOCK`].
fn stock(v: &mut Validator, field: &str, units: Option<i32>) {
    let units = units.unwrap_or(0);
    v.check(units >= 0, field, "negative", "must not be negative");
    v.check(units <= MAX_STOCK, field, "out_of_range", &format!("must be at most {MAX_STOCK}"));
}

fn sku(v: &mut Validator, field: &str, sku: &str) {
    v.length(sku, field, 1, 64);
    v.check(!sku.chars().any(char::is_whitespace), field, "invalid_format", "must not contain spaces");
}

/// Checks image URLs.
pub fn images(v: &mut Validator, images: &[NewImage]) {
    v.check(images.len() <= 50, "images", "too_many", "at most 50 images");
    for (i, image) in images.iter().enumerate() {
        let ok = (image.url.starts_with("https://") || image.url.starts_with("http://"))
            && image.url.len() <= 2048
            && !image.url.chars().any(char::is_whitespace);
        v.check(ok, &format!("images[{i}].url"), "invalid_url", "must be an http(s) URL up to 2048 characters");
        if let Some(alt) = &image.alt {
            v.check(
                alt.chars().count() <= 300,
                &format!("images[{i}].alt"),
                "too_long",
                "must be at most 300 characters",
            );
        }
    }
}

/// Checks tags: at most 30, each 1 to 40 characters.
pub fn tags(v: &mut Validator, tags: &[String]) {
    v.check(tags.len() <= 30, "tags", "too_many", "at most 30 tags");
    for (i, tag) in tags.iter().enumerate() {
        v.length(tag, &format!("tags[{i}]"), 1, 40);
    }
}

/// Normalises tags: trimmed, lowercase, without duplicates, in order.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    tags.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty() && seen.insert(t.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size() -> Vec<ProductOption> {
        vec![ProductOption { name: "Tamanho".into(), values: vec!["P".into(), "M".into()] }]
    }

    #[test]
    fn variant_errors_are_named_with_their_index() {
        let variant = NewVariant {
            sku: "A 1".into(),
            title: None,
            option_values: vec!["G".into()],
            price: Money::new(100, Currency::USD),
            compare_at_price: Some(Money::brl(50)),
            cost: None,
            weight_grams: Some(-1),
            barcode: None,
            on_hand: None,
            low_stock_threshold: None,
        };
        let mut v = Validator::new();
        new_variant(&mut v, "variants[1].", &variant, &size(), Currency::BRL);
        let Err(balcao_core::Error::Validation(errors)) = v.finish() else { panic!("expected errors") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"variants[1].sku"), "{fields:?}");
        assert!(fields.contains(&"variants[1].option_values[0]"), "{fields:?}");
        assert!(fields.contains(&"variants[1].price"), "{fields:?}");
        assert!(fields.contains(&"variants[1].compare_at_price"), "{fields:?}");
        assert!(fields.contains(&"variants[1].weight_grams"), "{fields:?}");
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(normalize_tags(&[" Verão ".into(), "verão".into(), "".into()]), vec!["verão".to_owned()]);
    }
}
