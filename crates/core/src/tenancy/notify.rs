//! Emailing a store's owners about something that happened to their store (an event subscriber's
//! usual last step): the store's name and its owners' addresses, one message, retried on a
//! passing mail failure.

use crate::context::Core;
use crate::error::Error;
use crate::id::StoreId;
use crate::jobs::JobError;
use crate::mail::Email;
use crate::tenancy::members::owner_emails;
use crate::tenancy::stores::{PgStoreService, StoreService};

/// Sends `message(store name, owners' addresses)` to the owners of `store`. A store deleted
/// since, or without owners, is nobody to tell (nothing is sent).
pub async fn email_owners(
    core: &Core,
    store: StoreId,
    message: impl FnOnce(&str, Vec<String>) -> Email,
) -> Result<(), JobError> {
    let name = match PgStoreService::new(core.clone()).get(store).await {
        Ok(found) => found.name,
        Err(Error::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut conn = core.pool.get().await.map_err(Error::from)?;
    let owners = owner_emails(&mut conn, store).await?;
    drop(conn);
    if owners.is_empty() {
        return Ok(());
    }
    match core.mailer.send(&message(&name, owners)).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_permanent() => Err(JobError::Permanent(e.to_string())),
        Err(e) => Err(JobError::retry(e)),
    }
}
