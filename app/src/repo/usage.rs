//! The usage ledger: what of a customer's entitlements is bound to a Control
//! Room or configured into a license file.

use sqlx::{AnyConnection, Row};

use super::decode_stored;
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
    /// When it happened, by the services' clock.
    pub at: i64,
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

/// The entitlements `account` may put to use, those it received through
/// accepted drawdowns, with what of each is in use. A partner's own order
/// stock is not listed: it is for drawing down to customers.
#[tracing::instrument(skip(conn))]
pub async fn list_usable_entitlements(
    conn: &mut AnyConnection,
    account: AccountId,
    model: LicenseModel,
) -> Result<Vec<UsableEntitlement>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT e.id, e.product_id, p.name, p.license_model, e.term_months, e.quantity, e.created_at, dr.number,
                e.in_use
         FROM entitlements e
         JOIN products p ON p.id = e.product_id
         JOIN drawdown_requests dr ON dr.id = e.drawdown_request_id
         WHERE e.account_id = $1 AND p.license_model = $2
         ORDER BY p.name, e.created_at, e.id",
    )
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
/// Two stored figures move with the entry, each by a conditional UPDATE
/// whose condition is the rule: what is in use of the entitlement (never
/// past its quantity) and what the target holds of it (never below zero).
/// On PostgreSQL the UPDATE locks the entitlement's row and re-checks its
/// condition against what the previous holder committed, so no interleaving
/// assigns more than an entitlement holds; SQLite has one writer. CHECK
/// constraints on both columns back this up.
#[tracing::instrument(skip(conn))]
pub async fn append_usage_entry(conn: &mut AnyConnection, entry: NewUsageEntry) -> Result<(), UsageError> {
    if entry.quantity <= 0 {
        return Err(UsageError::NotEnough {
            free: 0,
            requested: entry.quantity,
        });
    }
    let (instance, file) = match entry.target {
        UsageTarget::ControlRoom(i) => (Some(i.0), None),
        UsageTarget::LicenseFile(f) => (None, Some(f.0)),
    };
    let moved = match entry.kind {
        UsageKind::Assign => {
            let moved = move_in_use(
                conn,
                "UPDATE entitlements SET in_use = in_use + $2
                 WHERE id = $1 AND drawdown_request_id IS NOT NULL AND quantity - in_use >= $2",
                &entry,
            )
            .await?;
            if moved {
                add_to_holding(conn, entry.entitlement, entry.target, entry.quantity).await?;
            }
            moved
        }
        UsageKind::Release => {
            // The entitlement's row first, as an assignment takes it, so a
            // release and an assignment never wait on each other in turn.
            let freed = move_in_use(
                conn,
                "UPDATE entitlements SET in_use = in_use - $2 WHERE id = $1 AND in_use >= $2",
                &entry,
            )
            .await?;
            let moved = freed
                && sqlx::query(&format!(
                    "UPDATE usage_holdings SET quantity = quantity - $2
                 WHERE entitlement_id = $1 AND {} AND quantity >= $2",
                    target_condition(entry.target)
                ))
                .bind(entry.entitlement.0)
                .bind(entry.quantity)
                .bind(instance.or(file))
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1;
            if freed && !moved {
                // The target holds less: give the entitlement its figure back.
                move_in_use(
                    conn,
                    "UPDATE entitlements SET in_use = in_use + $2 WHERE id = $1",
                    &entry,
                )
                .await?;
            }
            moved
        }
    };
    if !moved {
        return Err(UsageError::NotEnough {
            free: free_for(conn, &entry).await?,
            requested: entry.quantity,
        });
    }
    sqlx::query(
        "INSERT INTO usage_entries (entitlement_id, kind, quantity, service_instance_id, license_file_id, user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.entitlement.0)
    .bind(entry.kind.as_str())
    .bind(entry.quantity)
    .bind(instance)
    .bind(file)
    .bind(entry.user.map(|u| u.0))
    .bind(entry.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Runs a guarded UPDATE of what is in use of the entry's entitlement (`$1`
/// its id, `$2` the entry's quantity); true when the row moved.
async fn move_in_use(
    conn: &mut AnyConnection,
    sql: &str,
    entry: &NewUsageEntry,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(sql)
        .bind(entry.entitlement.0)
        .bind(entry.quantity)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The condition on `usage_holdings` that picks `target`, with its id as `$3`.
fn target_condition(target: UsageTarget) -> &'static str {
    match target {
        UsageTarget::ControlRoom(_) => "service_instance_id = $3",
        UsageTarget::LicenseFile(_) => "license_file_id = $3",
    }
}

/// Adds to what `target` holds of `entitlement`, creating the holding the
/// first time.
async fn add_to_holding(
    conn: &mut AnyConnection,
    entitlement: EntitlementId,
    target: UsageTarget,
    quantity: i64,
) -> Result<(), sqlx::Error> {
    let (column, id) = match target {
        UsageTarget::ControlRoom(i) => ("service_instance_id", i.0),
        UsageTarget::LicenseFile(f) => ("license_file_id", f.0),
    };
    sqlx::query(&format!(
        "INSERT INTO usage_holdings (entitlement_id, {column}, quantity) VALUES ($1, $2, $3)
         ON CONFLICT ({column}, entitlement_id) WHERE {column} IS NOT NULL
         DO UPDATE SET quantity = usage_holdings.quantity + excluded.quantity"
    ))
    .bind(entitlement.0)
    .bind(id)
    .bind(quantity)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// For a refused movement, what there was: free of the entitlement for an
/// assignment, held by the target for a release.
async fn free_for(conn: &mut AnyConnection, entry: &NewUsageEntry) -> Result<i64, sqlx::Error> {
    let free: Option<i64> = match entry.kind {
        UsageKind::Assign => sqlx::query_scalar(
            "SELECT quantity - in_use FROM entitlements WHERE id = $1 AND drawdown_request_id IS NOT NULL",
        )
        .bind(entry.entitlement.0)
        .fetch_optional(&mut *conn)
        .await?,
        UsageKind::Release => {
            let id = match entry.target {
                UsageTarget::ControlRoom(i) => i.0,
                UsageTarget::LicenseFile(f) => f.0,
            };
            sqlx::query_scalar(&format!(
                "SELECT quantity FROM usage_holdings WHERE entitlement_id = $1 AND {}",
                target_condition(entry.target).replace("$3", "$2")
            ))
            .bind(entry.entitlement.0)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    Ok(free.unwrap_or(0))
}

/// What is bound to each Control Room of `account`, by instance.
#[tracing::instrument(skip(conn))]
pub async fn list_bindings(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<(ServiceInstanceId, Binding)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT h.service_instance_id, e.id, p.name, e.term_months, h.quantity AS bound
         FROM service_instances i
         JOIN usage_holdings h ON h.service_instance_id = i.id
         JOIN entitlements e ON e.id = h.entitlement_id
         JOIN products p ON p.id = e.product_id
         WHERE i.account_id = $1 AND h.quantity > 0
         ORDER BY h.service_instance_id, p.name, e.id",
    )
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

/// What each of `files` held when it was issued, by file.
#[tracing::instrument(skip(conn))]
pub async fn list_file_lines(
    conn: &mut AnyConnection,
    files: &[LicenseFileId],
) -> Result<Vec<(LicenseFileId, LicenseFileLine)>, sqlx::Error> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    // A file's lines are what was assigned to it; a revoked or replaced
    // file has since given them back, but still shows what it held. Only
    // the files shown are read, through `usage_entries_file`.
    let placeholders = (1..=files.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT u.license_file_id, e.id, p.name, e.term_months, CAST(sum(u.quantity) AS BIGINT) AS quantity
         FROM usage_entries u
         JOIN entitlements e ON e.id = u.entitlement_id
         JOIN products p ON p.id = e.product_id
         WHERE u.license_file_id IN ({placeholders}) AND u.kind = 'assign'
         GROUP BY u.license_file_id, e.id, p.name, e.term_months
         ORDER BY u.license_file_id, p.name, e.id"
    );
    let mut query = sqlx::query(&sql);
    for file in files {
        query = query.bind(file.0);
    }
    let rows = query.fetch_all(&mut *conn).await?;
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
        "SELECT entitlement_id, quantity AS held FROM usage_holdings
         WHERE {column} = $1 AND quantity > 0 ORDER BY entitlement_id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((EntitlementId(r.try_get("entitlement_id")?), r.try_get("held")?)))
        .collect()
}
