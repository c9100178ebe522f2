//! `server user add`: a user with the password the operator types; the
//! procedure of Administration's New user (which invites by email instead).

use app::domain::{
    AccountKind, AccountName, EmailError, NewPassword, PasswordError, Role, UserEmail, UserId,
};
use app::repo::{accounts, Db};
use app::services::people::{FirstPassword, NewUser};
use app::services::{Caller, PeopleError};

use super::Operator;

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
    #[error("{0}")]
    Refused(PeopleError),
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
    let parsed = UserEmail::parse(email)?;
    let password = NewPassword::parse(password)?;
    let kind: AccountKind = role.account_kind();
    let refused = |e: sqlx::Error| AddUserError::Refused(PeopleError::from(e));
    // No account has a name that does not parse.
    let matches = match AccountName::parse(account_name) {
        Ok(name) => {
            let mut conn = db.read().await.map_err(refused)?;
            accounts::find_account_by_name(&mut conn, kind, &name)
                .await
                .map_err(refused)?
        }
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
    let user = NewUser {
        email: email.into(),
        display_name: display_name.unwrap_or_default().into(),
        role,
        account,
    };
    let operator = Operator::new(db);
    let id = operator
        .services()
        .create_user(Caller::Operator, None, user, FirstPassword::Password(password))
        .await
        .map_err(|e| match e {
            PeopleError::EmailTaken => AddUserError::EmailTaken,
            PeopleError::Email(e) => AddUserError::Email(e),
            other => AddUserError::Refused(other),
        })?;
    Ok(AddedUser { id, email: parsed })
}
