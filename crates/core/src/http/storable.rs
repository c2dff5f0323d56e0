//! Refuses path segments PostgreSQL cannot store (an encoded NUL, `%00`) for every route; the
//! JSON body and query extractors check what they parse through [`crate::storable`].

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::problem::problem_response;
use crate::storable::{NUL_CHARACTER, refusal};

/// The path parameter (named by the matching route pattern) holding an encoded NUL character.
fn path_parameter(path: &str, pattern: Option<&str>) -> Option<String> {
    let segment = path.split('/').position(|s| s.contains("%00"))?;
    let name = pattern
        .and_then(|p| p.split('/').nth(segment))
        .and_then(|s| s.strip_prefix('{'))
        .and_then(|s| s.split(['}', ':']).next())
        .filter(|s| !s.is_empty());
    Some(name.unwrap_or("path").to_owned())
}

/// Middleware: a path segment holding `%00` answers 422 `nul_character` naming its parameter.
pub async fn refuse_nul_in_path<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let field =
        if req.path().contains("%00") { path_parameter(req.path(), req.match_pattern().as_deref()) } else { None };
    if let Some(field) = field {
        let response = problem_response(&refusal(field, NUL_CHARACTER).problem());
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_path_parameter() {
        let pattern = Some("/v1/storefront/{slug}/carts/{cart_id}");
        assert_eq!(path_parameter("/v1/storefront/a%00/carts/x", pattern).as_deref(), Some("slug"));
        assert_eq!(path_parameter("/v1/x%00", None).as_deref(), Some("path"));
        assert_eq!(path_parameter("/v1/ok", pattern), None);
    }
}
