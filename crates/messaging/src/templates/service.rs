//! Templates on PostgreSQL.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::model::{CreateTemplate, MessageTemplate, TemplateFilter, TemplateId, TemplateRow, UpdateTemplate};
use crate::schema::message_templates as t;

/// The most components in one template.
pub const MAX_COMPONENTS: usize = 10;
/// The largest components document, in bytes of JSON.
pub const MAX_COMPONENTS_BYTES: usize = 64 * 1024;
/// The component types a template may have.
pub const COMPONENT_TYPES: [&str; 4] = ["header", "body", "footer", "buttons"];

/// A store's message templates.
#[async_trait]
pub trait TemplateService: Send + Sync {
    /// Templates ordered by id (creation).
    async fn list(&self, store: StoreId, filter: &TemplateFilter, page: &PageParams) -> Result<Page<MessageTemplate>>;
    /// One template.
    async fn get(&self, store: StoreId, id: TemplateId) -> Result<MessageTemplate>;
    /// Adds a template; (kind, name, language) is unique (409).
    async fn create(&self, store: StoreId, req: CreateTemplate) -> Result<MessageTemplate>;
    /// Changes a template.
    async fn update(&self, store: StoreId, id: TemplateId, req: UpdateTemplate) -> Result<MessageTemplate>;
    /// Removes a template.
    async fn delete(&self, store: StoreId, id: TemplateId) -> Result<()>;
}

/// [`TemplateService`] on PostgreSQL.
pub struct PgTemplateService {
    core: Core,
}

impl PgTemplateService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// Whether `name` follows WhatsApp's naming rule.
pub fn valid_name(name: &str) -> bool {
    (1..=512).contains(&name.len()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `language` is a code such as `pt_BR`, `en` or `fil`.
pub fn valid_language(language: &str) -> bool {
    let (lang, region) = language.split_once('_').unwrap_or((language, ""));
    (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_lowercase())
        && (region.is_empty() || (region.len() == 2 && region.chars().all(|c| c.is_ascii_uppercase())))
}

fn validate(v: &mut Validator, name: &str, language: &str, components: &[Value]) {
    v.check(valid_name(name), "name", "invalid", "1 to 512 lowercase letters, digits and underscores");
    v.check(valid_language(language), "language", "invalid", "a language code such as pt_BR or en");
    v.check((1..=MAX_COMPONENTS).contains(&components.len()), "components", "invalid_count", "one to ten components");
    let size = serde_json::to_vec(components).map(|b| b.len()).unwrap_or(usize::MAX);
    v.check(size <= MAX_COMPONENTS_BYTES, "components", "too_large", "at most 64 KiB of JSON");
    let mut seen: Vec<String> = Vec::new();
    for (i, component) in components.iter().enumerate() {
        if !component.is_object() {
            v.check(false, &format!("components[{i}]"), "invalid", "an object with a `type`");
            continue;
        }
        let kind = component["type"].as_str().map(str::to_ascii_lowercase).unwrap_or_default();
        let known = COMPONENT_TYPES.contains(&kind.as_str());
        v.check(known, &format!("components[{i}].type"), "invalid", "header, body, footer or buttons");
        if known {
            v.check(!seen.contains(&kind), &format!("components[{i}].type"), "duplicate", "each type at most once");
            seen.push(kind);
        }
    }
    if !components.is_empty() && components.iter().all(Value::is_object) {
        v.check(seen.iter().any(|k| k == "body"), "components", "body_required", "a `body` component is required");
    }
}

fn conflict(err: DieselError) -> Error {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::conflict(
            crate::problems::TEMPLATE_EXISTS,
            "name",
            "A template with this kind, name and language already exists.",
        ),
        other => other.into(),
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: TemplateId) -> Result<TemplateRow> {
    t::table
        .filter(t::store_id.eq(store.uuid()))
        .filter(t::id.eq(id.uuid()))
        .select(TemplateRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("message template"))
}

#[async_trait]
impl TemplateService for PgTemplateService {
    async fn list(&self, store: StoreId, filter: &TemplateFilter, page: &PageParams) -> Result<Page<MessageTemplate>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = t::table
            .filter(t::store_id.eq(store.uuid()))
            .select(TemplateRow::as_select())
            .order(t::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(t::kind.eq(kind.as_str()));
        }
        if let Some(name) = &filter.name {
            query = query.filter(t::name.eq(name.trim().to_owned()));
        }
        if let Some(language) = &filter.language {
            query = query.filter(t::language.eq(language.trim().to_owned()));
        }
        if let Some(after) = req.after {
            query = query.filter(t::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(MessageTemplate::from))
    }

    async fn get(&self, store: StoreId, id: TemplateId) -> Result<MessageTemplate> {
        let mut conn = self.core.pool.get().await?;
        Ok(load(&mut conn, store, id).await?.into())
    }

    async fn create(&self, store: StoreId, req: CreateTemplate) -> Result<MessageTemplate> {
        let (name, language) = (req.name.trim(), req.language.trim());
        let mut v = Validator::new();
        validate(&mut v, name, language, &req.components);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let now = Utc::now();
        let row: TemplateRow = diesel::insert_into(t::table)
            .values((
                t::store_id.eq(store.uuid()),
                t::id.eq(TemplateId::new().uuid()),
                t::kind.eq(req.kind.as_str()),
                t::name.eq(name),
                t::language.eq(language),
                t::category.eq(req.category.as_str()),
                t::components.eq(Value::Array(req.components)),
                t::created_at.eq(now),
                t::updated_at.eq(now),
            ))
            .returning(TemplateRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(conflict)?;
        Ok(row.into())
    }

    async fn update(&self, store: StoreId, id: TemplateId, req: UpdateTemplate) -> Result<MessageTemplate> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let mut conn = self.core.pool.get().await?;
        let row = load(&mut conn, store, id).await?;
        let name = req.name.as_deref().map_or(row.name.as_str(), str::trim).to_owned();
        let language = req.language.as_deref().map_or(row.language.as_str(), str::trim).to_owned();
        let components = match req.components {
            Some(components) => components,
            None => MessageTemplate::from(row.clone()).components,
        };
        let mut v = Validator::new();
        validate(&mut v, &name, &language, &components);
        v.finish()?;
        let category = req.category.map_or(row.category, |c| c.as_str().to_owned());
        let row: TemplateRow =
            diesel::update(t::table.filter(t::store_id.eq(store.uuid())).filter(t::id.eq(id.uuid())))
                .set((
                    t::name.eq(name),
                    t::language.eq(language),
                    t::category.eq(category),
                    t::components.eq(Value::Array(components)),
                    t::updated_at.eq(Utc::now()),
                ))
                .returning(TemplateRow::as_returning())
                .get_result(&mut conn)
                .await
                .map_err(conflict)?;
        Ok(row.into())
    }

    async fn delete(&self, store: StoreId, id: TemplateId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let deleted = diesel::delete(t::table.filter(t::store_id.eq(store.uuid())).filter(t::id.eq(id.uuid())))
            .execute(&mut conn)
            .await?;
        if deleted == 0 {
            return Err(Error::not_found("message template"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(name: &str, language: &str, components: Value) -> Vec<String> {
        let components = components.as_array().cloned().unwrap_or_default();
        let mut v = Validator::new();
        validate(&mut v, name, language, &components);
        match v.finish() {
            Ok(()) => vec![],
            Err(e) => e.problem().errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn names_languages_and_components_are_checked() {
        let body = json!([{"type": "BODY", "text": "Oi {{1}}"}, {"type": "footer", "text": "Loja"}]);
        assert!(fields("pedido_enviado", "pt_BR", body.clone()).is_empty());
        assert_eq!(fields("Pedido Enviado", "pt_BR", body.clone()), ["name"]);
        assert_eq!(fields("pedido", "portugues", body), ["language"]);
        assert_eq!(fields("pedido", "pt_BR", json!([])), ["components"]);
        assert_eq!(fields("pedido", "pt_BR", json!([{"type": "body"}, {"type": "carousel"}])), ["components[1].type"]);
        assert_eq!(fields("pedido", "pt_BR", json!([{"type": "body"}, {"type": "body"}])), ["components[1].type"]);
        assert_eq!(fields("pedido", "pt_BR", json!([{"type": "header"}])), ["components"]);
        assert_eq!(fields("pedido", "pt_BR", json!(["body"])), ["components[0]"]);
        assert!(valid_language("en") && valid_language("fil") && !valid_language("pt_br") && !valid_language("p"));
    }
}
