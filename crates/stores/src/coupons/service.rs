//! Coupons on PostgreSQL: staff CRUD, evaluation against a cart, and redemption at checkout.

use std::collections::HashMap;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, is_unique_violation};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{AppliedCoupon, Coupon, CouponContext, CouponRow, CreateCoupon, UpdateCoupon};
use super::rules;
use super::schema::{coupon_redemptions, coupons};
use super::validate::{Draft, check_targets};
use crate::br::normalize_phone;
use crate::ids::{CategoryId, CouponId, ProductId};

/// A store's coupons.
#[async_trait]
pub trait CouponService: Send + Sync {
    /// Coupons ordered by id (creation), keyset-paginated.
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Coupon>>;
    /// One coupon.
    async fn get(&self, store: StoreId, id: CouponId) -> Result<Coupon>;
    /// Creates a coupon; a code taken in the store (whatever the case) answers 409 `code_taken`.
    async fn create(&self, store: StoreId, req: CreateCoupon) -> Result<Coupon>;
    /// Changes a coupon; the result is validated as a whole.
    async fn update(&self, store: StoreId, id: CouponId, req: UpdateCoupon) -> Result<Coupon>;
    /// Deactivates a coupon that was ever used, deletes it otherwise.
    async fn delete(&self, store: StoreId, id: CouponId) -> Result<()>;
    /// Evaluates codes (case-insensitive) against a cart; the first failing rule answers Err(Error::Rule{ code, field: Some("code".into()), detail }).
    async fn evaluate(&self, store: StoreId, codes: &[String], ctx: &CouponContext) -> Result<Vec<AppliedCoupon>>;
}

/// [`CouponService`] on PostgreSQL.
pub struct PgCouponService {
    core: Core,
}

impl PgCouponService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

fn code_taken(e: diesel::result::Error) -> Error {
    if is_unique_violation(&e, "coupons_store_code_key") {
        Error::conflict(crate::problems::CODE_TAKEN, "code", "Another coupon of this store uses this code.")
    } else {
        e.into()
    }
}

/// The coupon row, locked `FOR UPDATE` when `lock` is set; `None` when it is not in the store.
async fn find(conn: &mut AsyncPgConnection, store: StoreId, id: CouponId, lock: bool) -> Result<Option<Coupon>> {
    let query = coupons::table
        .filter(coupons::store_id.eq(store.uuid()))
        .filter(coupons::id.eq(id.uuid()))
        .select(CouponRow::as_select());
    let row = if lock { query.for_update().first(conn).await } else { query.first(conn).await };
    row.optional()?.map(Coupon::try_from).transpose()
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: CouponId, lock: bool) -> Result<Coupon> {
    find(conn, store, id, lock).await?.ok_or_else(|| Error::not_found("coupon"))
}

/// Who is buying, as redemptions record it: email lowercased, phone in E.164 (dropped when invalid).
#[derive(Debug, Clone, Default)]
struct Buyer {
    customer_id: Option<uuid::Uuid>,
    email: Option<String>,
    phone: Option<String>,
}

impl Buyer {
    fn of(ctx: &CouponContext) -> Self {
        let present = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Self {
            customer_id: ctx.customer_id.map(|c| c.uuid()),
            email: present(&ctx.email).map(|e| e.to_lowercase()),
            phone: present(&ctx.phone).and_then(|p| normalize_phone(&p).ok()),
        }
    }

    fn is_anonymous(&self) -> bool {
        self.customer_id.is_none() && self.email.is_none() && self.phone.is_none()
    }
}

/// Redemptions per coupon by this buyer: same customer id, same email or same phone. Runs only
/// for coupons with a per-customer limit.
async fn customer_uses(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    coupons: &[Coupon],
    buyer: &Buyer,
) -> Result<HashMap<CouponId, i64>> {
    let limited: Vec<uuid::Uuid> =
        coupons.iter().filter(|c| c.per_customer_limit.is_some()).map(|c| c.id.uuid()).collect();
    if limited.is_empty() || buyer.is_anonymous() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(uuid::Uuid, i64)> = coupon_redemptions::table
        .filter(coupon_redemptions::store_id.eq(store.uuid()))
        .filter(coupon_redemptions::coupon_id.eq_any(&limited))
        .filter(
            coupon_redemptions::customer_id
                .eq(buyer.customer_id)
                .or(coupon_redemptions::email.eq(buyer.email.as_deref()))
                .or(coupon_redemptions::phone.eq(buyer.phone.as_deref())),
        )
        .group_by(coupon_redemptions::coupon_id)
        .select((coupon_redemptions::coupon_id, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (CouponId(id), n)).collect())
}

/// Runs every rule over coupons already loaded, combining their discounts.
async fn apply(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    coupons: &[Coupon],
    ctx: &CouponContext,
) -> Result<Vec<AppliedCoupon>> {
    rules::check_combinable(coupons)?;
    let uses = customer_uses(conn, store, coupons, &Buyer::of(ctx)).await?;
    let applied = coupons
        .iter()
        .map(|c| rules::evaluate(c, ctx, uses.get(&c.id).copied().unwrap_or(0)))
        .collect::<Result<Vec<_>>>()?;
    rules::combine(applied, ctx)
}

#[async_trait]
impl CouponService for PgCouponService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Coupon>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = coupons::table
            .filter(coupons::store_id.eq(store.uuid()))
            .select(CouponRow::as_select())
            .order(coupons::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(coupons::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        let page = req.page(rows, |r| r.id)?;
        let data = page.data.into_iter().map(Coupon::try_from).collect::<Result<Vec<_>>>()?;
        Ok(Page { data, next_cursor: page.next_cursor })
    }

    async fn get(&self, store: StoreId, id: CouponId) -> Result<Coupon> {
        let mut conn = self.core.pool.get().await?;
        load(&mut conn, store, id, false).await
    }

    async fn create(&self, store: StoreId, req: CreateCoupon) -> Result<Coupon> {
        let draft = Draft::create(req);
        draft.check()?;
        let mut conn = self.core.pool.get().await?;
        check_targets(&mut conn, store, &draft.product_ids, &draft.category_ids).await?;
        let now = Utc::now();
        let row: CouponRow = diesel::insert_into(coupons::table)
            .values((
                coupons::store_id.eq(store.uuid()),
                coupons::id.eq(CouponId::new().uuid()),
                draft.changes(now),
                coupons::created_at.eq(now),
            ))
            .returning(CouponRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(code_taken)?;
        row.try_into()
    }

    async fn update(&self, store: StoreId, id: CouponId, req: UpdateCoupon) -> Result<Coupon> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let current = load(conn, store, id, true).await?;
            let (products, categories) = (req.product_ids.is_some(), req.category_ids.is_some());
            let draft = Draft::patch(current, req);
            draft.check()?;
            // Only lists given now are checked: a product deleted since stays harmlessly listed.
            let product_ids: &[ProductId] = if products { &draft.product_ids } else { &[] };
            let category_ids: &[CategoryId] = if categories { &draft.category_ids } else { &[] };
            check_targets(conn, store, product_ids, category_ids).await?;
            let row: CouponRow = diesel::update(
                coupons::table.filter(coupons::store_id.eq(store.uuid())).filter(coupons::id.eq(id.uuid())),
            )
            .set(draft.changes(Utc::now()))
            .returning(CouponRow::as_returning())
            .get_result(conn)
            .await
            .map_err(code_taken)?;
            row.try_into()
        })
        .await
    }

    async fn delete(&self, store: StoreId, id: CouponId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let current = load(conn, store, id, true).await?;
            let target = coupons::table.filter(coupons::store_id.eq(store.uuid())).filter(coupons::id.eq(id.uuid()));
            if current.times_used > 0 {
                diesel::update(target)
                    .set((coupons::active.eq(false), coupons::updated_at.eq(Utc::now())))
                    .execute(conn)
                    .await?;
            } else {
                diesel::delete(target).execute(conn).await?;
            }
            Ok(())
        })
        .await
    }

    async fn evaluate(&self, store: StoreId, codes: &[String], ctx: &CouponContext) -> Result<Vec<AppliedCoupon>> {
        let codes = rules::normalize_codes(codes);
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.core.pool.get().await?;
        let rows: Vec<CouponRow> = coupons::table
            .filter(coupons::store_id.eq(store.uuid()))
            .filter(coupons::code.eq_any(&codes))
            .filter(coupons::active.eq(true))
            .select(CouponRow::as_select())
            .load(&mut conn)
            .await?;
        let mut by_code: HashMap<String, CouponRow> = rows.into_iter().map(|r| (r.code.clone(), r)).collect();
        let found = codes
            .iter()
            .map(|code| by_code.remove(code).ok_or_else(|| rules::not_found(code)).and_then(Coupon::try_from))
            .collect::<Result<Vec<_>>>()?;
        apply(&mut conn, store, &found, ctx).await
    }
}

/// Inside the checkout's transaction: locks each coupon row (SELECT ... FOR UPDATE), re-checks the total and per-customer limits, increments times_used and records a redemption; fails with `coupon_usage_exhausted` when a limit is reached. Concurrent checkouts can never exceed a limit.
///
/// Every rule is run again on the locked rows (a coupon deactivated or expired since the cart was
/// priced is refused too); the per-customer limit answers `coupon_customer_limit_reached`, as in
/// [`CouponService::evaluate`]. Rows are locked in id order, so checkouts sharing coupons cannot
/// deadlock. A coupon redeemed twice for one order answers 409 `coupon_already_redeemed`.
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    applied: &[AppliedCoupon],
    order_id: uuid::Uuid,
    ctx: &CouponContext,
) -> Result<()> {
    let mut ids: Vec<CouponId> = applied.iter().map(|a| a.coupon_id).collect();
    ids.sort();
    ids.dedup();
    let mut locked = Vec::with_capacity(ids.len());
    for id in ids {
        let code = applied.iter().find(|a| a.coupon_id == id).map_or("", |a| a.code.as_str());
        locked.push(find(conn, store, id, true).await?.ok_or_else(|| rules::not_found(code))?);
    }
    apply(conn, store, &locked, ctx).await?;
    let buyer = Buyer::of(ctx);
    let now = Utc::now();
    for coupon in &locked {
        diesel::update(
            coupons::table.filter(coupons::store_id.eq(store.uuid())).filter(coupons::id.eq(coupon.id.uuid())),
        )
        .set(coupons::times_used.eq(coupons::times_used + 1))
        .execute(conn)
        .await?;
        diesel::insert_into(coupon_redemptions::table)
            .values((
                coupon_redemptions::store_id.eq(store.uuid()),
                coupon_redemptions::id.eq(uuid::Uuid::now_v7()),
                coupon_redemptions::coupon_id.eq(coupon.id.uuid()),
                coupon_redemptions::order_id.eq(order_id),
                coupon_redemptions::customer_id.eq(buyer.customer_id),
                coupon_redemptions::email.eq(buyer.email.as_deref()),
                coupon_redemptions::phone.eq(buyer.phone.as_deref()),
                coupon_redemptions::created_at.eq(now),
            ))
            .execute(conn)
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "coupon_redemptions_order_key") {
                    Error::conflict(
                        crate::problems::COUPON_ALREADY_REDEEMED,
                        "code",
                        "This coupon is already redeemed for this order.",
                    )
                } else {
                    e.into()
                }
            })?;
    }
    Ok(())
}
