//! The usage ledger: what of a customer's entitlements is bound to a Control
//! Room or configured into a license file.

use sqlx::{AnyConnection, Row};

use super::{decode_stored, now};
use crate::domain::{
    add_months, AccountId, Binding, EntitlementId, LicenseFileId, LicenseFileLine, LicenseModel, ProductId,
    ServiceInstanceId, UsableEntitlement, UserId,
};

/// What a usage entry puts an entitlement to, or takes it back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageTarget {
    /// Bound to a Control Room's license GUID.
    ControlRoom(ServiceInstanceId),
    /// Configured into a license file.
    LicenseFile(LicenseFileId),
}

/// Whether an entry puts quantity to use or gives it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageKind {
    Assign,
    Release,
}

impl UsageKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Assign => "assign",
            Self::Release => "release",
        }
    }
}

/// A usage movement to record.
#[derive(Debug, Clone, Copy)]
pub struct NewUsageEntry {
    pub entitlement: EntitlementId,
    pub kind: UsageKind,
    pub quantity: i64,
    pub target: UsageTarget,
    pub user: Option<UserId>,
}

/// Why a usage movement was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// Assigning more than is free, or releasing more than the target holds.
    #[error("not enough: {free} free, {requested} asked")]
    NotEnough { free: i64, requested: i64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What is in use of each entitlement: assigned less released.
const IN_USE_SQL: &str =
    "CAST(coalesce(sum(CASE u.kind WHEN 'assign' THEN u.quantity ELSE -u.quantity END), 0) AS BIGINT)";

/// The entitlements `account` may put to use, those it received through
/// accepted drawdowns, with what of each is in use. A partner's own order
/// stock is not listed: it is for drawing down to customers.
#[tracing::instrument(skip(conn))]
pub async fn list_usable_entitlements(
    conn: &mut AnyConnection,
    account: AccountId,
    model: LicenseModel,
) -> Result<Vec<UsableEntitlement>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT e.id, e.product_id, p.name, p.license_model, e.term_months, e.quantity, e.created_at, dr.number,
                {IN_USE_SQL} AS in_use
         FROM entitlements e
         JOIN products p ON p.id = e.product_id
         JOIN drawdown_requests dr ON dr.id = e.drawdown_request_id
         LEFT JOIN usage_entries u ON u.entitlement_id = e.id
         WHERE e.account_id = $1 AND p.license_model = $2
         GROUP BY e.id, e.product_id, p.name, p.license_model, e.term_months, e.quantity, e.created_at, dr.number
         ORDER BY p.name, e.created_at, e.id"
    ))
    .bind(account.0)
    .bind(model.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let term_months: i64 = r.try_get("term_months")?;
            let number: i64 = r.try_get("number")?;
            Ok(UsableEntitlement {
                id: EntitlementId(r.try_get("id")?),
                product_id: ProductId(r.try_get("product_id")?),
                product_name: r.try_get("name")?,
                license_model: decode_stored(r, "license_model", LicenseModel::parse)?,
                term_months,
                source: format!("PDR-{number:06}"),
                ends_at: add_months(r.try_get("created_at")?, term_months),
                quantity: r.try_get("quantity")?,
                in_use: r.try_get("in_use")?,
            })
        })
        .collect()
}

/// Records a movement if the entitlement (for an assignment) or the target
/// (for a release) has enough, else records nothing.
///
/// The entitlement's row is locked and the check and the insert are one
/// statement, as in the order ledger, so no interleaving of transactions can
/// assign more than an entitlement holds or release more than a target was
/// given.
#[tracing::instrument(skip(conn))]
pub async fn append_usage_entry(conn: &mut AnyConnection, entry: NewUsageEntry) -> Result<(), UsageError> {
    if entry.quantity <= 0 {
        return Err(UsageError::NotEnough {
            free: 0,
            requested: entry.quantity,
        });
    }
    super::lock_row(conn, super::Locked::Entitlement, entry.entitlement.0).await?;
    let (instance, file) = match entry.target {
        UsageTarget::ControlRoom(i) => (Some(i.0), None),
        UsageTarget::LicenseFile(f) => (None, Some(f.0)),
    };
    let done = sqlx::query(&format!(
        "INSERT INTO usage_entries (entitlement_id, kind, quantity, service_instance_id, license_file_id, user_id, created_at)
         SELECT $1, $2, $3, $4, $5, $6, $7
         FROM entitlements e
         WHERE e.id = $1 AND e.drawdown_request_id IS NOT NULL
           AND ({FREE_SQL}) >= $3"
    ))
    .bind(entry.entitlement.0)
    .bind(entry.kind.as_str())
    .bind(entry.quantity)
    .bind(instance)
    .bind(file)
    .bind(entry.user.map(|u| u.0))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    // Refused: say what there was, from what the statement saw.
    let free = match entry.kind {
        UsageKind::Assign => sqlx::query_scalar(&format!(
            "SELECT e.quantity - {IN_USE_SQL} FROM entitlements e
             LEFT JOIN usage_entries u ON u.entitlement_id = e.id
             WHERE e.id = $1 AND e.drawdown_request_id IS NOT NULL GROUP BY e.id, e.quantity"
        ))
        .bind(entry.entitlement.0)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0),
        UsageKind::Release => list_held_by(conn, entry.target)
            .await?
            .into_iter()
            .find(|(e, _)| *e == entry.entitlement)
            .map_or(0, |(_, held)| held),
    };
    Err(UsageError::NotEnough {
        free,
        requested: entry.quantity,
    })
}

/// For an assignment, what of entitlement `$1` is free; for a release, what
/// target `$4`/`$5` holds of it.
const FREE_SQL: &str = "CASE WHEN $2 = 'assign'
    THEN e.quantity - (SELECT coalesce(sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END), 0)
                       FROM usage_entries WHERE entitlement_id = $1)
    ELSE (SELECT coalesce(sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END), 0)
          FROM usage_entries WHERE entitlement_id = $1
            AND (service_instance_id = $4 OR license_file_id = $5)) END";

/// What is bound to each Control Room of `account`, by instance.
#[tracing::instrument(skip(conn))]
pub async fn list_bindings(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<(ServiceInstanceId, Binding)>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT u.service_instance_id, e.id, p.name, e.term_months, {IN_USE_SQL} AS bound
         FROM usage_entries u
         JOIN entitlements e ON e.id = u.entitlement_id
         JOIN products p ON p.id = e.product_id
         WHERE e.account_id = $1 AND u.service_instance_id IS NOT NULL
         GROUP BY u.service_instance_id, e.id, p.name, e.term_months
         HAVING {IN_USE_SQL} > 0
         ORDER BY u.service_instance_id, p.name, e.id"
    ))
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                ServiceInstanceId(r.try_get("service_instance_id")?),
                Binding {
                    entitlement: EntitlementId(r.try_get("id")?),
                    product_name: r.try_get("name")?,
                    term_months: r.try_get("term_months")?,
                    quantity: r.try_get("bound")?,
                },
            ))
        })
        .collect()
}

/// What each license file of `account` holds, by file.
#[tracing::instrument(skip(conn))]
pub async fn list_file_lines(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<(LicenseFileId, LicenseFileLine)>, sqlx::Error> {
    // A file's lines are what was assigned to it; a revoked or replaced
    // file has since given them back, but still shows what it held.
    let rows = sqlx::query(
        "SELECT u.license_file_id, e.id, p.name, e.term_months, CAST(sum(u.quantity) AS BIGINT) AS quantity
         FROM usage_entries u
         JOIN entitlements e ON e.id = u.entitlement_id
         JOIN products p ON p.id = e.product_id
         WHERE e.account_id = $1 AND u.license_file_id IS NOT NULL AND u.kind = 'assign'
         GROUP BY u.license_file_id, e.id, p.name, e.term_months
         ORDER BY u.license_file_id, p.name, e.id",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                LicenseFileId(r.try_get("license_file_id")?),
                LicenseFileLine {
                    entitlement: EntitlementId(r.try_get("id")?),
                    product_name: r.try_get("name")?,
                    term_months: r.try_get("term_months")?,
                    quantity: r.try_get("quantity")?,
                },
            ))
        })
        .collect()
}

/// What `target` holds now, per entitlement: what to give back when it is
/// unbound, reconfigured or revoked.
#[tracing::instrument(skip(conn))]
pub async fn list_held_by(
    conn: &mut AnyConnection,
    target: UsageTarget,
) -> Result<Vec<(EntitlementId, i64)>, sqlx::Error> {
    let (column, id) = match target {
        UsageTarget::ControlRoom(i) => ("service_instance_id", i.0),
        UsageTarget::LicenseFile(f) => ("license_file_id", f.0),
    };
    let rows = sqlx::query(&format!(
        "SELECT u.entitlement_id, {IN_USE_SQL} AS held FROM usage_entries u
         WHERE u.{column} = $1 GROUP BY u.entitlement_id HAVING {IN_USE_SQL} > 0 ORDER BY u.entitlement_id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((EntitlementId(r.try_get("entitlement_id")?), r.try_get("held")?)))
        .collect()
}
