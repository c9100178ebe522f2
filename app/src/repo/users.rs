//! Users and their credentials.

use sqlx::{AnyConnection, Row};

use super::{decode_stored, is_unique_violation, UniqueKey};
use crate::domain::{AccountId, CurrentUser, Role, UserEmail, UserId, UserSummary};
use crate::i18n::Locale;

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("a user with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const EMAIL_KEY: UniqueKey = UniqueKey {
    constraint: "users_email_key",
    sqlite_columns: "users.email",
};

/// Creates a user. The password arrives already hashed.
#[tracing::instrument(skip(conn, password_hash))]
pub async fn insert_user(
    conn: &mut AnyConnection,
    email: &UserEmail,
    display_name: &str,
    role: Role,
    account: AccountId,
    password_hash: &str,
    at: i64,
) -> Result<UserId, InsertUserError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, account_id, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(email.as_str())
    .bind(display_name)
    .bind(role.as_str())
    .bind(account.0)
    .bind(password_hash)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, &EMAIL_KEY) {
            InsertUserError::EmailTaken
        } else {
            e.into()
        }
    })?;
    Ok(UserId(id))
}

/// The stored password hash of the user with this email, if the user may
/// sign in: neither they nor their account is deactivated. An invited user
/// who has not set a password yet has the empty hash, which nothing matches.
#[tracing::instrument(skip(conn))]
pub async fn find_password_hash(
    conn: &mut AnyConnection,
    email: &UserEmail,
) -> Result<Option<(UserId, AccountId, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.account_id, u.password_hash FROM users u JOIN accounts a ON a.id = u.account_id
         WHERE u.email = $1 AND u.deactivated_at IS NULL AND a.deactivated_at IS NULL",
    )
    .bind(email.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            UserId(r.try_get("id")?),
            AccountId(r.try_get("account_id")?),
            r.try_get("password_hash")?,
        ))
    })
    .transpose()
}

pub(super) const CURRENT_USER_COLUMNS: &str =
    "u.id, u.email, u.display_name, u.role, u.account_id, a.name AS account_name
     FROM users u JOIN accounts a ON a.id = u.account_id";

pub(super) fn current_user_from_row(row: &sqlx::any::AnyRow) -> Result<CurrentUser, sqlx::Error> {
    Ok(CurrentUser {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: decode_stored(row, "role", Role::parse)?,
        account_id: AccountId(row.try_get("account_id")?),
        account_name: row.try_get("account_name")?,
    })
}

/// A user as the screens see them.
#[tracing::instrument(skip(conn))]
pub async fn find_user(conn: &mut AnyConnection, id: UserId) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {CURRENT_USER_COLUMNS} WHERE u.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(current_user_from_row).transpose()
}

/// Remembers the language a user chose, for e-mails sent to them later.
#[tracing::instrument(skip(conn))]
pub async fn update_user_locale(
    conn: &mut AnyConnection,
    id: UserId,
    locale: Locale,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale.tag())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A user's email address and the language their emails are written in
/// (English until they choose).
#[tracing::instrument(skip(conn))]
pub async fn find_mail_address(
    conn: &mut AnyConnection,
    id: UserId,
) -> Result<Option<(String, Locale)>, sqlx::Error> {
    let row = sqlx::query("SELECT email, locale FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        let locale: Option<String> = r.try_get("locale")?;
        Ok((
            r.try_get("email")?,
            locale.as_deref().and_then(Locale::from_tag).unwrap_or_default(),
        ))
    })
    .transpose()
}

/// The address and language of each active user with `role` (accounting,
/// vendor admins), by email: who a team's emails go to.
#[tracing::instrument(skip(conn))]
pub async fn list_mail_addresses_of_role(
    conn: &mut AnyConnection,
    role: crate::domain::Role,
) -> Result<Vec<(String, Locale)>, sqlx::Error> {
    sqlx::query("SELECT email, locale FROM users WHERE role = $1 AND deactivated_at IS NULL ORDER BY email")
        .bind(role.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let locale: Option<String> = r.try_get("locale")?;
            Ok((
                r.try_get("email")?,
                locale.as_deref().and_then(Locale::from_tag).unwrap_or_default(),
            ))
        })
        .collect()
}

/// The language of the user with this email, if one has chosen one: emails
/// to an address that is also a user's follow that user's choice.
#[tracing::instrument(skip(conn))]
pub async fn find_locale_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<Locale>, sqlx::Error> {
    let locale: Option<Option<String>> = sqlx::query_scalar("SELECT locale FROM users WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(locale.flatten().as_deref().and_then(Locale::from_tag))
}

/// The password hash of an active user, by id (to check a current password).
#[tracing::instrument(skip(conn))]
pub async fn find_password_hash_of(
    conn: &mut AnyConnection,
    id: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND deactivated_at IS NULL")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
}

/// Stores a new password hash.
#[tracing::instrument(skip(conn, password_hash))]
pub async fn update_password(
    conn: &mut AnyConnection,
    id: UserId,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a successful sign-in, shown in the Users lists.
#[tracing::instrument(skip(conn))]
pub async fn record_sign_in(conn: &mut AnyConnection, id: UserId, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deactivates a user at `at`; false if it already was, so that a repeated
/// click records nothing.
#[tracing::instrument(skip(conn))]
pub async fn deactivate_user(conn: &mut AnyConnection, id: UserId, at: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL")
        .bind(at)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Reactivates a user; false if it was not deactivated.
#[tracing::instrument(skip(conn))]
pub async fn reactivate_user(conn: &mut AnyConnection, id: UserId) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE users SET deactivated_at = NULL WHERE id = $1 AND deactivated_at IS NOT NULL")
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

const USER_ROW_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.account_id, a.name AS account_name,
     u.last_sign_in_at, u.deactivated_at, u.password_hash = '' AS invited
     FROM users u JOIN accounts a ON a.id = u.account_id";

fn user_row(row: &sqlx::any::AnyRow) -> Result<UserSummary, sqlx::Error> {
    let invited: bool = match row.try_get::<bool, _>("invited") {
        Ok(b) => b,
        // SQLite answers a comparison with an integer.
        Err(_) => row.try_get::<i64, _>("invited")? != 0,
    };
    Ok(UserSummary {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: decode_stored(row, "role", Role::parse)?,
        account_id: AccountId(row.try_get("account_id")?),
        account_name: row.try_get("account_name")?,
        last_sign_in_at: row.try_get("last_sign_in_at")?,
        deactivated_at: row.try_get("deactivated_at")?,
        invited,
    })
}

/// One user, deactivated or not.
#[tracing::instrument(skip(conn))]
pub async fn find_user_row(conn: &mut AnyConnection, id: UserId) -> Result<Option<UserSummary>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {USER_ROW_COLUMNS} WHERE u.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(user_row).transpose()
}

/// One user by email, deactivated or not.
#[tracing::instrument(skip(conn))]
pub async fn find_user_row_by_email(
    conn: &mut AnyConnection,
    email: &UserEmail,
) -> Result<Option<UserSummary>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {USER_ROW_COLUMNS} WHERE u.email = $1"))
        .bind(email.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(user_row).transpose()
}

/// The users of an account, by email, after `after_email`, at most `limit`.
#[tracing::instrument(skip(conn))]
pub async fn list_users_of_account(
    conn: &mut AnyConnection,
    account: AccountId,
    after_email: Option<&str>,
    limit: i64,
) -> Result<Vec<UserSummary>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {USER_ROW_COLUMNS} WHERE u.account_id = $1 AND u.email > $2 ORDER BY u.email LIMIT $3"
    ))
    .bind(account.0)
    .bind(after_email.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(user_row).collect()
}

/// A page of every user, by email, after `after_email`, those whose email
/// or name starts with `search` (any case) when it is not empty: read in
/// the order of `users_email_key`.
#[tracing::instrument(skip(conn))]
pub async fn list_user_rows(
    conn: &mut AnyConnection,
    search: &str,
    after_email: &str,
    limit: i64,
) -> Result<Vec<UserSummary>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {USER_ROW_COLUMNS}
         WHERE ($1 = '' OR substr(u.email, 1, length(lower($1))) = lower($1)
                        OR substr(lower(u.display_name), 1, length(lower($1))) = lower($1))
           AND u.email > $2
         ORDER BY u.email LIMIT $3"
    ))
    .bind(search)
    .bind(after_email)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(user_row).collect()
}

/// Stores a user's new name and role.
#[tracing::instrument(skip(conn))]
pub async fn update_user(
    conn: &mut AnyConnection,
    id: UserId,
    display_name: &str,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET display_name = $1, role = $2 WHERE id = $3")
        .bind(display_name)
        .bind(role.as_str())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The users of an account (to end their sessions when it is deactivated).
#[tracing::instrument(skip(conn))]
pub async fn list_user_ids_of_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<UserId>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE account_id = $1")
        .bind(account.0)
        .fetch_all(&mut *conn)
        .await?;
    Ok(ids.into_iter().map(UserId).collect())
}
