//! A query-string extractor whose errors name the parameter at fault.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::extract::precedence;
use super::problem::problem_response;
use crate::error::Error;

/// Query parameters parsed into `T`; a bad value answers 422 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Parses a query string into `T`.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    if let Some((field, code)) = crate::storable::query(query) {
        return Err(crate::storable::refusal(field, code));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        let mut path = e.path().to_string();
        if path == "." {
            path = message.split('`').nth(1).unwrap_or("query").to_owned();
        }
        Error::field(path, "invalid", message)
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = parse::<T>(req.query_string());
        let req = req.clone();
        Box::pin(async move {
            match parsed {
                Ok(value) => Ok(Query(value)),
                Err(e) => {
                    // Report a credential or tenancy problem before a parameter problem.
                    precedence(&req).await?;
                    Err(actix_web::error::InternalError::from_response(e.to_string(), problem_response(&e.problem()))
                        .into())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        min_price: Option<i64>,
        in_stock: Option<bool>,
        limit: Option<i64>,
    }

    #[test]
    fn names_the_parameter() {
        let err = parse::<Filter>("min_price=abc").unwrap_err();
        assert_eq!(err.problem().errors[0].field, "min_price");
        let err = parse::<Filter>("limit=1&in_stock=maybe").unwrap_err();
        assert_eq!(err.problem().errors[0].field, "in_stock");
        assert_eq!(parse::<Filter>("min_price=5").unwrap().min_price, Some(5));
        let err = parse::<Filter>("min_price=5&tag=%00").unwrap_err();
        assert_eq!(
            (err.problem().errors[0].field.as_str(), err.problem().errors[0].code.as_str()),
            ("tag", "nul_character")
        );
    }
}
