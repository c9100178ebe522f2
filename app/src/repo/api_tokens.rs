//! API tokens and the answers stored for Idempotency-Keys (SPEC, "Partner
//! API and webhooks"). A token is found by the hash of its secret.

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use super::users::{current_user_from_row, CURRENT_USER_COLUMNS};
use crate::domain::{AccountId, ApiScope, ApiTokenId, ApiTokenSummary, CurrentUser, UserId};

/// A token as it is written.
#[derive(Debug)]
pub struct NewApiTokenRow<'a> {
    pub account: AccountId,
    pub name: &'a str,
    pub scope: ApiScope,
    pub secret_hash: &'a str,
    pub prefix: &'a str,
    pub created_by: UserId,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

#[tracing::instrument(skip_all)]
pub async fn insert_api_token(
    conn: &mut AnyConnection,
    token: &NewApiTokenRow<'_>,
) -> Result<ApiTokenId, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (account_id, name, scope, secret_hash, prefix, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(token.account.0)
    .bind(token.name)
    .bind(token.scope.as_str())
    .bind(token.secret_hash)
    .bind(token.prefix)
    .bind(token.created_by.0)
    .bind(token.created_at)
    .bind(token.expires_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ApiTokenId(row.try_get("id")?))
}

const SUMMARY_COLUMNS: &str =
    "t.id, t.account_id, t.name, t.scope, t.prefix, t.created_by, u.display_name AS created_by_name,
     t.created_at, t.expires_at, t.revoked_at, t.last_used_at
     FROM api_tokens t JOIN users u ON u.id = t.created_by";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ApiTokenSummary, sqlx::Error> {
    Ok(ApiTokenSummary {
        id: ApiTokenId(row.try_get("id")?),
        account_id: AccountId(row.try_get("account_id")?),
        name: row.try_get("name")?,
        scope: decode_stored(row, "scope", ApiScope::parse)?,
        prefix: row.try_get("prefix")?,
        created_by: UserId(row.try_get("created_by")?),
        created_by_name: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The tokens of an account, newest first: a page of at most `limit`
/// (an account keeps few tokens; the bound keeps a careless one cheap).
#[tracing::instrument(skip(conn))]
pub async fn list_api_tokens(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: i64,
) -> Result<Vec<ApiTokenSummary>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} WHERE t.account_id = $1 ORDER BY t.id DESC LIMIT $2"
    ))
    .bind(account.0)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(summary_from_row)
    .collect()
}

/// One token of an account.
#[tracing::instrument(skip(conn))]
pub async fn find_api_token(
    conn: &mut AnyConnection,
    account: AccountId,
    id: ApiTokenId,
) -> Result<Option<ApiTokenSummary>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} WHERE t.account_id = $1 AND t.id = $2"
    ))
    .bind(account.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(summary_from_row)
    .transpose()
}

/// Revokes a token of an account at `at`; false if it was revoked already
/// (or is not the account's).
#[tracing::instrument(skip(conn))]
pub async fn revoke_api_token(
    conn: &mut AnyConnection,
    account: AccountId,
    id: ApiTokenId,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE account_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(account.0)
    .bind(id.0)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who calls with a token: the token, and the user who made it, whose
/// identity the token's changes carry.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub token: ApiTokenId,
    pub name: String,
    pub scope: ApiScope,
    pub last_used_at: Option<i64>,
    pub maker: CurrentUser,
}

/// The token whose secret hashes to `secret_hash`, if it is neither revoked
/// nor expired at `now` and its maker and account are active.
#[tracing::instrument(skip_all)]
pub async fn find_token_holder(
    conn: &mut AnyConnection,
    secret_hash: &str,
    now: i64,
) -> Result<Option<TokenHolder>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT t.id AS token_id, t.name AS token_name, t.scope, t.last_used_at, {CURRENT_USER_COLUMNS}
         JOIN api_tokens t ON t.created_by = u.id AND t.account_id = u.account_id
         WHERE t.secret_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
           AND u.deactivated_at IS NULL AND a.deactivated_at IS NULL"
    ))
    .bind(secret_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref()
        .map(|r| {
            Ok(TokenHolder {
                token: ApiTokenId(r.try_get("token_id")?),
                name: r.try_get("token_name")?,
                scope: decode_stored(r, "scope", ApiScope::parse)?,
                last_used_at: r.try_get("last_used_at")?,
                maker: current_user_from_row(r)?,
            })
        })
        .transpose()
}

/// Records that a token was used at `now`.
#[tracing::instrument(skip(conn))]
pub async fn touch_api_token(conn: &mut AnyConnection, id: ApiTokenId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)")
        .bind(id.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The answer stored for an Idempotency-Key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// The answer stored for `key` of `account` since `since`, if any. Within a
/// transaction that stores one, PostgreSQL makes a second transaction
/// storing the same key wait for the first to end (the primary key), so a
/// racing retry finds the first answer here once it is committed.
#[tracing::instrument(skip(conn))]
pub async fn find_idempotent_answer(
    conn: &mut AnyConnection,
    account: AccountId,
    key: &str,
    since: i64,
) -> Result<Option<StoredAnswer>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT request_hash, status, response FROM idempotency_keys
         WHERE account_id = $1 AND idempotency_key = $2 AND created_at >= $3",
    )
    .bind(account.0)
    .bind(key)
    .bind(since)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let status: i64 = r.try_get("status")?;
        Ok(StoredAnswer {
            request_hash: r.try_get("request_hash")?,
            status: u16::try_from(status).unwrap_or(500),
            body: r.try_get("response")?,
        })
    })
    .transpose()
}

/// Claims `key` of `account` for a request whose body hashes to
/// `request_hash`: true if this transaction now holds it (a stale claim, from
/// before `since`, is replaced). False when another transaction committed
/// it first; on PostgreSQL this waits for a transaction claiming it now.
#[tracing::instrument(skip(conn))]
pub async fn claim_idempotency_key(
    conn: &mut AnyConnection,
    account: AccountId,
    key: &str,
    request_hash: &str,
    at: i64,
    since: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE account_id = $1 AND idempotency_key = $2 AND created_at < $3",
    )
    .bind(account.0)
    .bind(key)
    .bind(since)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, status, response, created_at)
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (account_id, idempotency_key) DO NOTHING",
    )
    .bind(account.0)
    .bind(key)
    .bind(request_hash)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the answer of the key this transaction claimed.
#[tracing::instrument(skip(conn, body))]
pub async fn store_idempotent_answer(
    conn: &mut AnyConnection,
    account: AccountId,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE idempotency_keys SET status = $3, response = $4 WHERE account_id = $1 AND idempotency_key = $2")
        .bind(account.0)
        .bind(key)
        .bind(i64::from(status))
        .bind(body)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets answers stored before `before`; how many.
#[tracing::instrument(skip(conn))]
pub async fn delete_idempotent_answers_before(
    conn: &mut AnyConnection,
    before: i64,
    limit: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE (account_id, idempotency_key) IN
           (SELECT account_id, idempotency_key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
