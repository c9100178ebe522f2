//! `GET /api/audit.csv`: the Audit log as CSV, with the screen's filters as
//! query parameters (`actor`, `account`, `kind`, `from`, `until`). Streamed a
//! page at a time, so a log of millions of entries costs the server one page
//! of memory and starts downloading at once.

use app::domain::{AuditCursor, AuditEntry, AuditQuery};
use app::services::audit::{AuditError, ReadFilter};
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::security;

/// The path of the export.
pub const AUDIT_EXPORT_PATH: &str = "/api/audit.csv";

/// Entries read from the database per chunk of the answer.
const CHUNK: usize = 1_000;

/// The header row, in the order of `encode`.
const HEADER: &str = "at,actor,address,kind,object_kind,object,account,before,after\n";

/// 200 with the CSV; 401 without a session, 403 for anyone but a vendor
/// admin, 422 naming a date filter that is no date.
pub async fn export(State(state): State<AppState>, headers: HeaderMap, query: Query<AuditQuery>) -> Response {
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let filter = match state.services().audit_filter(&user, &query).await {
        Ok(filter) => filter,
        Err(error) => return security::error_response(&audit_error(error)),
    };
    let pages = futures::stream::unfold(Some((state, filter, None::<AuditCursor>)), |next| async move {
        let (state, filter, after) = next?;
        let entries = match read_page(&state, &filter, after).await {
            Ok(entries) => entries,
            // The answer has begun: all that is left is to cut it short,
            // which the client sees as a failed download.
            Err(error) => return Some((Err(std::io::Error::other(error)), None)),
        };
        if entries.is_empty() {
            return None;
        }
        let cursor = entries.last().map(|e| (e.at, e.id));
        let more = entries.len() == CHUNK;
        let chunk = encode(&entries);
        Some((chunk, more.then_some((state, filter, cursor))))
    });
    let body =
        futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(HEADER.as_bytes())) })
            .chain(pages.map(|chunk| chunk.map(Bytes::from)))
            // The compression layer polls once more after the end, which an
            // unfold must not be.
            .fuse();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-log.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

use futures::StreamExt as _;

async fn read_page(
    state: &AppState,
    filter: &ReadFilter,
    after: Option<AuditCursor>,
) -> Result<Vec<AuditEntry>, String> {
    state
        .services()
        .audit_entries(filter, after, CHUNK)
        .await
        .map_err(|e| {
            tracing::error!(%e, "audit export page");
            e.to_string()
        })
}

fn audit_error(error: AuditError) -> app::error::AppError {
    error.into()
}

/// An instant as the export writes it: RFC 3339, UTC.
pub(crate) fn instant(at: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// A cell as a spreadsheet must not run it: a leading `=`, `+`, `-` or `@`
/// makes Excel and LibreOffice read a formula (OWASP, "CSV injection").
pub(crate) fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

fn encode(entries: &[AuditEntry]) -> Result<Vec<u8>, std::io::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(entries.len() * 160));
    for e in entries {
        out.write_record([
            instant(e.at).as_str(),
            &cell(&e.actor),
            &cell(e.address.as_deref().unwrap_or_default()),
            e.kind.as_str(),
            &e.object_kind,
            &cell(&e.object_label),
            &cell(e.account_name.as_deref().unwrap_or_default()),
            &cell(e.before.as_deref().unwrap_or_default()),
            &cell(e.after.as_deref().unwrap_or_default()),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_quoted_as_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1+1"), "'-1+1");
        assert_eq!(cell("admin@example.com"), "admin@example.com");
        assert_eq!(instant(1_796_083_200), "2026-12-01T00:00:00Z");
    }
}
