//! `server account add`: partners, their customers, and the vendor account
//! that accounting users belong to; the procedure of Administration's New
//! partner and New customer.

use app::domain::{
    AccountForm, AccountId, AccountKind, AccountName, AccountNameError, AdminField, AdminRule,
};
use app::repo::{accounts, Db};
use app::services::{AdminError, Caller};

use super::Operator;

/// Why an account was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddAccountError {
    #[error("name: {0}")]
    Name(AccountNameError),
    #[error("managed-by: a customer account needs the name of the partner that manages it")]
    MissingPartner,
    #[error("managed-by: only a customer account is managed by a partner")]
    UnexpectedPartner,
    #[error("managed-by: no partner account is named {0:?}")]
    UnknownPartner(String),
    #[error("managed-by: the partner is deactivated")]
    PartnerDeactivated,
    #[error("name: an account of this kind with this name already exists")]
    NameTaken,
    #[error("{0}")]
    Refused(AdminError),
}

/// Adds an account; a customer is tied to the partner named `managed_by`.
pub async fn add_account(
    db: &Db,
    kind: AccountKind,
    name: &str,
    managed_by: Option<&str>,
) -> Result<AccountId, AddAccountError> {
    let managed_by = match (kind, managed_by) {
        (AccountKind::Customer, None) => return Err(AddAccountError::MissingPartner),
        (AccountKind::Customer, Some(partner)) => Some(find_partner(db, partner).await?),
        (_, Some(_)) => return Err(AddAccountError::UnexpectedPartner),
        (_, None) => None,
    };
    let form = AccountForm {
        name: name.into(),
        managed_by,
        ..AccountForm::default()
    };
    let operator = Operator::new(db);
    operator
        .services()
        .create_account(Caller::Operator, kind, &form)
        .await
        .map_err(|e| match e {
            AdminError::Invalid { problems } => match problems.first().map(|p| (p.field, &p.rule)) {
                Some((AdminField::Name, AdminRule::Name(problem))) => AddAccountError::Name(problem.clone()),
                Some((AdminField::Name, AdminRule::Taken)) => AddAccountError::NameTaken,
                Some((AdminField::ManagingPartner, AdminRule::Deactivated)) => {
                    AddAccountError::PartnerDeactivated
                }
                _ => AddAccountError::Refused(AdminError::Invalid { problems }),
            },
            other => AddAccountError::Refused(other),
        })
}

/// The partner a command names (partner names are unique: accounts_unique_name).
async fn find_partner(db: &Db, partner: &str) -> Result<AccountId, AddAccountError> {
    let unknown = || AddAccountError::UnknownPartner(partner.into());
    // No account has a name that does not parse.
    let Ok(name) = AccountName::parse(partner) else {
        return Err(unknown());
    };
    let mut conn = db
        .read()
        .await
        .map_err(|e| AddAccountError::Refused(AdminError::from(e)))?;
    let found = accounts::find_account_by_name(&mut conn, AccountKind::Partner, &name)
        .await
        .map_err(|e| AddAccountError::Refused(AdminError::from(e)))?;
    found.first().map(|a| a.id).ok_or_else(unknown)
}
