//! The suppression list on PostgreSQL.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{CreateSuppression, Suppression, SuppressionFilter, SuppressionRow};
use crate::channels::ChannelKind;
use crate::consent;
use crate::messages::dispatcher::normalize_recipient;
use crate::schema::suppressions as s;

/// Who opted out, as staff see and change it.
#[async_trait]
pub trait SuppressionService: Send + Sync {
    /// Suppressions ordered by kind then contact.
    async fn list(&self, store: StoreId, filter: &SuppressionFilter, page: &PageParams) -> Result<Page<Suppression>>;
    /// Records an opt-out; answers it and whether it is new (an existing one is kept as is).
    async fn create(&self, store: StoreId, req: CreateSuppression) -> Result<(Suppression, bool)>;
    /// Removes an opt-out (the contact opted back in).
    async fn delete(&self, store: StoreId, kind: &str, contact: &str) -> Result<()>;
}

/// [`SuppressionService`] on PostgreSQL.
pub struct PgSuppressionService {
    core: Core,
}

impl PgSuppressionService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The contact in its canonical form for `kind`, or a field error naming `field`.
pub fn normalize_contact(kind: ChannelKind, raw: &str, field: &str) -> Result<String> {
    normalize_recipient(kind, raw).map_err(|e| match e {
        Error::Validation(mut errors) => {
            for error in &mut errors {
                error.field = field.to_owned();
            }
            Error::Validation(errors)
        }
        other => other,
    })
}

/// Removes an opt-out; answers whether there was one.
pub async fn unsuppress(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    kind: ChannelKind,
    contact: &str,
) -> Result<bool> {
    let deleted = diesel::delete(
        s::table.filter(s::store_id.eq(store.uuid())).filter(s::kind.eq(kind.as_str())).filter(s::contact.eq(contact)),
    )
    .execute(conn)
    .await?;
    Ok(deleted > 0)
}

fn valid_source(source: &str) -> bool {
    (1..=50).contains(&source.len())
        && source.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

#[async_trait]
impl SuppressionService for PgSuppressionService {
    async fn list(&self, store: StoreId, filter: &SuppressionFilter, page: &PageParams) -> Result<Page<Suppression>> {
        let req = page.parse::<(String, String)>()?;
        let contact = match (&filter.contact, filter.kind) {
            (Some(contact), Some(kind)) => Some(normalize_contact(kind, contact, "contact")?),
            (Some(contact), None) => Some(contact.trim().to_owned()),
            (None, _) => None,
        };
        let mut conn = self.core.pool.get().await?;
        let mut query = s::table
            .filter(s::store_id.eq(store.uuid()))
            .select(SuppressionRow::as_select())
            .order((s::kind.asc(), s::contact.asc()))
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(s::kind.eq(kind.as_str()));
        }
        if let Some(contact) = contact {
            query = query.filter(s::contact.eq(contact));
        }
        if let Some((kind, contact)) = req.after.clone() {
            query = query.filter(s::kind.gt(kind.clone()).or(s::kind.eq(kind).and(s::contact.gt(contact))));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| (r.kind.clone(), r.contact.clone()))?.map(Suppression::from))
    }

    async fn create(&self, store: StoreId, req: CreateSuppression) -> Result<(Suppression, bool)> {
        let source = req.source.as_deref().map(str::trim).unwrap_or("staff").to_owned();
        let mut v = Validator::new();
        v.check(valid_source(&source), "source", "invalid", "1 to 50 lowercase letters, digits, `_` or `-`");
        let contact = normalize_contact(req.kind, &req.contact, "contact");
        if let Err(Error::Validation(errors)) = &contact {
            for e in errors {
                v.push(e.clone());
            }
        }
        v.finish()?;
        let contact = contact?;
        let mut conn = self.core.pool.get().await?;
        let created = consent::suppress(&mut conn, store, req.kind, &contact, &source).await?;
        let row: SuppressionRow = s::table
            .filter(s::store_id.eq(store.uuid()))
            .filter(s::kind.eq(req.kind.as_str()))
            .filter(s::contact.eq(&contact))
            .select(SuppressionRow::as_select())
            .first(&mut conn)
            .await?;
        Ok((row.into(), created))
    }

    async fn delete(&self, store: StoreId, kind: &str, contact: &str) -> Result<()> {
        let kind = ChannelKind::parse(kind)
            .ok_or_else(|| Error::field("kind", "invalid", "whatsapp, instagram, email or sms"))?;
        // A contact stored in another form (by an older import, say) can still be removed as is.
        let canonical = normalize_recipient(kind, contact).unwrap_or_else(|_| contact.trim().to_owned());
        let mut conn = self.core.pool.get().await?;
        let removed = unsuppress(&mut conn, store, kind, &canonical).await?
            || (canonical != contact && unsuppress(&mut conn, store, kind, contact).await?);
        if !removed {
            return Err(Error::not_found("suppression"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_contacts_are_checked() {
        assert!(valid_source("staff") && valid_source("import-2026") && !valid_source("") && !valid_source("Staff"));
        let err =
            normalize_contact(ChannelKind::Sms, "123", "contact").err().map(|e| e.problem().errors[0].field.clone());
        assert_eq!(err.as_deref(), Some("contact"));
        assert_eq!(
            normalize_contact(ChannelKind::Sms, "+55 11 98765-4321", "contact").ok().as_deref(),
            Some("+5511987654321")
        );
    }
}
