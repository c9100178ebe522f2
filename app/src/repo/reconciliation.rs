//! The proof that the stored balances and the ledgers agree: every stored
//! figure recomputed from the append-only entries that explain it. Reads
//! whole tables, so it is for `server ledger check` and the tests, never for
//! a request path.

use sqlx::{AnyConnection, Row};

/// One stored figure that its ledger does not explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What the figure belongs to, e.g. "order line 12".
    pub subject: String,
    /// Which figure, e.g. "reserved".
    pub figure: String,
    /// What is stored.
    pub stored: i64,
    /// What the ledger sums to.
    pub ledger: i64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} is {} stored, {} by the ledger",
            self.subject, self.figure, self.stored, self.ledger
        )
    }
}

/// What was compared, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checked {
    pub order_lines: i64,
    pub entitlements: i64,
    pub usage_holdings: i64,
    pub ledger_entries: i64,
    pub usage_entries: i64,
}

/// Each comparison: the subject's label, and a query returning
/// `(id, figure, stored, ledger)` rows only where the two differ.
const CHECKS: &[(&str, &str)] = &[
    (
        "order line",
        "SELECT ol.id, 'reserved' AS figure, ol.reserved AS stored, coalesce(l.reserved, 0) AS ledger
         FROM order_lines ol LEFT JOIN (
             SELECT order_line_id, CAST(sum(CASE kind WHEN 'reserve' THEN quantity ELSE -quantity END) AS BIGINT) AS reserved
             FROM ledger_entries GROUP BY order_line_id) l ON l.order_line_id = ol.id
         WHERE ol.reserved <> coalesce(l.reserved, 0)
         UNION ALL
         SELECT ol.id, 'drawn', ol.drawn, coalesce(l.drawn, 0)
         FROM order_lines ol LEFT JOIN (
             SELECT order_line_id, CAST(sum(quantity) AS BIGINT) AS drawn
             FROM ledger_entries WHERE kind = 'draw' GROUP BY order_line_id) l ON l.order_line_id = ol.id
         WHERE ol.drawn <> coalesce(l.drawn, 0)",
    ),
    (
        // What the ledger holds as reserved is what open requests ask, and
        // what it drew is what accepted requests asked.
        "order line",
        "SELECT ol.id, 'reserved for submitted and approved requests' AS figure,
                ol.reserved AS stored, coalesce(r.open, 0) AS ledger
         FROM order_lines ol LEFT JOIN (
             SELECT l.order_line_id, CAST(sum(l.quantity) AS BIGINT) AS open
             FROM drawdown_request_lines l JOIN drawdown_requests d ON d.id = l.drawdown_request_id
             WHERE d.state IN ('submitted', 'approved') GROUP BY l.order_line_id) r ON r.order_line_id = ol.id
         WHERE ol.reserved <> coalesce(r.open, 0)
         UNION ALL
         SELECT ol.id, 'drawn for accepted requests', ol.drawn, coalesce(r.accepted, 0)
         FROM order_lines ol LEFT JOIN (
             SELECT l.order_line_id, CAST(sum(l.quantity) AS BIGINT) AS accepted
             FROM drawdown_request_lines l JOIN drawdown_requests d ON d.id = l.drawdown_request_id
             WHERE d.state = 'accepted' GROUP BY l.order_line_id) r ON r.order_line_id = ol.id
         WHERE ol.drawn <> coalesce(r.accepted, 0)",
    ),
    (
        "entitlement",
        "SELECT e.id, 'in use' AS figure, e.in_use AS stored, coalesce(u.in_use, 0) AS ledger
         FROM entitlements e LEFT JOIN (
             SELECT entitlement_id, CAST(sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END) AS BIGINT) AS in_use
             FROM usage_entries GROUP BY entitlement_id) u ON u.entitlement_id = e.id
         WHERE e.in_use <> coalesce(u.in_use, 0)",
    ),
    (
        // Each accepted request gave its customer what it drew.
        "drawdown request",
        "SELECT d.id, 'entitlements given for its draws' AS figure,
                coalesce(g.given, 0) AS stored, coalesce(l.drawn, 0) AS ledger
         FROM drawdown_requests d
         LEFT JOIN (SELECT drawdown_request_id, CAST(sum(quantity) AS BIGINT) AS drawn FROM ledger_entries
                    WHERE kind = 'draw' GROUP BY drawdown_request_id) l ON l.drawdown_request_id = d.id
         LEFT JOIN (SELECT drawdown_request_id, CAST(sum(quantity) AS BIGINT) AS given FROM entitlements
                    WHERE drawdown_request_id IS NOT NULL GROUP BY drawdown_request_id) g ON g.drawdown_request_id = d.id
         WHERE coalesce(g.given, 0) <> coalesce(l.drawn, 0)",
    ),
    (
        // Per Control Room or file and entitlement; a holding with no
        // entries, or entries with no holding, shows as a difference too.
        "usage holding of entitlement",
        "SELECT h.entitlement_id, 'held by its Control Room or license file' AS figure,
                h.quantity AS stored, coalesce(u.held, 0) AS ledger
         FROM usage_holdings h LEFT JOIN (
             SELECT entitlement_id, service_instance_id, license_file_id,
                    CAST(sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END) AS BIGINT) AS held
             FROM usage_entries GROUP BY entitlement_id, service_instance_id, license_file_id) u
           ON u.entitlement_id = h.entitlement_id
          AND (u.service_instance_id = h.service_instance_id OR u.license_file_id = h.license_file_id)
         WHERE h.quantity <> coalesce(u.held, 0)
         UNION ALL
         SELECT u.entitlement_id, 'held by a Control Room or license file with no stored holding', 0, u.held
         FROM (SELECT entitlement_id, service_instance_id, license_file_id,
                      CAST(sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END) AS BIGINT) AS held
               FROM usage_entries GROUP BY entitlement_id, service_instance_id, license_file_id) u
         WHERE u.held <> 0 AND NOT EXISTS (
             SELECT 1 FROM usage_holdings h WHERE h.entitlement_id = u.entitlement_id
               AND (h.service_instance_id = u.service_instance_id OR h.license_file_id = u.license_file_id))",
    ),
];

/// Every stored balance that its ledger does not explain, and what was checked.
#[tracing::instrument(skip(conn))]
pub async fn find_mismatches(conn: &mut AnyConnection) -> Result<(Checked, Vec<Mismatch>), sqlx::Error> {
    let mut mismatches = Vec::new();
    for (subject, sql) in CHECKS {
        for r in sqlx::query(sql).fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get(0)?;
            mismatches.push(Mismatch {
                subject: format!("{subject} {id}"),
                figure: r.try_get(1)?,
                stored: r.try_get(2)?,
                ledger: r.try_get(3)?,
            });
        }
    }
    let count = |table: &'static str| format!("SELECT count(*) FROM {table}");
    let mut checked = Checked::default();
    for (slot, table) in [
        (&mut checked.order_lines, "order_lines"),
        (&mut checked.entitlements, "entitlements"),
        (&mut checked.usage_holdings, "usage_holdings"),
        (&mut checked.ledger_entries, "ledger_entries"),
        (&mut checked.usage_entries, "usage_entries"),
    ] {
        *slot = sqlx::query_scalar(&count(table)).fetch_one(&mut *conn).await?;
    }
    Ok((checked, mismatches))
}
