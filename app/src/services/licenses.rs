//! Cloud licenses and license files of an account (SPEC, "Licenses and cloud
//! services"): bind and unbind cloud entitlements to a Control Room's GUID;
//! issue, reconfigure and revoke signed license files. Each change moves the
//! usage ledger in one transaction.

use super::Services;
use super::{service_error_faults, Fault};
use crate::domain::{
    lease_end, license_reference, may_download_license_files_of, may_manage_licenses_of, may_view_account,
    AccountId, AccountSummary, BindingError, CloudLicense, CloudLicensesView, CurrentUser, EntitlementId,
    FileLicensesView, LicenseFileField, LicenseFileFieldError, LicenseFileForm, LicenseFileId,
    LicenseFileProblem, LicenseFileState, LicenseFileSummary, LicenseModel, ListRows, Quantity,
    ServiceInstanceId,
};
use crate::domain::{AuditKind, AuditObject};
use crate::events::PortalEvent;
use crate::license_file::{sign, LicenseDocument, LicensedProduct};
use crate::repo::license_files::{self, InsertFileError, NewLicenseFileRow};
use crate::repo::usage::{self, NewUsageEntry, UsageError, UsageKind, UsageTarget};
use crate::repo::{accounts, audit, cloud_services};
use serde_json::json;
use sqlx::AnyConnection;

/// A Control Room as the audit log names it: by its license GUID.
fn control_room_object(instance: &crate::domain::ServiceInstance, account: AccountId) -> AuditObject {
    AuditObject {
        kind: "control_room",
        id: Some(instance.id.0),
        label: instance.license_guid.clone(),
        account: Some(account),
    }
}

/// A license file as the audit log names it: by its license reference.
fn license_file_object(file: LicenseFileId, account: AccountId) -> AuditObject {
    AuditObject {
        kind: "license_file",
        id: Some(file.0),
        label: license_reference(file),
        account: Some(account),
    }
}

/// Why a step on an account's licenses or cloud services did not happen.
/// Mapped to the wire (`AppError`) at the `api` edge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicensingError {
    /// The account is outside what the user may see or change; a missing
    /// account gets the same answer, so ids cannot be probed.
    #[error("forbidden")]
    Forbidden,
    /// No such Control Room, instance or license file on this account.
    #[error("not found")]
    NotFound,
    /// The license file was revoked or replaced.
    #[error("the license file was revoked or replaced")]
    FileEnded,
    #[error("the license file is not valid: {problems:?}")]
    InvalidFile { problems: Vec<LicenseFileProblem> },
    #[error("{problem}")]
    InvalidBinding { problem: BindingError },
    #[error("{problem}")]
    InvalidProvisioning {
        problem: crate::domain::ProvisioningError,
    },
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(LicensingError);

/// A license file's products, one per product and term: a file configured
/// from two requests of the same product has one line for both.
fn licensed_products(lines: Vec<(String, i64, i64)>) -> Vec<LicensedProduct> {
    let mut products: Vec<LicensedProduct> = Vec::new();
    for (name, term_months, quantity) in lines {
        match products
            .iter_mut()
            .find(|p| p.name == name && p.term_months == term_months)
        {
            Some(p) => p.quantity += quantity,
            None => products.push(LicensedProduct {
                name,
                quantity,
                term_months,
            }),
        }
    }
    products
}

/// A license file ready to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFileDownload {
    /// A name for the saved file: `license-LIC-000007-cr01.contoso.local.lic`.
    pub file_name: String,
    pub signed_text: String,
}

/// The account, if `user` may look at it; the same answer for a missing
/// account and one out of reach, so ids cannot be probed.
pub(super) async fn viewable_account(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    account: AccountId,
) -> Result<AccountSummary, LicensingError> {
    accounts::find_account(conn, account)
        .await?
        .filter(|a| may_view_account(user, a))
        .ok_or(LicensingError::Forbidden)
}

/// The account, if `user` may change its licenses and services.
pub(super) async fn manageable_account(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    account: AccountId,
) -> Result<AccountSummary, LicensingError> {
    let account = viewable_account(conn, user, account).await?;
    if may_manage_licenses_of(user, &account) {
        Ok(account)
    } else {
        Err(LicensingError::Forbidden)
    }
}

/// One license file of `account`; another account's is as good as none.
async fn owned_file(
    conn: &mut AnyConnection,
    account: AccountId,
    file: LicenseFileId,
) -> Result<LicenseFileSummary, LicensingError> {
    match license_files::find_license_file(conn, file).await? {
        Some((owner, summary)) if owner == account => Ok(summary),
        _ => Err(LicensingError::NotFound),
    }
}

fn usage_failure(err: UsageError) -> LicensingError {
    match err {
        UsageError::NotEnough { free, .. } => LicensingError::InvalidBinding {
            problem: BindingError::MoreThanFree { free },
        },
        UsageError::Database(err) => err.into(),
    }
}

impl Services<'_> {
    /// The Cloud licenses tab: each Control Room with its GUID and what is
    /// bound to it, and the account's cloud entitlements.
    pub async fn cloud_licenses(
        &self,
        user: &CurrentUser,
        account: AccountId,
    ) -> Result<CloudLicensesView, LicensingError> {
        let mut conn = self.db.read().await?;
        let account = viewable_account(&mut conn, user, account).await?;
        let mut bindings = usage::list_bindings(&mut conn, account.id).await?;
        let licenses = cloud_services::list_control_rooms(&mut conn, account.id)
            .await?
            .into_iter()
            .map(|control_room| CloudLicense {
                bindings: bindings
                    .extract_if(.., |(instance, _)| *instance == control_room.id)
                    .map(|(_, b)| b)
                    .collect(),
                control_room,
            })
            .collect();
        let entitlements =
            usage::list_usable_entitlements(&mut conn, account.id, LicenseModel::Cloud).await?;
        Ok(CloudLicensesView {
            may_change: may_manage_licenses_of(user, &account),
            account,
            licenses,
            entitlements,
        })
    }

    /// Binds `quantity` of a cloud entitlement to a Control Room of the
    /// account.
    pub async fn bind(
        &self,
        user: &CurrentUser,
        account: AccountId,
        control_room: ServiceInstanceId,
        entitlement: EntitlementId,
        quantity: &str,
    ) -> Result<(), LicensingError> {
        let quantity = Quantity::parse_positive(quantity).map_err(|e| LicensingError::InvalidBinding {
            problem: BindingError::Quantity(e),
        })?;
        let mut tx = self.db.begin().await?;
        let account = manageable_account(&mut tx, user, account).await?;
        let instance = self.check_control_room(&mut tx, account.id, control_room).await?;
        let cloud = usage::list_usable_entitlements(&mut tx, account.id, LicenseModel::Cloud).await?;
        if !cloud.iter().any(|e| e.id == entitlement) {
            return Err(LicensingError::InvalidBinding {
                problem: BindingError::NotCloud,
            });
        }
        let at = self.settings.clock.now();
        let entry = NewUsageEntry {
            entitlement,
            kind: UsageKind::Assign,
            quantity: quantity.get(),
            target: UsageTarget::ControlRoom(control_room),
            user: Some(user.id),
            at,
        };
        usage::append_usage_entry(&mut tx, entry)
            .await
            .map_err(usage_failure)?;
        let product = cloud
            .iter()
            .find(|e| e.id == entitlement)
            .map(|e| e.product_name.clone());
        audit::record(
            &mut tx,
            at,
            &self.actor(Some(user)),
            AuditKind::LicenseBound,
            &control_room_object(&instance, account.id),
            None,
            Some(&json!({ "entitlement": entitlement.0, "product": product, "quantity": quantity.get() })),
        )
        .await?;
        tx.commit().await?;
        self.announce_licenses(&account);
        Ok(())
    }

    /// Gives back everything of `entitlement` bound to the Control Room.
    pub async fn unbind(
        &self,
        user: &CurrentUser,
        account: AccountId,
        control_room: ServiceInstanceId,
        entitlement: EntitlementId,
    ) -> Result<(), LicensingError> {
        let mut tx = self.db.begin().await?;
        let account = manageable_account(&mut tx, user, account).await?;
        let instance = self.check_control_room(&mut tx, account.id, control_room).await?;
        let target = UsageTarget::ControlRoom(control_room);
        let bound = usage::list_held_by(&mut tx, target)
            .await?
            .into_iter()
            .find(|(e, _)| *e == entitlement)
            .map(|(_, q)| q)
            .ok_or(LicensingError::InvalidBinding {
                problem: BindingError::NotBound,
            })?;
        let at = self.settings.clock.now();
        let entry = NewUsageEntry {
            entitlement,
            kind: UsageKind::Release,
            quantity: bound,
            target,
            user: Some(user.id),
            at,
        };
        usage::append_usage_entry(&mut tx, entry)
            .await
            .map_err(usage_failure)?;
        audit::record(
            &mut tx,
            at,
            &self.actor(Some(user)),
            AuditKind::LicenseUnbound,
            &control_room_object(&instance, account.id),
            Some(&json!({ "entitlement": entitlement.0, "quantity": bound })),
            None,
        )
        .await?;
        tx.commit().await?;
        self.announce_licenses(&account);
        Ok(())
    }

    async fn check_control_room(
        &self,
        conn: &mut AnyConnection,
        account: AccountId,
        control_room: ServiceInstanceId,
    ) -> Result<crate::domain::ServiceInstance, LicensingError> {
        match cloud_services::find_instance(conn, control_room).await? {
            Some((owner, instance)) if owner == account && instance.holds_cloud_licenses => Ok(instance),
            _ => Err(LicensingError::NotFound),
        }
    }

    /// The File licenses tab: the account's files with what each holds, and
    /// its file-model entitlements.
    pub async fn file_licenses(
        &self,
        user: &CurrentUser,
        account: AccountId,
        rows: ListRows,
    ) -> Result<FileLicensesView, LicensingError> {
        let mut conn = self.db.read().await?;
        let account = viewable_account(&mut conn, user, account).await?;
        let (files, more_files) =
            license_files::list_license_files(&mut conn, account.id, rows.get()).await?;
        let ids = files.iter().map(|f| f.id).collect::<Vec<_>>();
        let mut lines = usage::list_file_lines(&mut conn, &ids).await?;
        let files = files
            .into_iter()
            .map(|mut file| {
                file.lines = lines
                    .extract_if(.., |(f, _)| *f == file.id)
                    .map(|(_, l)| l)
                    .collect();
                file
            })
            .collect();
        let entitlements = usage::list_usable_entitlements(&mut conn, account.id, LicenseModel::File).await?;
        Ok(FileLicensesView {
            may_change: may_manage_licenses_of(user, &account),
            may_download: may_download_license_files_of(user, &account),
            account,
            files,
            more_files,
            entitlements,
        })
    }

    /// Issues a signed license file for one installation, or, with
    /// `replaces`, a new version of an active file: the old one ends as
    /// Replaced but holds its quantities until its lease ends (its copies
    /// verify offline until then), so the new one takes free quantities of
    /// its own. All in one transaction: a refused form changes nothing.
    pub async fn configure_license_file(
        &self,
        user: &CurrentUser,
        account: AccountId,
        form: &LicenseFileForm,
        replaces: Option<LicenseFileId>,
    ) -> Result<LicenseFileId, LicensingError> {
        let mut tx = self.db.begin().await?;
        let account = manageable_account(&mut tx, user, account).await?;
        let mut form = form.clone();
        if let Some(old) = replaces {
            // A new version is for the same installation, whatever the form says.
            let old = self
                .end_file(&mut tx, account.id, old, LicenseFileState::Replaced)
                .await?;
            form.host_name = old.host_name;
            form.host_id = old.host_id;
        }
        let offered = usage::list_usable_entitlements(&mut tx, account.id, LicenseModel::File).await?;
        let file = form
            .validate(&offered)
            .map_err(|problems| LicensingError::InvalidFile { problems })?;
        let issued_at = self.settings.clock.now();
        let expires_at = file
            .lines
            .iter()
            .filter_map(|(id, _)| offered.iter().find(|e| e.id == *id))
            .map(|e| e.ends_at)
            .min()
            .ok_or(LicensingError::Fault(Fault::Internal))?;
        let not_after = lease_end(issued_at, self.settings.license_lease.whole_seconds(), expires_at);
        let row = NewLicenseFileRow {
            account: account.id,
            host_name: &file.host_name,
            host_id: &file.host_id,
            issued_at,
            expires_at,
            not_after,
            created_by: user.id,
            replaces,
        };
        let id = license_files::insert_license_file(&mut tx, &row)
            .await
            .map_err(|err| match err {
                InsertFileError::HostHasFile => LicensingError::InvalidFile {
                    problems: vec![LicenseFileProblem {
                        field: LicenseFileField::HostId,
                        error: LicenseFileFieldError::HostHasFile,
                    }],
                },
                InsertFileError::Database(err) => err.into(),
            })?;
        for (entitlement, quantity) in &file.lines {
            let entry = NewUsageEntry {
                entitlement: *entitlement,
                kind: UsageKind::Assign,
                quantity: quantity.get(),
                target: UsageTarget::LicenseFile(id),
                user: Some(user.id),
                at: issued_at,
            };
            usage::append_usage_entry(&mut tx, entry)
                .await
                .map_err(|err| match err {
                    UsageError::NotEnough { free, .. } => LicensingError::InvalidFile {
                        problems: vec![LicenseFileProblem {
                            field: LicenseFileField::Quantity(*entitlement),
                            error: LicenseFileFieldError::MoreThanFree { free },
                        }],
                    },
                    UsageError::Database(err) => err.into(),
                })?;
        }
        let lines = file
            .lines
            .iter()
            .map(|(entitlement, quantity)| {
                let e = offered
                    .iter()
                    .find(|e| e.id == *entitlement)
                    .ok_or(LicensingError::Fault(Fault::Internal))?;
                Ok((e.product_name.clone(), e.term_months, quantity.get()))
            })
            .collect::<Result<Vec<_>, LicensingError>>()?;
        let document = LicenseDocument {
            license: license_reference(id),
            account: account.name.clone(),
            host_name: file.host_name.as_str().to_string(),
            host_id: file.host_id.as_str().to_string(),
            issued_at,
            not_after,
            products: licensed_products(lines),
        };
        if !self.sign_into(&mut tx, id, &document).await? {
            return Err(LicensingError::Fault(Fault::Internal));
        }
        let after = json!({
            "host_name": document.host_name,
            "host_id": document.host_id,
            "replaces": replaces.map(license_reference),
            "products": document.products.iter().map(|p| json!({ "product": p.name, "quantity": p.quantity })).collect::<Vec<_>>(),
        });
        audit::record(
            &mut tx,
            issued_at,
            &self.actor(Some(user)),
            AuditKind::LicenseFileIssued,
            &license_file_object(id, account.id),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.announce_licenses(&account);
        Ok(id)
    }

    /// Withdraws an active file. Copies already downloaded stay valid offline
    /// until their lease ends, so its quantities stay in use until then
    /// (`release_lapsed_license_files` gives them back).
    pub async fn revoke_license_file(
        &self,
        user: &CurrentUser,
        account: AccountId,
        file: LicenseFileId,
    ) -> Result<(), LicensingError> {
        let mut tx = self.db.begin().await?;
        let account = manageable_account(&mut tx, user, account).await?;
        self.end_file(&mut tx, account.id, file, LicenseFileState::Revoked)
            .await?;
        audit::record(
            &mut tx,
            self.settings.clock.now(),
            &self.actor(Some(user)),
            AuditKind::LicenseFileRevoked,
            &license_file_object(file, account.id),
            Some(&json!({ "state": "active" })),
            Some(&json!({ "state": "revoked" })),
        )
        .await?;
        tx.commit().await?;
        self.announce_licenses(&account);
        Ok(())
    }

    /// Signs `document` and stores it as the file's text with the end of its
    /// lease. False when the file is not active any more.
    async fn sign_into(
        &self,
        tx: &mut AnyConnection,
        file: LicenseFileId,
        document: &LicenseDocument,
    ) -> Result<bool, LicensingError> {
        let signed = sign(document, &self.settings.license_signing_key);
        Ok(license_files::set_signed_text(tx, file, &signed, document.not_after).await?)
    }

    /// Ends an active file of the account; what it holds stays in use until
    /// its lease ends.
    async fn end_file(
        &self,
        tx: &mut AnyConnection,
        account: AccountId,
        file: LicenseFileId,
        to: LicenseFileState,
    ) -> Result<LicenseFileSummary, LicensingError> {
        let summary = owned_file(tx, account, file).await?;
        if !license_files::end_license_file(tx, file, to, self.settings.clock.now()).await? {
            // Another request replaced or revoked it first.
            return Err(LicensingError::FileEnded);
        }
        Ok(summary)
    }

    /// Renews the current file of an installation: the same license, the
    /// same quantities (nothing more is taken), signed again with a lease
    /// from now, never past its entitlements' end. What the Control Room
    /// fetches before its copy's `not_after`.
    pub async fn renew_license_file(
        &self,
        user: &CurrentUser,
        account: AccountId,
        file: LicenseFileId,
    ) -> Result<LicenseFileId, LicensingError> {
        let mut tx = self.db.begin().await?;
        let account = manageable_account(&mut tx, user, account).await?;
        let summary = owned_file(&mut tx, account.id, file).await?;
        if summary.state != LicenseFileState::Active {
            return Err(LicensingError::FileEnded);
        }
        let signed_at = self.settings.clock.now();
        let not_after = lease_end(
            signed_at,
            self.settings.license_lease.whole_seconds(),
            summary.expires_at,
        );
        if not_after <= signed_at {
            // Its entitlements ended: there is nothing left to renew.
            return Err(LicensingError::FileEnded);
        }
        let lines = usage::list_file_lines(&mut tx, &[file])
            .await?
            .into_iter()
            .map(|(_, l)| (l.product_name, l.term_months, l.quantity))
            .collect();
        let document = LicenseDocument {
            license: license_reference(file),
            account: account.name.clone(),
            host_name: summary.host_name,
            host_id: summary.host_id,
            issued_at: signed_at,
            not_after,
            products: licensed_products(lines),
        };
        if !self.sign_into(&mut tx, file, &document).await? {
            return Err(LicensingError::FileEnded);
        }
        audit::record(
            &mut tx,
            signed_at,
            &self.actor(Some(user)),
            AuditKind::LicenseFileRenewed,
            &license_file_object(file, account.id),
            None,
            Some(&json!({ "not_after": not_after })),
        )
        .await?;
        tx.commit().await?;
        self.announce_licenses(&account);
        Ok(file)
    }

    /// Gives back what revoked and replaced files held once their lease
    /// ended by `at`: each file in a transaction of its own, claimed by a
    /// conditional update so that with several server processes only one
    /// appends the release. Returns how many files gave quantities back.
    pub async fn release_lapsed_license_files(&self, at: i64) -> Result<usize, LicensingError> {
        let lapsed = {
            let mut conn = self.db.read().await?;
            license_files::list_lapsed_files(&mut conn, at, 500).await?
        };
        let mut released = 0;
        for (account, file) in lapsed {
            let mut tx = self.db.begin().await?;
            if !license_files::mark_released(&mut tx, file, at).await? {
                continue;
            }
            let target = UsageTarget::LicenseFile(file);
            for (entitlement, quantity) in usage::list_held_by(&mut tx, target).await? {
                let entry = NewUsageEntry {
                    entitlement,
                    kind: UsageKind::Release,
                    quantity,
                    target,
                    user: None,
                    at,
                };
                usage::append_usage_entry(&mut tx, entry)
                    .await
                    .map_err(usage_failure)?;
            }
            let account = accounts::find_account(&mut tx, account).await?;
            tx.commit().await?;
            released += 1;
            if let Some(account) = account {
                self.announce_licenses(&account);
            }
        }
        Ok(released)
    }

    /// A file's signed text, for a user who may see its account.
    pub async fn license_file_download(
        &self,
        user: &CurrentUser,
        file: LicenseFileId,
    ) -> Result<LicenseFileDownload, LicensingError> {
        let mut conn = self.db.read().await?;
        let (account, summary) = license_files::find_license_file(&mut conn, file)
            .await?
            .ok_or(LicensingError::NotFound)?;
        let account = viewable_account(&mut conn, user, account)
            .await
            .map_err(|_| LicensingError::NotFound)?;
        if !may_download_license_files_of(user, &account) {
            return Err(LicensingError::Forbidden);
        }
        // Only the installation's current file: an ended one is refused so
        // that its copies die with their lease.
        if summary.state != LicenseFileState::Active {
            return Err(LicensingError::FileEnded);
        }
        let signed_text = license_files::find_signed_text(&mut conn, file)
            .await?
            .ok_or(LicensingError::NotFound)?;
        Ok(LicenseFileDownload {
            file_name: format!("license-{}-{}.lic", license_reference(file), summary.host_name),
            signed_text,
        })
    }

    /// After a commit: tell open browsers that can see the account.
    pub(crate) fn announce_licenses(&self, account: &AccountSummary) {
        self.events.publish(PortalEvent::LicensesChanged {
            account: account.id,
            managed_by: account.managed_by,
        });
    }
}
