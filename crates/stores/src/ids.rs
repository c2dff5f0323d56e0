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
