//! `server user add`.

use app::auth::hash_password;
use app::domain::{
    AccountKind, AccountName, EmailError, NewPassword, PasswordError, Role, UserEmail, UserId,
};
use app::repo::{accounts, users, Db};

/// Why a user was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    #[error("email: {0}")]
    Email(#[from] EmailError),
    #[error("password: {0}")]
    Password(#[from] PasswordError),
    #[error("account: no {kind} account is named {name:?}")]
    UnknownAccount { kind: &'static str, name: String },
    #[error("account: {count} {kind} accounts are named {name:?}; rename one first")]
    AmbiguousAccount {
        kind: &'static str,
        name: String,
        count: usize,
    },
    #[error("email: a user with this email already exists")]
    EmailTaken,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AddUserError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The user that was added.
#[derive(Debug)]
pub struct AddedUser {
    pub id: UserId,
    pub email: UserEmail,
}

/// Adds a user to the named account, which must be of the kind the role
/// belongs to (a partner user to a partner, …).
pub async fn add_user(
    db: &Db,
    email: &str,
    role: Role,
    account_name: &str,
    display_name: Option<&str>,
    password: String,
) -> Result<AddedUser, AddUserError> {
    let email = UserEmail::parse(email)?;
    let password = NewPassword::parse(password)?;
    let kind: AccountKind = role.account_kind();
    let mut tx = db.begin().await?;
    // No account has a name that does not parse.
    let matches = match AccountName::parse(account_name) {
        Ok(name) => accounts::find_account_by_name(&mut tx, kind, &name).await?,
        Err(_) => Vec::new(),
    };
    let account = match matches.as_slice() {
        [one] => one.id,
        [] => {
            return Err(AddUserError::UnknownAccount {
                kind: kind.as_str(),
                name: account_name.into(),
            })
        }
        many => {
            return Err(AddUserError::AmbiguousAccount {
                kind: kind.as_str(),
                name: account_name.into(),
                count: many.len(),
            })
        }
    };
    let hash = tokio::task::spawn_blocking(move || hash_password(password.expose()))
        .await
        .map_err(|e| AddUserError::Internal(e.to_string()))?
        .map_err(|e| AddUserError::Internal(e.to_string()))?;
    let display_name = display_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(email.as_str());
    // An operator's command: it runs at the time of day.
    let at = app::clock::Clock::system().now();
    let id = users::insert_user(&mut tx, &email, display_name, role, account, &hash, at)
        .await
        .map_err(|e| match e {
            users::InsertUserError::EmailTaken => AddUserError::EmailTaken,
            users::InsertUserError::Database(e) => AddUserError::Internal(e.to_string()),
        })?;
    tx.commit().await?;
    Ok(AddedUser { id, email })
}
