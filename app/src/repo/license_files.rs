//! Signed license files for Control Room installations.

use sqlx::{AnyConnection, Row};

use super::{decode_stored, is_unique_violation, UniqueKey};
use crate::domain::{
    AccountId, HostId, HostName, LicenseFileId, LicenseFileState, LicenseFileSummary, UserId,
};

/// A file about to be issued.
#[derive(Debug, Clone)]
pub struct NewLicenseFileRow<'a> {
    pub account: AccountId,
    pub host_name: &'a HostName,
    pub host_id: &'a HostId,
    pub issued_at: i64,
    /// When its entitlements end: no renewal goes past it.
    pub expires_at: i64,
    /// When the lease of the copy signed now ends.
    pub not_after: i64,
    pub created_by: UserId,
    pub replaces: Option<LicenseFileId>,
}

/// Why a file was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum InsertFileError {
    /// The installation already has a current file.
    #[error("the installation already has a license file")]
    HostHasFile,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const ONE_ACTIVE_PER_HOST: UniqueKey = UniqueKey {
    constraint: "license_files_one_active_per_host",
    sqlite_columns: "license_files.account_id, license_files.host_id",
};

/// Records an active file; its signed text follows with `set_signed_text`
/// once its number is known.
#[tracing::instrument(skip(conn))]
pub async fn insert_license_file(
    conn: &mut AnyConnection,
    file: &NewLicenseFileRow<'_>,
) -> Result<LicenseFileId, InsertFileError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO license_files (account_id, host_name, host_id, state, signed_text, issued_at, expires_at, not_after, created_by, replaces, changed_at)
         VALUES ($1, $2, $3, 'active', '', $4, $5, $6, $7, $8, $4) RETURNING id",
    )
    .bind(file.account.0)
    .bind(file.host_name.as_str())
    .bind(file.host_id.as_str())
    .bind(file.issued_at)
    .bind(file.expires_at)
    .bind(file.not_after)
    .bind(file.created_by.0)
    .bind(file.replaces.map(|f| f.0))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, &ONE_ACTIVE_PER_HOST) {
            InsertFileError::HostHasFile
        } else {
            e.into()
        }
    })?;
    Ok(LicenseFileId(id))
}

/// Stores what was signed and the end of its lease. False when the file
/// is not active any more (a renewal that lost to a revocation).
pub async fn set_signed_text(
    conn: &mut AnyConnection,
    id: LicenseFileId,
    text: &str,
    not_after: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE license_files SET signed_text = $1, not_after = $2 WHERE id = $3 AND state = 'active'",
    )
    .bind(text)
    .bind(not_after)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ended files whose lease ran out by `at` and that still hold quantities,
/// oldest lease first, at most `limit`.
#[tracing::instrument(skip(conn))]
pub async fn list_lapsed_files(
    conn: &mut AnyConnection,
    at: i64,
    limit: i64,
) -> Result<Vec<(AccountId, LicenseFileId)>, sqlx::Error> {
    sqlx::query(
        "SELECT account_id, id FROM license_files
         WHERE state <> 'active' AND released_at IS NULL AND not_after <= $1
         ORDER BY not_after LIMIT $2",
    )
    .bind(at)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok((
            AccountId(r.try_get("account_id")?),
            LicenseFileId(r.try_get("id")?),
        ))
    })
    .collect()
}

/// Marks an ended file's quantities as given back. False when another
/// process released it first, so only one of them appends the release.
#[tracing::instrument(skip(conn))]
pub async fn mark_released(
    conn: &mut AnyConnection,
    id: LicenseFileId,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE license_files SET released_at = $1
         WHERE id = $2 AND state <> 'active' AND released_at IS NULL AND not_after <= $1",
    )
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends an active file (replaced or revoked). False when it was not active
/// any more: another request ended it first.
#[tracing::instrument(skip(conn))]
pub async fn end_license_file(
    conn: &mut AnyConnection,
    id: LicenseFileId,
    to: LicenseFileState,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE license_files SET state = $1, changed_at = $2 WHERE id = $3 AND state = 'active'",
    )
    .bind(to.as_str())
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

const FILE_COLUMNS: &str =
    "id, account_id, host_name, host_id, state, issued_at, expires_at, not_after, released_at";

fn file_from_row(r: &sqlx::any::AnyRow) -> Result<LicenseFileSummary, sqlx::Error> {
    Ok(LicenseFileSummary {
        id: LicenseFileId(r.try_get("id")?),
        host_name: r.try_get("host_name")?,
        host_id: r.try_get("host_id")?,
        state: decode_stored(r, "state", LicenseFileState::parse)?,
        issued_at: r.try_get("issued_at")?,
        expires_at: r.try_get("expires_at")?,
        not_after: r.try_get("not_after")?,
        released: r.try_get::<Option<i64>, _>("released_at")?.is_some(),
        lines: Vec::new(),
    })
}

/// The account's first `limit` files, current ones first, then newest
/// first, without lines; and whether it has more. Two reads, each in the
/// order of an index (`license_files_active`, `license_files_account`), so
/// the cost is that of the rows shown, however many files ended before.
#[tracing::instrument(skip(conn))]
pub async fn list_license_files(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: usize,
) -> Result<(Vec<LicenseFileSummary>, bool), sqlx::Error> {
    let mut files = read_files(conn, account, "state = 'active'", limit + 1).await?;
    if files.len() <= limit {
        let ended = read_files(conn, account, "state <> 'active'", limit + 1 - files.len()).await?;
        files.extend(ended);
    }
    let more = files.len() > limit;
    files.truncate(limit);
    Ok((files, more))
}

async fn read_files(
    conn: &mut AnyConnection,
    account: AccountId,
    states: &str,
    limit: usize,
) -> Result<Vec<LicenseFileSummary>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM license_files WHERE account_id = $1 AND {states}
         ORDER BY issued_at DESC, id DESC LIMIT $2"
    ))
    .bind(account.0)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(file_from_row)
    .collect()
}

/// One file and its account, without lines.
#[tracing::instrument(skip(conn))]
pub async fn find_license_file(
    conn: &mut AnyConnection,
    id: LicenseFileId,
) -> Result<Option<(AccountId, LicenseFileSummary)>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {FILE_COLUMNS} FROM license_files WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((AccountId(r.try_get("account_id")?), file_from_row(&r)?)))
        .transpose()
}

/// The signed text of a file, exactly as issued.
pub async fn find_signed_text(
    conn: &mut AnyConnection,
    id: LicenseFileId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT signed_text FROM license_files WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
}
