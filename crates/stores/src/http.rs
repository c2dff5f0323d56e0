//! The routes of balcao-stores and the services they use.

use std::sync::Arc;

use actix_web::web;
use balcao_core::Core;
use balcao_core::tenancy::StoreService;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::analytics::{self, AnalyticsService, PgAnalyticsService};
use crate::carts::{self, CartService, CheckoutPayments, PgCartService, PricingDeps};
use crate::catalog::{
    self, CategoryService, InventoryService, PgCategoryService, PgInventoryService, PgProductService, PgVariantService,
    ProductService, VariantService,
};
use crate::coupons::{self, CouponService, PgCouponService};
use crate::customers::{
    self, AddressService, ConsentService, CustomerService, CustomerTokenService, PgAddressService, PgConsentService,
    PgCustomerService, PgCustomerTokenService, PgWishlistService, WishlistService,
};
use crate::orders::{self, OrderService, PgOrderService};
use crate::shipping::{self, DeliveryService, PgDeliveryService};
use crate::storefront::{self, CachedStorefront, StorefrontService};

/// This crate's services, as app data for its handlers.
#[derive(Clone)]
pub struct Services {
    /// Categories.
    pub categories: web::Data<dyn CategoryService>,
    /// Products.
    pub products: web::Data<dyn ProductService>,
    /// Variants.
    pub variants: web::Data<dyn VariantService>,
    /// Inventory.
    pub inventory: web::Data<dyn InventoryService>,
    /// The public storefront.
    pub storefront: web::Data<dyn StorefrontService>,
    /// Customers.
    pub customers: web::Data<dyn CustomerService>,
    /// Customer addresses.
    pub addresses: web::Data<dyn AddressService>,
    /// Customer consent records.
    pub consents: web::Data<dyn ConsentService>,
    /// Customer tokens for the storefront.
    pub customer_tokens: web::Data<dyn CustomerTokenService>,
    /// Wishlists.
    pub wishlists: web::Data<dyn WishlistService>,
    /// Coupons.
    pub coupons: web::Data<dyn CouponService>,
    /// Storefront carts and checkout.
    pub carts: web::Data<dyn CartService>,
    /// Orders.
    pub orders: web::Data<dyn OrderService>,
    /// Analytics.
    pub analytics: web::Data<dyn AnalyticsService>,
    /// Delivery zones and shipping quotes.
    pub delivery: web::Data<dyn DeliveryService>,
    /// Starts the payment a checkout asks for (plugged in by the gateway; none: checkout only places orders).
    pub checkout_payments: Option<web::Data<dyn CheckoutPayments>>,
}

impl Services {
    /// The PostgreSQL implementations; `stores` is core's store service.
    pub fn new(core: Core, stores: Arc<dyn StoreService>) -> Self {
        let customers: Arc<dyn CustomerService> = Arc::new(PgCustomerService::new(core.clone()));
        let addresses: Arc<dyn AddressService> = Arc::new(PgAddressService::new(core.clone()));
        let consents: Arc<dyn ConsentService> = Arc::new(PgConsentService::new(core.clone()));
        let customer_tokens: Arc<dyn CustomerTokenService> =
            Arc::new(PgCustomerTokenService::new(core.clone(), stores.clone()));
        let wishlists: Arc<dyn WishlistService> = Arc::new(PgWishlistService::new(core.clone()));
        let coupons: Arc<dyn CouponService> = Arc::new(PgCouponService::new(core.clone()));
        let categories: Arc<dyn CategoryService> = Arc::new(PgCategoryService::new(core.clone()));
        let products: Arc<dyn ProductService> = Arc::new(PgProductService::new(core.clone(), stores.clone()));
        let storefront: Arc<dyn StorefrontService> =
            Arc::new(CachedStorefront::new(core.clone(), stores.clone(), products.clone(), categories.clone()));
        let variants: Arc<dyn VariantService> = Arc::new(PgVariantService::new(core.clone()));
        let delivery: Arc<dyn DeliveryService> = Arc::new(PgDeliveryService::new(core.clone(), stores.clone()));
        let carts: Arc<dyn CartService> = Arc::new(PgCartService::new(
            core.clone(),
            storefront.clone(),
            PricingDeps { coupons: coupons.clone(), delivery: delivery.clone() },
        ));
        let orders: Arc<dyn OrderService> = Arc::new(PgOrderService::new(core.clone()));
        let analytics: Arc<dyn AnalyticsService> = Arc::new(PgAnalyticsService::new(core.clone(), stores.clone()));
        let inventory: Arc<dyn InventoryService> = Arc::new(PgInventoryService::new(core));
        Self {
            carts: web::Data::from(carts),
            orders: web::Data::from(orders),
            analytics: web::Data::from(analytics),
            delivery: web::Data::from(delivery),
            categories: web::Data::from(categories),
            products: web::Data::from(products),
            variants: web::Data::from(variants),
            inventory: web::Data::from(inventory),
            storefront: web::Data::from(storefront),
            customers: web::Data::from(customers),
            addresses: web::Data::from(addresses),
            consents: web::Data::from(consents),
            customer_tokens: web::Data::from(customer_tokens),
            wishlists: web::Data::from(wishlists),
            coupons: web::Data::from(coupons),
            checkout_payments: None,
        }
    }

    /// The same services, with checkout starting payments through `payments`.
    pub fn with_checkout_payments(mut self, payments: Arc<dyn CheckoutPayments>) -> Self {
        self.checkout_payments = Some(web::Data::from(payments));
        self
    }

    /// Registers the services for the handlers of the scope `cfg` configures.
    pub fn register(&self, cfg: &mut ServiceConfig) {
        cfg.app_data(self.categories.clone())
            .app_data(self.products.clone())
            .app_data(self.variants.clone())
            .app_data(self.inventory.clone())
            .app_data(self.storefront.clone());
        cfg.app_data(self.customers.clone())
            .app_data(self.addresses.clone())
            .app_data(self.consents.clone())
            .app_data(self.customer_tokens.clone())
            .app_data(self.wishlists.clone());
        cfg.app_data(self.coupons.clone());
        cfg.app_data(self.delivery.clone());
        cfg.app_data(self.carts.clone()).app_data(self.orders.clone()).app_data(self.analytics.clone());
        if let Some(payments) = &self.checkout_payments {
            cfg.app_data(payments.clone());
        }
    }
}

/// Registers this crate's routes; the gateway mounts them under `/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    use catalog::http::*;
    cfg.service(list_categories)
        .service(create_category)
        .service(get_category)
        .service(update_category)
        .service(delete_category)
        .service(list_products)
        .service(create_product)
        .service(get_product)
        .service(update_product)
        .service(archive_product)
        .service(list_variants)
        .service(add_variant)
        .service(update_variant)
        .service(delete_variant)
        .service(adjust_inventory)
        .service(list_adjustments);
    cfg.service(storefront::http::products).service(storefront::http::product).service(storefront::http::categories);
    cfg.service(carts::http::create_cart)
        .service(carts::http::get_cart)
        .service(carts::http::update_cart)
        .service(carts::http::add_item)
        .service(carts::http::update_item)
        .service(carts::http::remove_item)
        .service(carts::http::apply_coupon)
        .service(carts::http::remove_coupons)
        .service(carts::http::checkout);
    cfg.service(orders::http::list_orders)
        .service(orders::http::get_order)
        .service(orders::http::transition_order)
        .service(analytics::http::analytics);
    cfg.service(customers::http::list_customers)
        .service(customers::http::create_customer)
        .service(customers::http::get_customer)
        .service(customers::http::update_customer)
        .service(customers::http::add_address)
        .service(customers::http::update_address)
        .service(customers::http::delete_address)
        .service(customers::http::record_consent)
        .service(customers::http::list_consents)
        .service(customers::http::issue_customer_token)
        .service(customers::http::get_customer_wishlist)
        .service(customers::shopper::get_wishlist)
        .service(customers::shopper::add_wishlist_item)
        .service(customers::shopper::remove_wishlist_item);
    cfg.service(coupons::http::list_coupons)
        .service(coupons::http::create_coupon)
        .service(coupons::http::get_coupon)
        .service(coupons::http::update_coupon)
        .service(coupons::http::delete_coupon);
    cfg.service(shipping::http::list_delivery_zones)
        .service(shipping::http::create_delivery_zone)
        .service(shipping::http::get_delivery_zone)
        .service(shipping::http::update_delivery_zone)
        .service(shipping::http::delete_delivery_zone)
        .service(shipping::http::shipping_quote);
}
