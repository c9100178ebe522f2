//! Cloud services of an account (SPEC, "Cloud services"): provisioning a
//! Ready instance, retrying a Failed one, and recording what the
//! provisioner answered. The provisioner itself runs in the server
//! (`server/src/provisioning.rs`), behind an adapter.

use super::licenses::LicensingError;
use super::licenses::{manageable_account, viewable_account};
use super::Fault;
use super::Services;
use crate::domain::{
    may_manage_licenses_of, AccountId, CloudServicesView, CurrentUser, InstanceState, ListRows,
    ProvisioningError, ProvisioningJobId, Region, ServiceInstanceId, TenantName, TenantNameError,
};
use crate::domain::{AuditKind, AuditObject};
use crate::events::PortalEvent;
use crate::repo::cloud_services::{self as instances, JobOutcome, StartError};
use crate::repo::{accounts, audit};
use serde_json::json;

/// A service instance as the audit log names it: its product and number.
fn instance_object(instance: ServiceInstanceId, product: &str, account: AccountId) -> AuditObject {
    AuditObject {
        kind: "service_instance",
        id: Some(instance.0),
        label: format!("{product} #{}", instance.0),
        account: Some(account),
    }
}

fn refused(problem: ProvisioningError) -> LicensingError {
    LicensingError::InvalidProvisioning { problem }
}

impl Services<'_> {
    /// The Cloud services tab.
    pub async fn cloud_services(
        &self,
        user: &CurrentUser,
        account: AccountId,
        rows: ListRows,
    ) -> Result<CloudServicesView, LicensingError> {
        let mut conn = self.db.read().await?;
        let account = viewable_account(&mut conn, user, account).await?;
        let (instances, more_instances) =
            instances::list_instances(&mut conn, account.id, rows.get()).await?;
        Ok(CloudServicesView {
            may_change: may_manage_licenses_of(user, &account),
            account,
            instances,
            more_instances,
        })
    }

    /// Starts provisioning a Ready instance in `region` under `tenant`.
    pub async fn provision(
        &self,
        user: &CurrentUser,
        account: AccountId,
        instance: ServiceInstanceId,
        region: &str,
        tenant: &str,
    ) -> Result<ProvisioningJobId, LicensingError> {
        let tenant = TenantName::parse(tenant).map_err(|e| refused(e.into()))?;
        let region = Region::parse(region).ok_or(refused(ProvisioningError::NoRegion))?;
        self.start(
            user,
            account,
            instance,
            InstanceState::Ready,
            Some((region, &tenant)),
        )
        .await
    }

    /// Tries a Failed instance again, in the region and under the tenant
    /// name it was given.
    pub async fn retry_provisioning(
        &self,
        user: &CurrentUser,
        account: AccountId,
        instance: ServiceInstanceId,
    ) -> Result<ProvisioningJobId, LicensingError> {
        self.start(user, account, instance, InstanceState::Failed, None)
            .await
    }

    async fn start(
        &self,
        user: &CurrentUser,
        account: AccountId,
        instance: ServiceInstanceId,
        from: InstanceState,
        placement: Option<(Region, &TenantName)>,
    ) -> Result<ProvisioningJobId, LicensingError> {
        let at = self.settings.clock.now();
        let after = match placement {
            Some((region, tenant)) => {
                json!({ "state": "provisioning", "region": region.as_str(), "tenant": tenant.as_str() })
            }
            None => json!({ "state": "provisioning" }),
        };
        let mut tx = self.db.begin().await?;
        let account = manageable_account(&mut tx, user, account).await?;
        let product = match instances::find_instance(&mut tx, instance).await? {
            Some((owner, found)) if owner == account.id => found.product_name,
            _ => return Err(LicensingError::NotFound),
        };
        let job = instances::start_provisioning(
            &mut tx,
            instance,
            from,
            placement,
            self.settings.provisioner.adapter(),
            at,
        )
        .await
        .map_err(|err| match err {
            StartError::NotInState(state) => refused(ProvisioningError::NotReady(state)),
            StartError::TenantTaken => refused(TenantNameError::Taken.into()),
            StartError::NotFound => LicensingError::NotFound,
            StartError::Database(err) => err.into(),
        })?;
        audit::record(
            &mut tx,
            at,
            &self.actor(Some(user)),
            AuditKind::ProvisioningStarted,
            &instance_object(instance, &product, account.id),
            Some(&json!({ "state": from.as_str() })),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.announce_licenses(&account);
        self.provisioning_queued.notify_one();
        Ok(job)
    }

    /// Records how a job ended and moves its instance to Active or Failed.
    /// False when the job was already over (a repeated answer).
    pub async fn finish_provisioning(
        &self,
        job: ProvisioningJobId,
        outcome: &JobOutcome,
    ) -> Result<bool, LicensingError> {
        let at = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let Some((instance, account)) = instances::finish_job(&mut tx, job, outcome, at).await? else {
            return Ok(false);
        };
        let account = accounts::find_account(&mut tx, account)
            .await?
            .ok_or(LicensingError::Fault(Fault::Internal))?;
        let product = instances::find_instance(&mut tx, instance)
            .await?
            .map(|(_, found)| found.product_name)
            .unwrap_or_default();
        let after = match outcome {
            JobOutcome::Active { url } => json!({ "state": "active", "url": url }),
            JobOutcome::Failed { error } => json!({ "state": "failed", "error": error }),
        };
        audit::record(
            &mut tx,
            at,
            &self.actor(None),
            AuditKind::ProvisioningFinished,
            &instance_object(instance, &product, account.id),
            Some(&json!({ "state": "provisioning" })),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.events.publish(PortalEvent::LicensesChanged {
            account: account.id,
            managed_by: account.managed_by,
        });
        Ok(true)
    }
}
