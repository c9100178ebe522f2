//! The audit log: append-only (triggers refuse UPDATE and DELETE), one entry
//! written in the transaction of the change it records, so a change that
//! rolls back leaves none.

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use crate::domain::{AccountId, AuditActor, AuditCursor, AuditEntry, AuditKind, AuditObject};

/// Records one change. `before` and `after` are JSON objects of the fields
/// that changed (`None` where there was nothing before, or is nothing after).
#[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
pub async fn record(
    conn: &mut AnyConnection,
    at: i64,
    actor: &AuditActor,
    kind: AuditKind,
    object: &AuditObject,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor, address, kind, object_kind, object_id, object_label, account_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(at)
    .bind(actor.user.map(|u| u.0))
    .bind(printable(&actor.label))
    .bind(actor.address.as_deref().map(printable))
    .bind(kind.as_str())
    .bind(object.kind)
    .bind(object.id)
    .bind(printable(&object.label))
    .bind(object.account.map(|a| a.0))
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a deactivation (`active` false: `kinds.0`) or a reactivation
/// (`kinds.1`) of `object`, its state before and after.
pub async fn record_standing(
    conn: &mut AnyConnection,
    at: i64,
    actor: &AuditActor,
    kinds: (AuditKind, AuditKind),
    object: &AuditObject,
    active: bool,
) -> Result<(), sqlx::Error> {
    let (kind, before, after) = if active {
        (kinds.1, "deactivated", "active")
    } else {
        (kinds.0, "active", "deactivated")
    };
    let state = |s: &str| serde_json::json!({ "state": s });
    record(
        conn,
        at,
        actor,
        kind,
        object,
        Some(&state(before)),
        Some(&state(after)),
    )
    .await
}

/// A label as the log shows it: what was typed at a failed sign-in can hold
/// control characters, which PostgreSQL's text refuses (NUL) and no reader
/// of the log wants.
fn printable(label: &str) -> String {
    label.chars().filter(|c| !c.is_control()).collect()
}

/// Which entries to read: each filter narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor as the entry names them (an email, "server").
    pub actor: Option<String>,
    pub account: Option<AccountId>,
    pub kind: Option<AuditKind>,
    /// From this instant (inclusive).
    pub from: Option<i64>,
    /// Until this instant (exclusive).
    pub until: Option<i64>,
}

/// Up to `limit` entries matching `filter`, newest first, older than `after`.
/// Only the filters set are in the statement, so each one's index (leading
/// with its column, then `at`) serves it: `x IS NULL OR` in a prepared
/// statement would let PostgreSQL's generic plan scan the whole log.
#[tracing::instrument(skip(conn))]
pub async fn list_entries(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    after: Option<AuditCursor>,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let (after_at, after_id) = after.unwrap_or((i64::MAX, i64::MAX));
    let mut conditions = vec!["(l.at < $1 OR (l.at = $1 AND l.id < $2))".to_string()];
    let mut next = 3;
    let mut condition = |sql: &str| {
        conditions.push(sql.replace('?', &format!("${next}")));
        next += 1;
    };
    if filter.actor.is_some() {
        condition("l.actor = ?");
    }
    if filter.account.is_some() {
        condition("l.account_id = ?");
    }
    if filter.kind.is_some() {
        condition("l.kind = ?");
    }
    if filter.from.is_some() {
        condition("l.at >= ?");
    }
    if filter.until.is_some() {
        condition("l.at < ?");
    }
    let sql = format!(
        "SELECT l.id, l.at, l.actor, l.address, l.kind, l.object_kind, l.object_label, a.name AS account_name, l.before, l.after
         FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id
         WHERE {}
         ORDER BY l.at DESC, l.id DESC
         LIMIT ${next}",
        conditions.join(" AND ")
    );
    let mut query = sqlx::query(&sql).bind(after_at).bind(after_id);
    if let Some(actor) = &filter.actor {
        query = query.bind(actor.as_str());
    }
    if let Some(account) = filter.account {
        query = query.bind(account.0);
    }
    if let Some(kind) = filter.kind {
        query = query.bind(kind.as_str());
    }
    if let Some(from) = filter.from {
        query = query.bind(from);
    }
    if let Some(until) = filter.until {
        query = query.bind(until);
    }
    let rows = query.bind(limit).fetch_all(&mut *conn).await?;
    rows.iter().map(entry_from_row).collect()
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        address: row.try_get("address")?,
        kind: decode_stored(row, "kind", AuditKind::parse)?,
        object_kind: row.try_get("object_kind")?,
        object_label: row.try_get("object_label")?,
        account_name: row.try_get("account_name")?,
        before: row.try_get("before")?,
        after: row.try_get("after")?,
    })
}
