//! Service instances (Control Rooms, IQ Bot servers) and the provisioning
//! jobs that bring them up.

use sqlx::{AnyConnection, Row};

use super::{decode_stored, is_unique_violation, UniqueKey};
use crate::domain::{
    AccountId, EntitlementId, InstanceState, ProductId, ProvisioningJobId, Region, ServiceInstance,
    ServiceInstanceId, TenantName,
};

/// Gives a customer one Ready instance per unit of `product`, if it is a
/// service, with a fresh license GUID each; other products get none.
#[tracing::instrument(skip(conn))]
pub async fn insert_ready_instances(
    conn: &mut AnyConnection,
    account: AccountId,
    entitlement: EntitlementId,
    product: ProductId,
    quantity: i64,
    at: i64,
) -> Result<usize, sqlx::Error> {
    let mut created = 0;
    for _ in 0..quantity {
        let done = sqlx::query(
            "INSERT INTO service_instances (account_id, entitlement_id, product_id, license_guid, state, created_at, changed_at)
             SELECT $1, $2, p.id, $3, 'ready', $4, $4 FROM products p WHERE p.id = $5 AND p.license_model = 'service'",
        )
        .bind(account.0)
        .bind(entitlement.0)
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(at)
        .bind(product.0)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            break;
        }
        created += 1;
    }
    Ok(created)
}

const INSTANCE_COLUMNS: &str =
    "i.id, i.account_id, p.name, p.holds_cloud_licenses, i.license_guid, i.state, i.region,
     i.tenant_name, i.url, i.changed_at";

fn instance_from_row(r: &sqlx::any::AnyRow) -> Result<ServiceInstance, sqlx::Error> {
    let region: Option<String> = r.try_get("region")?;
    Ok(ServiceInstance {
        id: ServiceInstanceId(r.try_get("id")?),
        product_name: r.try_get("name")?,
        holds_cloud_licenses: r.try_get::<i64, _>("holds_cloud_licenses")? == 1,
        license_guid: r.try_get("license_guid")?,
        state: decode_stored(r, "state", InstanceState::parse)?,
        region: region.as_deref().and_then(Region::parse),
        tenant_name: r.try_get("tenant_name")?,
        url: r.try_get("url")?,
        changed_at: r.try_get("changed_at")?,
    })
}

/// The account's first `limit` instances, Control Rooms first, then by
/// product and age; and whether it has more. The account's rows come from
/// its index; the sort is over that account's instances only.
#[tracing::instrument(skip(conn))]
pub async fn list_instances(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: usize,
) -> Result<(Vec<ServiceInstance>, bool), sqlx::Error> {
    let mut instances = read_instances(conn, account, "", limit + 1).await?;
    let more = instances.len() > limit;
    instances.truncate(limit);
    Ok((instances, more))
}

/// The account's Control Rooms, by product and age: what cloud licenses
/// bind to, one per Control Room unit the account holds.
#[tracing::instrument(skip(conn))]
pub async fn list_control_rooms(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<ServiceInstance>, sqlx::Error> {
    read_instances(conn, account, "AND p.holds_cloud_licenses = 1", usize::MAX).await
}

async fn read_instances(
    conn: &mut AnyConnection,
    account: AccountId,
    condition: &str,
    limit: usize,
) -> Result<Vec<ServiceInstance>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INSTANCE_COLUMNS} FROM service_instances i JOIN products p ON p.id = i.product_id
         WHERE i.account_id = $1 {condition} ORDER BY p.holds_cloud_licenses DESC, p.name, i.id LIMIT $2"
    ))
    .bind(account.0)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(instance_from_row)
    .collect()
}

/// One instance and the account it belongs to.
#[tracing::instrument(skip(conn))]
pub async fn find_instance(
    conn: &mut AnyConnection,
    id: ServiceInstanceId,
) -> Result<Option<(AccountId, ServiceInstance)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {INSTANCE_COLUMNS} FROM service_instances i JOIN products p ON p.id = i.product_id WHERE i.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((AccountId(r.try_get("account_id")?), instance_from_row(&r)?)))
        .transpose()
}

/// Why provisioning did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The instance was not in the state asked (another request got there
    /// first); holds the state it is in.
    #[error("the instance is {0:?}")]
    NotInState(InstanceState),
    #[error("the instance does not exist")]
    NotFound,
    #[error("the tenant name is taken")]
    TenantTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const TENANT_KEY: UniqueKey = UniqueKey {
    constraint: "service_instances_tenant_key",
    sqlite_columns: "service_instances.tenant_name",
};

const OPEN_JOB_KEY: UniqueKey = UniqueKey {
    constraint: "provisioning_jobs_one_open",
    sqlite_columns: "provisioning_jobs.instance_id",
};

/// Moves a Ready instance to Provisioning with its region and tenant name,
/// or a Failed one back to Provisioning as it was, and queues its job. The
/// state check and the change are one statement, and at most one job per
/// instance can be open, so two requests never start two jobs.
#[tracing::instrument(skip(conn))]
pub async fn start_provisioning(
    conn: &mut AnyConnection,
    id: ServiceInstanceId,
    from: InstanceState,
    placement: Option<(Region, &TenantName)>,
    adapter: &str,
    at: i64,
) -> Result<ProvisioningJobId, StartError> {
    let done = sqlx::query(
        "UPDATE service_instances
         SET state = 'provisioning', region = coalesce($1, region), tenant_name = coalesce($2, tenant_name),
             last_error = NULL, changed_at = $3
         WHERE id = $4 AND state = $5",
    )
    .bind(placement.map(|(r, _)| r.as_str()))
    .bind(placement.map(|(_, t)| t.as_str().to_string()))
    .bind(at)
    .bind(id.0)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, &TENANT_KEY) {
            StartError::TenantTaken
        } else {
            e.into()
        }
    })?;
    if done.rows_affected() == 0 {
        let state = find_instance(conn, id)
            .await?
            .ok_or(StartError::NotFound)?
            .1
            .state;
        return Err(StartError::NotInState(state));
    }
    let job: i64 = sqlx::query_scalar(
        "INSERT INTO provisioning_jobs (instance_id, adapter, state, next_attempt_at, created_at, changed_at)
         VALUES ($1, $2, 'pending', $3, $3, $3) RETURNING id",
    )
    .bind(id.0)
    .bind(adapter)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, &OPEN_JOB_KEY) {
            StartError::NotInState(InstanceState::Provisioning)
        } else {
            e.into()
        }
    })?;
    super::notifications::wake_workers(conn, super::notifications::Work::Provisioning).await?;
    Ok(ProvisioningJobId(job))
}

/// What a provisioner is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: ProvisioningJobId,
    /// How many times it has been tried, this one included.
    pub attempt: i64,
    pub instance: ServiceInstanceId,
    pub account: AccountId,
    pub account_name: String,
    pub product_name: String,
    pub license_guid: String,
    pub region: String,
    pub tenant_name: String,
}

/// Claims up to `limit` pending jobs of `adapter` that are due, for
/// `lease_seconds` (as the outbox does).
#[tracing::instrument(skip(conn))]
pub async fn claim_due_jobs(
    conn: &mut AnyConnection,
    adapter: &str,
    limit: i64,
    lease_seconds: i64,
    at: i64,
) -> Result<Vec<ClaimedJob>, sqlx::Error> {
    let skip_locked = super::skip_locked(conn);
    let claimed: Vec<(i64, i64)> = sqlx::query(&format!(
        "UPDATE provisioning_jobs SET claimed_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM provisioning_jobs
                      WHERE state = 'pending' AND adapter = $2 AND next_attempt_at <= $3
                        AND (claimed_until IS NULL OR claimed_until < $3)
                      ORDER BY id LIMIT $4 {skip_locked})
         RETURNING id, attempts"
    ))
    .bind(at + lease_seconds)
    .bind(adapter)
    .bind(at)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("attempts")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let mut jobs = Vec::with_capacity(claimed.len());
    for (id, attempt) in claimed {
        let r = sqlx::query(
            "SELECT j.instance_id, i.account_id, a.name AS account_name, p.name AS product_name, i.license_guid,
                    i.region, i.tenant_name
             FROM provisioning_jobs j
             JOIN service_instances i ON i.id = j.instance_id
             JOIN accounts a ON a.id = i.account_id
             JOIN products p ON p.id = i.product_id
             WHERE j.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        jobs.push(ClaimedJob {
            id: ProvisioningJobId(id),
            attempt,
            instance: ServiceInstanceId(r.try_get("instance_id")?),
            account: AccountId(r.try_get("account_id")?),
            account_name: r.try_get("account_name")?,
            product_name: r.try_get("product_name")?,
            license_guid: r.try_get("license_guid")?,
            region: r.try_get::<Option<String>, _>("region")?.unwrap_or_default(),
            tenant_name: r.try_get::<Option<String>, _>("tenant_name")?.unwrap_or_default(),
        });
    }
    Ok(jobs)
}

/// Records that the provisioner has the job; its outcome comes by callback.
pub async fn mark_job_sent(
    conn: &mut AnyConnection,
    id: ProvisioningJobId,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE provisioning_jobs SET state = 'sent', claimed_until = NULL, last_error = NULL, changed_at = $1
         WHERE id = $2 AND state = 'pending'",
    )
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a failed attempt to hand the job over, and when to try again.
pub async fn mark_job_retry(
    conn: &mut AnyConnection,
    id: ProvisioningJobId,
    error: &str,
    retry_at: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE provisioning_jobs SET claimed_until = NULL, last_error = $1, next_attempt_at = $2, changed_at = $3
         WHERE id = $4 AND state = 'pending'",
    )
    .bind(error)
    .bind(retry_at)
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives a claimed job back untried, at once rather than when its lease runs
/// out: a worker that stops hands it to the others.
pub async fn release_job_claim(
    conn: &mut AnyConnection,
    id: ProvisioningJobId,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE provisioning_jobs SET claimed_until = NULL, attempts = attempts - 1, changed_at = $1
         WHERE id = $2 AND state = 'pending' AND claimed_until IS NOT NULL",
    )
    .bind(at)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The instance runs at this URL.
    Active { url: String },
    /// The provisioner gave up, saying why.
    Failed { error: String },
}

/// Ends an open job and moves its instance out of Provisioning, in the same
/// transaction. Returns the instance and its account, or `None` when the
/// job was already over (a repeated callback changes nothing).
#[tracing::instrument(skip(conn))]
pub async fn finish_job(
    conn: &mut AnyConnection,
    id: ProvisioningJobId,
    outcome: &JobOutcome,
    at: i64,
) -> Result<Option<(ServiceInstanceId, AccountId)>, sqlx::Error> {
    let (job_state, error) = match outcome {
        JobOutcome::Active { .. } => ("done", None),
        JobOutcome::Failed { error } => ("failed", Some(error.as_str())),
    };
    let instance: Option<i64> = sqlx::query_scalar(
        "UPDATE provisioning_jobs SET state = $1, claimed_until = NULL, last_error = $2, changed_at = $3
         WHERE id = $4 AND state IN ('pending', 'sent') RETURNING instance_id",
    )
    .bind(job_state)
    .bind(error)
    .bind(at)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(instance) = instance else {
        return Ok(None);
    };
    let (state, url) = match outcome {
        JobOutcome::Active { url } => ("active", Some(url.as_str())),
        JobOutcome::Failed { .. } => ("failed", None),
    };
    let account: i64 = sqlx::query_scalar(
        "UPDATE service_instances SET state = $1, url = $2, last_error = $3, changed_at = $4
         WHERE id = $5 AND state = 'provisioning' RETURNING account_id",
    )
    .bind(state)
    .bind(url)
    .bind(error)
    .bind(at)
    .bind(instance)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some((ServiceInstanceId(instance), AccountId(account))))
}

/// A job's adapter and state, for the callback to check.
pub async fn find_job_adapter(
    conn: &mut AnyConnection,
    id: ProvisioningJobId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT adapter FROM provisioning_jobs WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
}

/// How many jobs an instance has had: a test's way to see that a second
/// request started none.
pub async fn count_jobs(conn: &mut AnyConnection, instance: ServiceInstanceId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM provisioning_jobs WHERE instance_id = $1")
        .bind(instance.0)
        .fetch_one(&mut *conn)
        .await
}

/// When the next pending job of `adapter` falls due (Unix seconds).
pub async fn next_job_due(conn: &mut AnyConnection, adapter: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) AS BIGINT)
         FROM provisioning_jobs WHERE state = 'pending' AND adapter = $1",
    )
    .bind(adapter)
    .fetch_one(&mut *conn)
    .await
}
