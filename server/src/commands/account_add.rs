//! `server account add`: partners, their customers, and the vendor account
//! that accounting users belong to.

use app::domain::{AccountId, AccountKind, AccountName, AccountNameError};
use app::repo::accounts::{self, InsertAccountError, NewAccount};
use app::repo::Db;

/// Why an account was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddAccountError {
    #[error("name: {0}")]
    Name(#[from] AccountNameError),
    #[error("managed-by: a customer account needs the name of the partner that manages it")]
    MissingPartner,
    #[error("managed-by: only a customer account is managed by a partner")]
    UnexpectedPartner,
    #[error("managed-by: no partner account is named {0:?}")]
    UnknownPartner(String),
    #[error("name: an account of this kind with this name already exists")]
    NameTaken,
    #[error("internal error: {0}")]
    Internal(String),
}

fn internal(e: impl std::fmt::Display) -> AddAccountError {
    AddAccountError::Internal(e.to_string())
}

/// Adds an account; a customer is tied to the partner named `managed_by`.
pub async fn add_account(
    db: &Db,
    kind: AccountKind,
    name: &str,
    managed_by: Option<&str>,
) -> Result<AccountId, AddAccountError> {
    let name = AccountName::parse(name)?;
    let mut tx = db.begin().await.map_err(internal)?;
    let managed_by = match (kind, managed_by) {
        (AccountKind::Customer, None) => return Err(AddAccountError::MissingPartner),
        (AccountKind::Customer, Some(partner)) => {
            // No account has a name that does not parse.
            let found = match AccountName::parse(partner) {
                Ok(partner) => accounts::find_account_by_name(&mut tx, AccountKind::Partner, &partner)
                    .await
                    .map_err(internal)?,
                Err(_) => Vec::new(),
            };
            // Partner names are unique (accounts_unique_name).
            Some(
                found
                    .first()
                    .ok_or_else(|| AddAccountError::UnknownPartner(partner.into()))?
                    .id,
            )
        }
        (_, Some(_)) => return Err(AddAccountError::UnexpectedPartner),
        (_, None) => None,
    };
    let new = NewAccount {
        kind,
        name: name.as_str(),
        website: None,
        contact_name: None,
        contact_email: None,
        managed_by,
    };
    // An operator's command: it runs at the time of day.
    let id = accounts::insert_account(&mut tx, &new, app::clock::Clock::system().now())
        .await
        .map_err(|e| match e {
            InsertAccountError::NameTaken => AddAccountError::NameTaken,
            InsertAccountError::Database(e) => internal(e),
        })?;
    tx.commit().await.map_err(internal)?;
    Ok(id)
}
