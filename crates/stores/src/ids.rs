//! Id types of the commerce entities.

balcao_core::id_type!(
    /// A catalog category.
    CategoryId
);
balcao_core::id_type!(
    /// A product.
    ProductId
);
balcao_core::id_type!(
    /// A product variant (what is priced and stocked).
    VariantId
);
balcao_core::id_type!(
    /// A product image.
    ImageId
);
balcao_core::id_type!(
    /// An inventory adjustment.
    AdjustmentId
);
balcao_core::id_type!(
    /// A customer of a store.
    CustomerId
);
balcao_core::id_type!(
    /// A customer's address.
    AddressId
);
balcao_core::id_type!(
    /// A consent record.
    ConsentId
);
balcao_core::id_type!(
    /// A shopping cart (its id is random and unguessable).
    CartId
);
balcao_core::id_type!(
    /// A line of a cart.
    CartItemId
);
balcao_core::id_type!(
    /// An order.
    OrderId
);
balcao_core::id_type!(
    /// A line of an order.
    OrderLineId
);
balcao_core::id_type!(
    /// An entry of an order's timeline.
    TimelineEntryId
);
balcao_core::id_type!(
    /// A delivery zone of a store: one shipping method shoppers can choose.
    DeliveryZoneId
);
balcao_core::id_type!(
    /// A discount coupon of a store.
    CouponId
);
