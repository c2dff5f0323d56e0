//! The path of a store-scoped route (`/v1/stores/{store_id}/...`): [`StorePath`] documents its
//! `store_id` parameter once for every handler, and [`InStore`] extracts the parameters after it
//! (the store itself is checked and handed over by [`super::StoreAccess`]).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::Error;

/// The `store_id` path parameter of every store-scoped route, for `params(StorePath, ...)`.
#[derive(Debug, Clone, Copy, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StorePath {
    /// The store
    pub store_id: uuid::Uuid,
}

/// The path parameters that follow `{store_id}`, in order: one value (`InStore<ProductId>`) or a
/// tuple (`InStore<(ProductId, VariantId)>`), decoded like `web::Path`. A malformed one answers
/// 404, as a malformed id names nothing that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InStore<T>(pub T);

impl<T> InStore<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> FromRequest for InStore<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(after_store(req).map(InStore).ok_or_else(|| Error::not_found("resource").into()))
    }
}

fn after_store<T: DeserializeOwned>(req: &HttpRequest) -> Option<T> {
    let mut rest = actix_router::Path::new(String::new());
    for (name, value) in req.match_info().iter().filter(|(name, _)| *name != "store_id") {
        rest.add_static(name.to_owned(), value.to_owned());
    }
    T::deserialize(actix_router::PathDeserializer::new(&rest)).ok()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn extract<T: DeserializeOwned>(params: &[(&'static str, &str)]) -> Option<T> {
        let req = params.iter().fold(TestRequest::default(), |req, (name, value)| req.param(*name, value.to_string()));
        after_store(&req.to_http_request())
    }

    #[test]
    fn takes_what_follows_the_store_decoded_and_refuses_what_does_not_parse() {
        let store = uuid::Uuid::now_v7().to_string();
        let id = uuid::Uuid::now_v7();
        let one = extract::<uuid::Uuid>(&[("store_id", &store), ("product_id", &id.to_string())]);
        assert_eq!(one, Some(id));
        let two = extract::<(uuid::Uuid, String)>(&[
            ("store_id", &store),
            ("thing_id", &id.to_string()),
            ("contact", "ana%2Bloja%40example.com"),
        ]);
        assert_eq!(two, Some((id, "ana+loja@example.com".to_owned())));
        assert_eq!(extract::<uuid::Uuid>(&[("store_id", &store), ("product_id", "nope")]), None);
        assert_eq!(extract::<(uuid::Uuid, uuid::Uuid)>(&[("store_id", &store), ("product_id", &id.to_string())]), None);
    }
}
