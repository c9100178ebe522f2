//! Server functions of the Cloud licenses, File licenses and Cloud services
//! tabs: who is calling, then the service (`services::licenses`,
//! `services::cloud_services`), which checks what they may touch.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{
    AccountId, CloudLicensesView, CloudServicesView, EntitlementId, FileLicensesView, LicenseFileForm,
    LicenseFileId, ListRows, ServiceInstanceId,
};
use crate::error::AppError;

/// The server's route of license file downloads (axum syntax). An ordinary
/// link, not a server function, so the browser saves the file under its name.
pub const LICENSE_FILE_ROUTE: &str = "/license/files/{id}";

/// Where one license file downloads from.
pub fn license_file_download_path(file: LicenseFileId) -> String {
    LICENSE_FILE_ROUTE.replace("{id}", &file.to_string())
}

/// The Cloud licenses tab of the account.
#[server(prefix = "/api", endpoint = "cloud_licenses", input = Json, output = Wire)]
pub async fn cloud_licenses(account: AccountId) -> Result<CloudLicensesView, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .cloud_licenses(&user, account)
        .await
        .map_err(AppError::from)
}

/// Binds a quantity of a cloud entitlement to a Control Room.
#[server(prefix = "/api", endpoint = "bind_entitlement", input = Json, output = Wire)]
pub async fn bind_entitlement(
    account: AccountId,
    control_room: ServiceInstanceId,
    entitlement: EntitlementId,
    quantity: String,
) -> Result<(), AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .bind(&user, account, control_room, entitlement, &quantity)
        .await
        .map_err(AppError::from)
}

/// Unbinds an entitlement from a Control Room.
#[server(prefix = "/api", endpoint = "unbind_entitlement", input = Json, output = Wire)]
pub async fn unbind_entitlement(
    account: AccountId,
    control_room: ServiceInstanceId,
    entitlement: EntitlementId,
) -> Result<(), AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .unbind(&user, account, control_room, entitlement)
        .await
        .map_err(AppError::from)
}

/// The File licenses tab of the account.
#[server(prefix = "/api", endpoint = "file_licenses", input = Json, output = Wire)]
pub async fn file_licenses(account: AccountId, rows: ListRows) -> Result<FileLicensesView, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .file_licenses(&user, account, rows)
        .await
        .map_err(AppError::from)
}

/// Issues a license file, or a new version of one (`replaces`).
#[server(prefix = "/api", endpoint = "configure_license_file", input = Json, output = Wire)]
pub async fn configure_license_file(
    account: AccountId,
    form: LicenseFileForm,
    replaces: Option<LicenseFileId>,
) -> Result<LicenseFileId, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .configure_license_file(&user, account, &form, replaces)
        .await
        .map_err(AppError::from)
}

/// Revokes a license file.
#[server(prefix = "/api", endpoint = "revoke_license_file", input = Json, output = Wire)]
pub async fn revoke_license_file(account: AccountId, file: LicenseFileId) -> Result<(), AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .revoke_license_file(&user, account, file)
        .await
        .map_err(AppError::from)
}

/// Signs the current file of an installation again with a fresh lease,
/// taking nothing more.
#[server(prefix = "/api", endpoint = "renew_license_file", input = Json, output = Wire)]
pub async fn renew_license_file(account: AccountId, file: LicenseFileId) -> Result<LicenseFileId, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .renew_license_file(&user, account, file)
        .await
        .map_err(AppError::from)
}

/// The Cloud services tab of the account.
#[server(prefix = "/api", endpoint = "cloud_services", input = Json, output = Wire)]
pub async fn cloud_services(account: AccountId, rows: ListRows) -> Result<CloudServicesView, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .cloud_services(&user, account, rows)
        .await
        .map_err(AppError::from)
}

/// Provisions a Ready instance.
#[server(prefix = "/api", endpoint = "provision_instance", input = Json, output = Wire)]
pub async fn provision_instance(
    account: AccountId,
    instance: ServiceInstanceId,
    region: String,
    tenant: String,
) -> Result<(), AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .provision(&user, account, instance, &region, &tenant)
        .await
        .map_err(AppError::from)
        .map(|_| ())
}

/// Retries a Failed instance.
#[server(prefix = "/api", endpoint = "retry_provisioning", input = Json, output = Wire)]
pub async fn retry_provisioning(account: AccountId, instance: ServiceInstanceId) -> Result<(), AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .retry_provisioning(&user, account, instance)
        .await
        .map_err(AppError::from)
        .map(|_| ())
}
