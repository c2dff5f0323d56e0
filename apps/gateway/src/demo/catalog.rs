//! Categories and products with variants, images and stock.

use std::collections::HashMap;

use balcao_core::Result;
use balcao_core::money::Money;
use balcao_stores::catalog::{
    Audience, CreateCategory, CreateProduct, NewImage, NewVariant, Product, ProductFilter, ProductOption, ProductStatus,
};
use balcao_stores::ids::CategoryId;

use super::catalog_data::{CATEGORIES, LOW_STOCK, PRODUCTS, ProductSeed};
use super::{Demo, all};

/// Creates the categories an earlier run did not; returns their ids by slug.
pub async fn seed_categories(demo: &mut Demo) -> Result<HashMap<&'static str, CategoryId>> {
    let svc = &demo.state.stores.categories;
    let existing: HashMap<String, CategoryId> =
        svc.all(demo.store).await?.into_iter().map(|c| (c.slug, c.id)).collect();
    let mut ids = HashMap::new();
    for (position, &(slug, name, parent, description)) in (0i32..).zip(CATEGORIES) {
        let id = match existing.get(slug) {
            Some(id) => *id,
            None => {
                let req = CreateCategory {
                    name: name.into(),
                    slug: Some(slug.into()),
                    parent_id: parent.and_then(|p| ids.get(p).copied()),
                    description: Some(description.into()),
                    position: Some(position),
                };
                svc.create(demo.store, req).await?.id
            }
        };
        ids.insert(slug, id);
    }
    for (slug, ..) in CATEGORIES {
        if let Some(id) = ids.get(slug) {
            demo.record("categories", id);
        }
    }
    Ok(ids)
}

/// Creates the products an earlier run did not; returns all 30 in catalog order.
pub async fn seed_products(demo: &mut Demo, categories: &HashMap<&'static str, CategoryId>) -> Result<Vec<Product>> {
    let svc = &demo.state.stores.products;
    let store = demo.store;
    let listed = all(async |page| {
        let filter = ProductFilter { limit: page.limit, cursor: page.cursor, ..Default::default() };
        svc.list(store, filter, Audience::Staff).await
    })
    .await?;
    let mut existing: HashMap<String, Product> = listed.into_iter().map(|p| (p.slug.clone(), p)).collect();
    let mut products = Vec::with_capacity(PRODUCTS.len());
    for (index, seed) in PRODUCTS.iter().enumerate() {
        let product = match existing.remove(seed.slug) {
            Some(product) => product,
            None => svc.create(store, Some(demo.user), new_product(index, seed, categories)).await?,
        };
        products.push(product);
    }
    for product in &products {
        demo.record("products", product.id);
        for variant in &product.variants {
            demo.record("variants", variant.id);
        }
    }
    Ok(products)
}

/// The create request for the `index`th product.
fn new_product(index: usize, seed: &ProductSeed, categories: &HashMap<&'static str, CategoryId>) -> CreateProduct {
    let images = (1..=2)
        .map(|n| NewImage {
            url: format!("https://picsum.photos/seed/{}-{n}/800/800", seed.slug),
            alt: Some(format!("{} (foto {n})", seed.title)),
        })
        .collect();
    let variants = combinations(seed.options)
        .into_iter()
        .enumerate()
        .map(|(n, option_values)| NewVariant {
            sku: format!("EMP-{:03}-{:02}", index + 1, n + 1),
            title: None,
            option_values,
            price: Money::brl(seed.price),
            compare_at_price: seed.compare_at.map(Money::brl),
            cost: Some(Money::brl(seed.price * 45 / 100)),
            weight_grams: Some(seed.weight),
            barcode: None,
            on_hand: Some(seed.stock),
            low_stock_threshold: Some(LOW_STOCK),
        })
        .collect();
    CreateProduct {
        title: seed.title.into(),
        slug: Some(seed.slug.into()),
        description: Some(seed.description.into()),
        status: Some(if seed.active { ProductStatus::Active } else { ProductStatus::Draft }),
        tags: seed.tags.iter().map(|t| (*t).to_owned()).collect(),
        options: seed
            .options
            .iter()
            .map(|(name, values)| ProductOption {
                name: (*name).into(),
                values: values.iter().map(|v| (*v).to_owned()).collect(),
            })
            .collect(),
        category_ids: categories.get(seed.category).copied().into_iter().collect(),
        images,
        variants,
    }
}

/// Every combination of one value per option, in order (one empty combination for no options).
fn combinations(options: &[(&str, &[&str])]) -> Vec<Vec<String>> {
    options.iter().fold(vec![Vec::new()], |acc, (_, values)| {
        acc.iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push((*v).to_owned());
                    next
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_cover_every_value_pair_in_order() {
        let options: &[(&str, &[&str])] = &[("Tamanho", &["P", "M"]), ("Cor", &["Azul", "Verde"])];
        let got = combinations(options);
        assert_eq!(got, [["P", "Azul"], ["P", "Verde"], ["M", "Azul"], ["M", "Verde"]]);
        assert_eq!(combinations(&[]), vec![Vec::<String>::new()]);
    }

    #[test]
    fn the_catalog_has_30_unique_slugs_and_some_low_stock() {
        let slugs: std::collections::HashSet<_> = PRODUCTS.iter().map(|p| p.slug).collect();
        assert_eq!(slugs.len(), 30);
        assert!(PRODUCTS.iter().filter(|p| p.active && p.stock <= LOW_STOCK).count() >= 3);
        assert!(PRODUCTS.iter().all(|p| CATEGORIES.iter().any(|c| c.0 == p.category)));
    }
}
