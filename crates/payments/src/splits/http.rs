//! The split routes: a store's rules and each payment's shares.

use actix_web::{HttpResponse, delete, get, put, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, StoreAccess, StorePath};
use balcao_core::tenancy::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use super::model::SplitRules;
use super::service::{PaymentSplit, SplitRulesView, SplitService};
use crate::payments::model::PaymentId;

type Splits = web::Data<dyn SplitService>;

/// The store's split rules: the platform's fee and fixed recipients (empty when none are set).
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(StorePath),
    responses((status = 200, description = "The rules", body = SplitRulesView)))]
#[get("/stores/{store_id}/payment-split-rules")]
pub async fn get_rules(splits: Splits, access: StoreAccess) -> Result<web::Json<SplitRulesView>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(splits.rules(access.store_id).await?))
}

/// Set the store's split rules. Each new payment records its shares from the rules of the
/// moment: the platform's fee first, then each recipient, a percentage or a fixed amount. Once
/// paid, shares with a destination at the payment's provider are sent (EFI split on PIX
/// charges, Stripe Connect transfers for cards); the rest are recorded for the store to settle.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(StorePath),
    request_body = SplitRules, responses(
    (status = 200, description = "The rules", body = SplitRulesView),
    (status = 422, description = "Invalid rules, naming the field", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[put("/stores/{store_id}/payment-split-rules")]
pub async fn put_rules(
    splits: Splits,
    access: StoreAccess,
    body: Json<SplitRules>,
) -> Result<web::Json<SplitRulesView>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(splits.put_rules(access.store_id, body.into_inner()).await?))
}

/// Remove the store's split rules; later payments are not split.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(StorePath),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/payment-split-rules")]
pub async fn delete_rules(splits: Splits, access: StoreAccess) -> Result<HttpResponse> {
    access.require(Permission::StoreWrite)?;
    splits.delete_rules(access.store_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A payment's shares and where each went.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "Its shares, the platform's fee first", body = Vec<PaymentSplit>),
    (status = 404, description = "No such payment", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[get("/stores/{store_id}/payments/{payment_id}/splits")]
pub async fn list_splits(
    splits: Splits,
    access: StoreAccess,
    InStore(payment_id): InStore<PaymentId>,
) -> Result<web::Json<Vec<PaymentSplit>>> {
    access.require(Permission::PaymentsRead)?;
    Ok(web::Json(splits.payment_splits(access.store_id, payment_id).await?))
}

/// Registers the split routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_rules).service(put_rules).service(delete_rules).service(list_splits);
}
