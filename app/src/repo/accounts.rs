//! Accounts: partners, their customers, the vendor.

use sqlx::{AnyConnection, Row};

use super::{decode_stored, is_unique_violation, UniqueKey};
use crate::domain::{
    AccountId, AccountKind, AccountName, AccountRow, AccountSummary, AdminCursor, CurrentUser,
    CustomerWebsite, Standing,
};

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub kind: AccountKind,
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub managed_by: Option<AccountId>,
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InsertAccountError {
    #[error("an account of this kind with this name already exists")]
    NameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const NAME_KEY: UniqueKey = UniqueKey {
    constraint: "accounts_unique_name",
    sqlite_columns: "index 'accounts_unique_name'",
};

const SUMMARY_COLUMNS: &str = "a.id, a.kind, a.name, a.managed_by, m.name AS managed_by_name
    FROM accounts a LEFT JOIN accounts m ON m.id = a.managed_by";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<AccountSummary, sqlx::Error> {
    Ok(AccountSummary {
        id: AccountId(row.try_get("id")?),
        kind: decode_stored(row, "kind", AccountKind::parse)?,
        name: row.try_get("name")?,
        managed_by: row.try_get::<Option<i64>, _>("managed_by")?.map(AccountId),
        managed_by_name: row.try_get("managed_by_name")?,
    })
}

/// Creates an account.
#[tracing::instrument(skip(conn))]
pub async fn insert_account(
    conn: &mut AnyConnection,
    account: &NewAccount<'_>,
    at: i64,
) -> Result<AccountId, InsertAccountError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (kind, name, website, contact_name, contact_email, managed_by, created_at, website_domain)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(account.kind.as_str())
    .bind(account.name.trim())
    .bind(account.website)
    .bind(account.contact_name)
    .bind(account.contact_email)
    .bind(account.managed_by.map(|a| a.0))
    .bind(at)
    .bind(account.website.map(website_domain))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, &NAME_KEY) {
            InsertAccountError::NameTaken
        } else {
            e.into()
        }
    })?;
    Ok(AccountId(id))
}

/// The domain a website is matched by (see `CustomerWebsite::domain`);
/// empty for a website that does not parse, so it matches nothing.
fn website_domain(website: &str) -> String {
    CustomerWebsite::parse(website)
        .map(|w| w.domain())
        .unwrap_or_default()
}

/// Fills the website domain of accounts stored before it was kept (the
/// domain is the portal's own rule, not SQL's): once, at start-up, after the
/// migrations. Returns how many accounts it filled.
pub async fn backfill_website_domains(conn: &mut AnyConnection) -> Result<usize, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, website FROM accounts WHERE website IS NOT NULL AND website_domain IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (id, website) in &rows {
        sqlx::query("UPDATE accounts SET website_domain = $1 WHERE id = $2")
            .bind(website_domain(website))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows.len())
}

/// One account, if it exists.
/// Makes concurrent transactions that look up or create customers of
/// `partner` take turns until the calling one ends, so that two acceptances
/// for the same new customer create it once.
pub async fn lock_customers_of(conn: &mut AnyConnection, partner: AccountId) -> Result<(), sqlx::Error> {
    super::lock_row(conn, super::Locked::Account, partner.0).await
}

#[tracing::instrument(skip(conn))]
pub async fn find_account(
    conn: &mut AnyConnection,
    id: AccountId,
) -> Result<Option<AccountSummary>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {SUMMARY_COLUMNS} WHERE a.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(summary_from_row).transpose()
}

/// An account of `kind` found by its name, ignoring case (admin commands and
/// imports name accounts; people do not type ids). A parsed name: what no
/// account can be called (a NUL, which PostgreSQL refuses as a parameter)
/// is never looked up.
#[tracing::instrument(skip(conn))]
pub async fn find_account_by_name(
    conn: &mut AnyConnection,
    kind: AccountKind,
    name: &AccountName,
) -> Result<Vec<AccountSummary>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} WHERE a.kind = $1 AND lower(a.name) = lower($2) ORDER BY a.id"
    ))
    .bind(kind.as_str())
    .bind(name.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(summary_from_row).collect()
}

/// The accounts `user` may choose in "Select an account": their own first
/// (a partner's), then the others by name, at most `limit` of them, only
/// those whose name starts with `search` (any ASCII case) when there is one,
/// and `selected` whatever the search if the user may see it; and whether
/// more than `limit` matched. A partner with 5,000 customers, or the vendor
/// with every account, costs one page read in the name's index order.
#[tracing::instrument(skip(conn, user), fields(user = %user.id))]
pub async fn list_accounts_visible_to(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    search: Option<&str>,
    selected: Option<AccountId>,
    limit: usize,
) -> Result<(Vec<AccountSummary>, bool), sqlx::Error> {
    // The others a user chooses among: every account for the vendor's
    // staff; for a partner its customers, by kind and coalesce(managed_by, 0)
    // as in accounts_unique_name, whose lower(name) gives them in order.
    let others = if user.role.is_vendor_staff() {
        Some("a.kind <> 'vendor'")
    } else if user.role.is_partner() {
        Some("a.kind = 'customer' AND coalesce(a.managed_by, 0) = $2")
    } else {
        None
    };
    let mut accounts = Vec::new();
    if !user.role.is_vendor_staff() {
        accounts.extend(find_account(conn, user.account_id).await?);
    }
    let mut others = match others {
        None => Vec::new(),
        Some(condition) => {
            let search = search.map(str::trim).filter(|s| !s.is_empty());
            // The partner's id is $2 where the condition names it, the
            // search the next placeholder.
            let partner = condition.contains("$2").then_some(user.account_id.0);
            let name_starts = match (search, partner) {
                (None, _) => String::new(),
                (Some(_), p) => {
                    let n = if p.is_some() { 3 } else { 2 };
                    format!(" AND substr(lower(a.name), 1, length(lower(${n}))) = lower(${n})")
                }
            };
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} WHERE {condition}{name_starts} ORDER BY lower(a.name), a.id LIMIT $1"
            );
            let mut query = sqlx::query(&sql).bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
            if let Some(partner) = partner {
                query = query.bind(partner);
            }
            if let Some(search) = search {
                query = query.bind(search);
            }
            query
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(summary_from_row)
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let more = others.len() > limit;
    others.truncate(limit);
    accounts.extend(others);
    if let Some(selected) = selected.filter(|s| !accounts.iter().any(|a| a.id == *s)) {
        if let Some(account) = find_account(conn, selected).await? {
            if crate::domain::may_view_account(user, &account) {
                accounts.push(account);
            }
        }
    }
    Ok((accounts, more))
}

/// Whether an account exists and is not deactivated.
#[tracing::instrument(skip(conn))]
pub async fn account_is_active(conn: &mut AnyConnection, id: AccountId) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1 AND deactivated_at IS NULL")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

const ROW_COLUMNS: &str =
    "a.id, a.kind, a.name, lower(a.name) AS sort_key, a.website, a.contact_name, a.contact_email,
     a.managed_by, m.name AS managed_by_name, a.deactivated_at
     FROM accounts a LEFT JOIN accounts m ON m.id = a.managed_by";

fn account_row(row: &sqlx::any::AnyRow) -> Result<(AccountRow, String), sqlx::Error> {
    Ok((
        AccountRow {
            id: AccountId(row.try_get("id")?),
            kind: decode_stored(row, "kind", AccountKind::parse)?,
            name: row.try_get("name")?,
            website: row.try_get("website")?,
            contact_name: row.try_get("contact_name")?,
            contact_email: row.try_get("contact_email")?,
            managed_by: row.try_get::<Option<i64>, _>("managed_by")?.map(AccountId),
            managed_by_name: row.try_get("managed_by_name")?,
            standing: Standing::of(row.try_get("deactivated_at")?),
        },
        row.try_get("sort_key")?,
    ))
}

/// A page of the accounts of `kind`, by name (any case), after `after`,
/// those whose name starts with `search` (any case) when it is not empty:
/// read in the order of `accounts_by_kind_and_name`. Each row with its sort key.
#[tracing::instrument(skip(conn))]
pub async fn list_account_rows(
    conn: &mut AnyConnection,
    kind: AccountKind,
    search: &str,
    after: Option<&AdminCursor>,
    limit: i64,
) -> Result<Vec<(AccountRow, String)>, sqlx::Error> {
    let (key, id) = after.map(|c| (c.key.as_str(), c.id)).unwrap_or(("", -1));
    sqlx::query(&format!(
        "SELECT {ROW_COLUMNS}
         WHERE a.kind = $1
           AND ($2 = '' OR substr(lower(a.name), 1, length(lower($2))) = lower($2))
           AND lower(a.name) >= $3 AND (lower(a.name) > $3 OR a.id > $4)
         ORDER BY lower(a.name), a.id LIMIT $5"
    ))
    .bind(kind.as_str())
    .bind(search)
    .bind(key)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(account_row)
    .collect()
}

/// One account as Administration shows it.
#[tracing::instrument(skip(conn))]
pub async fn find_account_row(
    conn: &mut AnyConnection,
    id: AccountId,
) -> Result<Option<AccountRow>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {ROW_COLUMNS} WHERE a.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(account_row).transpose()?.map(|(row, _)| row))
}

/// Stores an account's new details (its kind and partner stay).
#[tracing::instrument(skip(conn))]
pub async fn update_account(
    conn: &mut AnyConnection,
    id: AccountId,
    account: &NewAccount<'_>,
) -> Result<(), InsertAccountError> {
    sqlx::query(
        "UPDATE accounts SET name = $1, website = $2, contact_name = $3, contact_email = $4,
                managed_by = $5, website_domain = $6
         WHERE id = $7",
    )
    .bind(account.name.trim())
    .bind(account.website)
    .bind(account.contact_name)
    .bind(account.contact_email)
    .bind(account.managed_by.map(|a| a.0))
    .bind(account.website.map(website_domain))
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, &NAME_KEY) {
            InsertAccountError::NameTaken
        } else {
            e.into()
        }
    })?;
    Ok(())
}
