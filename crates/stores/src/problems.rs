//! The problem codes balcao-stores answers (catalog, customers, carts and checkout, coupons,
//! shipping, orders), each with its status and meaning. Codes shared with other crates
//! (`slug_taken`, `invalid_transition`) are core's.

balcao_core::error_codes! {
    /// Another variant of the store has this SKU.
    SKU_TAKEN = ("sku_taken", 409);
    /// The product's last variant cannot be deleted; delete the product instead.
    LAST_VARIANT = ("last_variant", 409);
    /// The variant has stock reserved by open carts or unpaid orders.
    VARIANT_RESERVED = ("variant_reserved", 409);
    /// Changing the options would leave variants without a value for an option.
    OPTIONS_ORPHAN_VARIANTS = ("options_orphan_variants", 422);
    /// The category has child categories; move or delete them first.
    CATEGORY_HAS_CHILDREN = ("category_has_children", 409);
    /// The parent chosen would put the category inside itself.
    CATEGORY_CYCLE = ("category_cycle", 422);
    /// The adjustment would leave less stock than is reserved.
    STOCK_BELOW_RESERVED = ("stock_below_reserved", 422);
    /// The adjustment would put stock above the largest amount stored.
    STOCK_ABOVE_MAXIMUM = ("stock_above_maximum", 422);
    /// Not enough stock is available for the quantity asked.
    INSUFFICIENT_STOCK = ("insufficient_stock", 409);
    /// Another customer of the store has this email address.
    EMAIL_TAKEN = ("email_taken", 409);
    /// Another customer of the store has this CPF or CNPJ.
    DOCUMENT_TAKEN = ("document_taken", 409);
    /// The customer holds as many addresses as they may.
    TOO_MANY_ADDRESSES = ("too_many_addresses", 422);
    /// The customer token is unknown, expired or revoked.
    INVALID_CUSTOMER_TOKEN = ("invalid_customer_token", 401);
    /// The wishlist holds as many items as it may.
    WISHLIST_FULL = ("wishlist_full", 422);
    /// The cart was checked out and can no longer change.
    CART_CHECKED_OUT = ("cart_checked_out", 409);
    /// The cart has not been checked out yet.
    CART_NOT_CHECKED_OUT = ("cart_not_checked_out", 409);
    /// The cart has no items to check out.
    CART_EMPTY = ("cart_empty", 422);
    /// An amount is in another currency than the store's.
    CURRENCY_MISMATCH = ("currency_mismatch", 422);
    /// A guest checkout asks more units of a variant than a guest may hold.
    GUEST_QUANTITY_LIMIT = ("guest_quantity_limit", 422);
    /// Too many carts opened from this address for now.
    TOO_MANY_CARTS = ("too_many_carts", 429);
    /// Too many checkouts from this address for now.
    TOO_MANY_CHECKOUTS = ("too_many_checkouts", 429);
    /// Too many unknown coupon codes tried on this cart or from this address for now.
    TOO_MANY_COUPON_ATTEMPTS = ("too_many_coupon_attempts", 429);
    /// The store has no delivery method with this id.
    UNKNOWN_DELIVERY_METHOD = ("unknown_delivery_method", 422);
    /// The delivery method does not serve this address or cart.
    DELIVERY_METHOD_UNAVAILABLE = ("delivery_method_unavailable", 422);
    /// The store has as many delivery zones as it may.
    TOO_MANY_DELIVERY_ZONES = ("too_many_delivery_zones", 422);
    /// Another coupon of the store has this code.
    CODE_TAKEN = ("code_taken", 409);
    /// The coupon was already redeemed by this order.
    COUPON_ALREADY_REDEEMED = ("coupon_already_redeemed", 409);
    /// No active coupon has this code.
    COUPON_NOT_FOUND = ("coupon_not_found", 422);
    /// The coupon is not valid yet.
    COUPON_NOT_STARTED = ("coupon_not_started", 422);
    /// The coupon has expired.
    COUPON_EXPIRED = ("coupon_expired", 422);
    /// The coupon has been used as often as it may.
    COUPON_USAGE_EXHAUSTED = ("coupon_usage_exhausted", 422);
    /// This buyer has used the coupon as often as they may.
    COUPON_CUSTOMER_LIMIT_REACHED = ("coupon_customer_limit_reached", 422);
    /// The coupon applies to none of the cart's items, or is in another currency.
    COUPON_NOT_APPLICABLE = ("coupon_not_applicable", 422);
    /// The eligible items are worth less than the coupon's minimum.
    COUPON_MINIMUM_NOT_MET = ("coupon_minimum_not_met", 422);
    /// The cart has fewer eligible items than the coupon's minimum.
    COUPON_MINIMUM_ITEMS_NOT_MET = ("coupon_minimum_items_not_met", 422);
    /// The coupon cannot be combined with other coupons.
    COUPON_NOT_COMBINABLE = ("coupon_not_combinable", 422);
}
