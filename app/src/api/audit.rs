//! The Audit log's server function (Administration → Audit log); the CSV
//! export is the server's `GET /api/audit.csv`, with the same filters.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{AuditCursor, AuditPage, AuditQuery};
use crate::error::AppError;

/// A page of the audit log, newest first, after `after`.
#[server(prefix = "/api", endpoint = "audit_log", input = Json, output = Wire)]
pub async fn audit_log(query: AuditQuery, after: Option<AuditCursor>) -> Result<AuditPage, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .audit_log(&user, &query, after)
        .await
        .map_err(AppError::from)
}
