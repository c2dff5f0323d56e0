//! Channels on PostgreSQL, their credentials sealed by the keyring.

use std::collections::BTreeMap;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{
    Channel, ChannelId, ChannelKind, ChannelRow, ChannelSettings, CreateChannel, ProviderKind, UpdateChannel,
};
use crate::schema::channels as ch;
use balcao_core::outbound::form::{UrlPolicy, check_literal, destination};

/// The most channels a store may have.
pub const MAX_CHANNELS: i64 = 50;

/// A store's messaging channels.
#[async_trait]
pub trait ChannelService: Send + Sync {
    /// Channels ordered by id (creation).
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Channel>>;
    /// One channel.
    async fn get(&self, store: StoreId, id: ChannelId) -> Result<Channel>;
    /// Adds a channel; its credentials are sealed.
    async fn create(&self, store: StoreId, req: CreateChannel) -> Result<Channel>;
    /// Changes a channel.
    async fn update(&self, store: StoreId, id: ChannelId, req: UpdateChannel) -> Result<Channel>;
    /// Removes a channel with its conversations and messages.
    async fn delete(&self, store: StoreId, id: ChannelId) -> Result<()>;
}

/// [`ChannelService`] on PostgreSQL.
pub struct PgChannelService {
    core: Core,
}

impl PgChannelService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The keyring context binding a channel's sealed credentials to it.
pub fn credentials_context(id: ChannelId) -> String {
    format!("channel-credentials:{id}")
}

/// Seals `credentials` for channel `id`.
pub fn seal(core: &Core, id: ChannelId, credentials: &BTreeMap<String, String>) -> Result<String> {
    let json = serde_json::to_vec(credentials).map_err(Error::internal)?;
    core.config.keyring.seal(&json, &credentials_context(id))
}

/// Opens a channel's credentials.
pub fn open(core: &Core, row: &ChannelRow) -> Result<BTreeMap<String, String>> {
    let json = core.config.keyring.open(&row.credentials, &credentials_context(ChannelId(row.id)))?;
    serde_json::from_slice(&json).map_err(Error::internal)
}

/// A row as the API shows it.
pub fn to_api(core: &Core, row: ChannelRow) -> Result<Channel> {
    let names = open(core, &row)?.into_keys().collect();
    Ok(Channel {
        id: ChannelId(row.id),
        store_id: StoreId(row.store_id),
        kind: ChannelKind::parse(&row.kind).ok_or_else(|| Error::internal("unknown channel kind"))?,
        provider: ProviderKind::parse(&row.provider).ok_or_else(|| Error::internal("unknown provider"))?,
        name: row.name,
        sender: row.sender,
        settings: serde_json::from_value(row.settings).unwrap_or_default(),
        configured_credentials: names,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn validate_settings(v: &mut Validator, settings: &ChannelSettings, policy: UrlPolicy) {
    if let Some(version) = &settings.api_version {
        let ok = version.starts_with('v')
            && version.len() <= 8
            && version[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
        v.check(ok, "settings.api_version", "invalid", "a Graph API version such as v21.0");
    }
    if let Some(url) = &settings.base_url {
        destination(v, "settings.base_url", url, policy);
    }
    if let Some(rate) = settings.rate_limit_per_second {
        v.check((1..=1000).contains(&rate), "settings.rate_limit_per_second", "out_of_range", "1 to 1000");
    }
    if let Some(secs) = settings.recipient_interval_secs {
        v.check(secs <= 3600, "settings.recipient_interval_secs", "out_of_range", "0 to 3600");
    }
    v.check(settings.opt_out_keywords.len() <= 20, "settings.opt_out_keywords", "too_many", "at most 20");
    for (i, k) in settings.opt_out_keywords.iter().enumerate() {
        v.length(k, &format!("settings.opt_out_keywords[{i}]"), 1, 30);
    }
}

/// A store's own SMTP server: `smtp://` or `smtps://` with a host, never an internal address
/// unless the operator allows them.
fn validate_smtp_url(v: &mut Validator, raw: &str, policy: UrlPolicy) {
    const FIELD: &str = "credentials.smtp_url";
    let Ok(url) = reqwest::Url::parse(raw.trim()) else {
        v.check(false, FIELD, "invalid_url", "an smtp:// or smtps:// URL");
        return;
    };
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
        v.check(false, FIELD, "invalid_url", "an smtp:// or smtps:// URL with a host");
    } else if url.scheme() == "smtp" && !policy.allow_http && !url.query().is_some_and(|q| q.contains("tls=required")) {
        v.check(false, FIELD, "tls_required", "use smtps:// or smtp://...?tls=required");
    } else if let Err(e) = check_literal(&url, policy.allow_private) {
        v.check(false, FIELD, "destination_forbidden", &e.to_string());
    }
}

fn validate_credentials(
    v: &mut Validator,
    provider: ProviderKind,
    credentials: &BTreeMap<String, String>,
    policy: UrlPolicy,
) {
    if let Some(url) = credentials.get("smtp_url") {
        validate_smtp_url(v, url, policy);
    }
    for name in provider.credential_names() {
        let ok = credentials.get(*name).is_some_and(|c| !c.trim().is_empty());
        v.check(ok, &format!("credentials.{name}"), "required", "required by this provider");
    }
    for (name, value) in credentials {
        let known = provider.credential_names().contains(&name.as_str())
            || provider.optional_credential_names().contains(&name.as_str());
        v.check(known, &format!("credentials.{name}"), "unknown", "not a credential of this provider");
        v.check(value.len() <= 4096, &format!("credentials.{name}"), "too_long", "at most 4096 characters");
    }
}

fn validate_sender(v: &mut Validator, kind: ChannelKind, provider: ProviderKind, sender: &str) {
    if provider == ProviderKind::Sandbox {
        v.check(sender.len() <= 200, "sender", "too_long", "at most 200 characters");
        return;
    }
    match kind {
        ChannelKind::Email => {
            v.check(
                sender.parse::<balcao_core::mail::Mailbox>().is_ok(),
                "sender",
                "invalid",
                "an address such as `Loja <vendas@loja.com>`",
            );
        }
        _ => {
            v.length(sender, "sender", 1, 64);
        }
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: ChannelId) -> Result<ChannelRow> {
    ch::table
        .filter(ch::store_id.eq(store.uuid()))
        .filter(ch::id.eq(id.uuid()))
        .select(ChannelRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("channel"))
}

#[async_trait]
impl ChannelService for PgChannelService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Channel>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = ch::table
            .filter(ch::store_id.eq(store.uuid()))
            .select(ChannelRow::as_select())
            .order(ch::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(ch::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        let page = req.page(rows, |r| r.id)?;
        let data = page.data.into_iter().map(|r| to_api(&self.core, r)).collect::<Result<Vec<_>>>()?;
        Ok(Page { data, next_cursor: page.next_cursor })
    }

    async fn get(&self, store: StoreId, id: ChannelId) -> Result<Channel> {
        let mut conn = self.core.pool.get().await?;
        to_api(&self.core, load(&mut conn, store, id).await?)
    }

    async fn create(&self, store: StoreId, req: CreateChannel) -> Result<Channel> {
        let mut v = Validator::new();
        v.length(&req.name, "name", 1, 100);
        v.check(
            req.provider.carries(req.kind),
            "provider",
            "unsupported",
            "this provider does not carry this kind of channel",
        );
        validate_sender(&mut v, req.kind, req.provider, req.sender.trim());
        validate_settings(&mut v, &req.settings, self.core.config.url_policy());
        validate_credentials(&mut v, req.provider, &req.credentials, self.core.config.url_policy());
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let count: i64 = ch::table.filter(ch::store_id.eq(store.uuid())).count().get_result(&mut conn).await?;
        if count >= MAX_CHANNELS {
            return Err(Error::Rule {
                code: crate::problems::TOO_MANY_CHANNELS,
                detail: format!("A store may have at most {MAX_CHANNELS} channels."),
                field: None,
            });
        }
        let id = ChannelId::new();
        let now = Utc::now();
        let row: ChannelRow = diesel::insert_into(ch::table)
            .values((
                ch::store_id.eq(store.uuid()),
                ch::id.eq(id.uuid()),
                ch::kind.eq(req.kind.as_str()),
                ch::provider.eq(req.provider.as_str()),
                ch::name.eq(req.name.trim()),
                ch::sender.eq(req.sender.trim()),
                ch::settings.eq(serde_json::to_value(&req.settings).map_err(Error::internal)?),
                ch::credentials.eq(seal(&self.core, id, &req.credentials)?),
                ch::active.eq(req.active.unwrap_or(true)),
                ch::created_at.eq(now),
                ch::updated_at.eq(now),
            ))
            .returning(ChannelRow::as_returning())
            .get_result(&mut conn)
            .await?;
        to_api(&self.core, row)
    }

    async fn update(&self, store: StoreId, id: ChannelId, req: UpdateChannel) -> Result<Channel> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let mut conn = self.core.pool.get().await?;
        let row = load(&mut conn, store, id).await?;
        let kind = ChannelKind::parse(&row.kind).ok_or_else(|| Error::internal("unknown channel kind"))?;
        let provider = ProviderKind::parse(&row.provider).ok_or_else(|| Error::internal("unknown provider"))?;
        let mut v = Validator::new();
        if let Some(name) = &req.name {
            v.length(name, "name", 1, 100);
        }
        if let Some(sender) = &req.sender {
            validate_sender(&mut v, kind, provider, sender.trim());
        }
        if let Some(settings) = &req.settings {
            validate_settings(&mut v, settings, self.core.config.url_policy());
        }
        if let Some(credentials) = &req.credentials {
            validate_credentials(&mut v, provider, credentials, self.core.config.url_policy());
        }
        v.finish()?;
        let settings = req.settings.as_ref().map(serde_json::to_value).transpose().map_err(Error::internal)?;
        let credentials = req.credentials.as_ref().map(|c| seal(&self.core, id, c)).transpose()?;
        let row: ChannelRow =
            diesel::update(ch::table.filter(ch::store_id.eq(store.uuid())).filter(ch::id.eq(id.uuid())))
                .set((
                    req.name.as_deref().map(|n| ch::name.eq(n.trim().to_owned())),
                    req.sender.as_deref().map(|s| ch::sender.eq(s.trim().to_owned())),
                    settings.map(|s| ch::settings.eq(s)),
                    credentials.map(|c| ch::credentials.eq(c)),
                    req.active.map(|a| ch::active.eq(a)),
                    ch::updated_at.eq(Utc::now()),
                ))
                .returning(ChannelRow::as_returning())
                .get_result(&mut conn)
                .await?;
        to_api(&self.core, row)
    }

    async fn delete(&self, store: StoreId, id: ChannelId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let deleted = diesel::delete(ch::table.filter(ch::store_id.eq(store.uuid())).filter(ch::id.eq(id.uuid())))
            .execute(&mut conn)
            .await?;
        if deleted == 0 {
            return Err(Error::not_found("channel"));
        }
        Ok(())
    }
}

/// The channel a send goes through: `selector` is a channel id, or a kind name for the
/// store's oldest active channel of that kind. A store without one gets a sandbox channel
/// of that kind, created on first use.
pub async fn resolve(core: &Core, conn: &mut AsyncPgConnection, store: StoreId, selector: &str) -> Result<ChannelRow> {
    if let Ok(id) = selector.parse::<uuid::Uuid>() {
        let row = load(conn, store, ChannelId(id))
            .await
            .map_err(|_| Error::field("channel", "unknown_channel", "no channel of this store has this id"))?;
        if !row.active {
            return Err(Error::Rule {
                code: crate::problems::CHANNEL_INACTIVE,
                detail: "The channel is not active.".into(),
                field: Some("channel".into()),
            });
        }
        return Ok(row);
    }
    let Some(kind) = ChannelKind::parse(selector) else {
        return Err(Error::field("channel", "invalid", "a channel id, or whatsapp, instagram, email or sms"));
    };
    let found = ch::table
        .filter(ch::store_id.eq(store.uuid()))
        .filter(ch::kind.eq(kind.as_str()))
        .filter(ch::active.eq(true))
        .order(ch::id.asc())
        .select(ChannelRow::as_select())
        .first(conn)
        .await
        .optional()?;
    if let Some(row) = found {
        return Ok(row);
    }
    let id = ChannelId::new();
    let now = Utc::now();
    diesel::insert_into(ch::table)
        .values((
            ch::store_id.eq(store.uuid()),
            ch::id.eq(id.uuid()),
            ch::kind.eq(kind.as_str()),
            ch::provider.eq(ProviderKind::Sandbox.as_str()),
            ch::name.eq(format!("Sandbox ({})", kind.as_str())),
            ch::sender.eq("sandbox"),
            ch::settings.eq(serde_json::json!({})),
            ch::credentials.eq(seal(core, id, &BTreeMap::new())?),
            ch::active.eq(true),
            ch::created_at.eq(now),
            ch::updated_at.eq(now),
        ))
        .returning(ChannelRow::as_returning())
        .get_result(conn)
        .await
        .map_err(Error::from)
}
