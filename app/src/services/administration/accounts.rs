//! Partners and customers (Administration → Partners, Customers; `server
//! account add`).

use serde_json::{json, Value};

use super::{page_of, require_admin, search_text, AdminError, PAGE_READ};
use crate::domain::{
    AccountDetails, AccountForm, AccountId, AccountKind, AccountRow, AdminCursor, AdminField, AdminPage,
    AdminRule, AuditKind, AuditObject, Standing,
};
use crate::events::PortalEvent;
use crate::repo::accounts::{self, InsertAccountError, NewAccount};
use crate::repo::{audit, sessions, user_links, users};
use crate::repo::{set_deactivated, Deactivatable};
use crate::services::{Caller, Services};

impl Services<'_> {
    /// A page of the partners or customers, by name, those whose name
    /// starts with `search`.
    pub async fn account_rows(
        &self,
        by: Caller<'_>,
        kind: AccountKind,
        search: &str,
        after: Option<AdminCursor>,
    ) -> Result<AdminPage<AccountRow>, AdminError> {
        require_admin(by)?;
        if kind == AccountKind::Vendor {
            return Err(AdminError::NotFound);
        }
        let Some(search) = search_text(search) else {
            return Ok(page_of(Vec::new()));
        };
        let mut conn = self.db.read().await?;
        let rows = accounts::list_account_rows(&mut conn, kind, search, after.as_ref(), PAGE_READ).await?;
        Ok(page_of(
            rows.into_iter()
                .map(|(row, key)| {
                    let id = row.id.0;
                    (row, AdminCursor { key, id })
                })
                .collect(),
        ))
    }

    /// Creates a partner or a customer (an operator may also create the
    /// vendor's own account).
    pub async fn create_account(
        &self,
        by: Caller<'_>,
        kind: AccountKind,
        form: &AccountForm,
    ) -> Result<AccountId, AdminError> {
        require_admin(by)?;
        if kind == AccountKind::Vendor && by.signed_in().is_some() {
            return Err(AdminError::Forbidden);
        }
        let details = form
            .parse(kind)
            .map_err(|problems| AdminError::Invalid { problems })?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let partner = match details.managed_by {
            Some(partner) => Some(managing_partner(&mut tx, partner).await?),
            None => None,
        };
        let id = accounts::insert_account(&mut tx, &new_account(&details), now)
            .await
            .map_err(name_taken)?;
        audit::record(
            &mut tx,
            now,
            &self.actor(by.signed_in()),
            AuditKind::AccountCreated,
            &account_object(id, details.name.as_str(), kind),
            None,
            Some(&details_json(&details, partner.as_deref())),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a partner's or customer's details (a customer may move to
    /// another managing partner; its history stays with it).
    pub async fn update_account(
        &self,
        by: Caller<'_>,
        id: AccountId,
        form: &AccountForm,
    ) -> Result<(), AdminError> {
        require_admin(by)?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let before = editable_account(&mut tx, id).await?;
        let kind = before.kind;
        let details = form
            .parse(kind)
            .map_err(|problems| AdminError::Invalid { problems })?;
        let partner = match details.managed_by {
            Some(partner) if Some(partner) == before.managed_by => before.managed_by_name.clone(),
            Some(partner) => Some(managing_partner(&mut tx, partner).await?),
            None => None,
        };
        accounts::update_account(&mut tx, id, &new_account(&details))
            .await
            .map_err(name_taken)?;
        let (before, after) = changed(row_json(&before), details_json(&details, partner.as_deref()));
        if !after.as_object().is_some_and(serde_json::Map::is_empty) {
            audit::record(
                &mut tx,
                now,
                &self.actor(by.signed_in()),
                AuditKind::AccountChanged,
                &account_object(id, details.name.as_str(), kind),
                Some(&before),
                Some(&after),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates a partner or customer (its users cannot sign in, their
    /// sessions end and their links die) or reactivates it. Doing it twice
    /// changes nothing the second time. Nothing is deleted: the ledger and
    /// the history refer to it.
    pub async fn set_account_active(
        &self,
        by: Caller<'_>,
        id: AccountId,
        active: bool,
    ) -> Result<(), AdminError> {
        require_admin(by)?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let row = editable_account(&mut tx, id).await?;
        let kind = row.kind;
        let changed =
            set_deactivated(&mut tx, Deactivatable::Accounts, id.0, (!active).then_some(now)).await?;
        let mut ended = Vec::new();
        if changed && !active {
            for user in users::list_user_ids_of_account(&mut tx, id).await? {
                if sessions::delete_sessions_of(&mut tx, user, None).await? > 0 {
                    ended.push(user);
                }
                user_links::spend_links_of(&mut tx, user, now).await?;
            }
        }
        if changed {
            audit::record_standing(
                &mut tx,
                now,
                &self.actor(by.signed_in()),
                (AuditKind::AccountDeactivated, AuditKind::AccountReactivated),
                &account_object(id, &row.name, kind),
                active,
            )
            .await?;
        }
        tx.commit().await?;
        for user in ended {
            self.events.publish(PortalEvent::SessionsEnded { user });
        }
        Ok(())
    }
}

/// A partner or customer that Administration may change (the vendor's own
/// account is none).
async fn editable_account(conn: &mut sqlx::AnyConnection, id: AccountId) -> Result<AccountRow, AdminError> {
    accounts::find_account_row(conn, id)
        .await?
        .filter(|row| row.kind != AccountKind::Vendor)
        .ok_or(AdminError::NotFound)
}

/// The name of the partner a customer is to be managed by: an active
/// partner account.
async fn managing_partner(conn: &mut sqlx::AnyConnection, id: AccountId) -> Result<String, AdminError> {
    let wrong = |rule| AdminError::field(AdminField::ManagingPartner, rule);
    let partner = accounts::find_account_row(conn, id)
        .await?
        .filter(|a| a.kind == AccountKind::Partner)
        .ok_or(wrong(AdminRule::WrongKind))?;
    if partner.standing == Standing::Deactivated {
        return Err(wrong(AdminRule::Deactivated));
    }
    Ok(partner.name)
}

fn name_taken(e: InsertAccountError) -> AdminError {
    match e {
        InsertAccountError::NameTaken => AdminError::field(AdminField::Name, AdminRule::Taken),
        InsertAccountError::Database(e) => e.into(),
    }
}

fn new_account(details: &AccountDetails) -> NewAccount<'_> {
    NewAccount {
        kind: details.kind,
        name: details.name.as_str(),
        website: details.website.as_ref().map(|w| w.as_str()),
        contact_name: details.contact_name.as_ref().map(|n| n.as_str()),
        contact_email: details.contact_email.as_ref().map(|e| e.as_str()),
        managed_by: details.managed_by,
    }
}

fn account_object(id: AccountId, name: &str, kind: AccountKind) -> AuditObject {
    AuditObject {
        kind: kind.as_str(),
        id: Some(id.0),
        label: name.to_owned(),
        account: Some(id),
    }
}

fn details_json(details: &AccountDetails, partner: Option<&str>) -> Value {
    json!({
        "name": details.name.as_str(),
        "website": details.website.as_ref().map(|w| w.as_str()),
        "contact_name": details.contact_name.as_ref().map(|n| n.as_str()),
        "contact_email": details.contact_email.as_ref().map(|e| e.as_str()),
        "managed_by": partner,
    })
}

fn row_json(row: &AccountRow) -> Value {
    json!({
        "name": row.name,
        "website": row.website,
        "contact_name": row.contact_name,
        "contact_email": row.contact_email,
        "managed_by": row.managed_by_name,
        "state": match row.standing { Standing::Active => "active", Standing::Deactivated => "deactivated" },
    })
}

/// The fields that differ, before and after: what an entry of a change
/// records (the fields left alone would only hide what changed).
pub(crate) fn changed(before: Value, after: Value) -> (Value, Value) {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return (Value::Null, Value::Null);
    };
    let mut was = serde_json::Map::new();
    let mut is = serde_json::Map::new();
    for (key, value) in after {
        let old = before.get(&key).cloned().unwrap_or(Value::Null);
        if old != value {
            was.insert(key.clone(), old);
            is.insert(key, value);
        }
    }
    (Value::Object(was), Value::Object(is))
}

#[cfg(test)]
mod tests {
    use super::changed;
    use serde_json::json;

    #[test]
    fn a_change_records_only_the_fields_that_differ() {
        let (before, after) = changed(
            json!({ "name": "Adatum", "website": null, "state": "active" }),
            json!({ "name": "Adatum Partners", "website": null }),
        );
        assert_eq!(before, json!({ "name": "Adatum" }));
        assert_eq!(after, json!({ "name": "Adatum Partners" }));
    }
}
