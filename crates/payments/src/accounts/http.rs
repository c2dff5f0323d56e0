//! The provider account routes: connect, list and disconnect a store's providers.

use actix_web::{HttpResponse, delete, get, put, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, StoreAccess, StorePath};
use balcao_core::tenancy::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use super::model::{PaymentAccount, UpsertAccount};
use super::service::PaymentAccountService;

type Accounts = web::Data<dyn PaymentAccountService>;

/// Connect the store to a provider (`efi` for PIX and boleto, `stripe` for cards); its
/// credentials are sealed and never returned. Without an account, a method pays through the sandbox.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("provider" = String, Path, description = "`efi`, `stripe` or `pagbank`")),
    request_body = UpsertAccount, responses((status = 200, description = "The account, without its credentials", body = PaymentAccount)))]
#[put("/stores/{store_id}/payment-accounts/{provider}")]
pub async fn put_account(
    accounts: Accounts,
    access: StoreAccess,
    InStore(provider): InStore<String>,
    body: Json<UpsertAccount>,
) -> Result<web::Json<PaymentAccount>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(accounts.upsert(access.store_id, &provider, body.into_inner()).await?))
}

/// The store's provider accounts (credentials by name only).
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(StorePath),
    responses((status = 200, description = "The accounts", body = Vec<PaymentAccount>)))]
#[get("/stores/{store_id}/payment-accounts")]
pub async fn list_accounts(accounts: Accounts, access: StoreAccess) -> Result<web::Json<Vec<PaymentAccount>>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(accounts.list(access.store_id).await?))
}

/// Disconnect a provider; its methods pay through the sandbox again.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("provider" = String, Path, description = "The provider")),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/payment-accounts/{provider}")]
pub async fn delete_account(
    accounts: Accounts,
    access: StoreAccess,
    InStore(provider): InStore<String>,
) -> Result<HttpResponse> {
    access.require(Permission::StoreWrite)?;
    accounts.delete(access.store_id, &provider).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the account routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(put_account).service(list_accounts).service(delete_account);
}
