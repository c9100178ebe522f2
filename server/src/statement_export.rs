//! `GET /api/statements/lines/{line}.csv`: an order line's statement as CSV
//! (RFC 4180, UTF-8), oldest movement first with the balance after each,
//! between the days `from` and `until` (`YYYY-MM-DD`, either left out), its
//! headers and movement names in `lang` (else the language cookie, else the
//! browser's). Streamed a chunk at a time from the database: memory stays
//! flat however long the line's history.

use app::domain::{day_range, OrderLineId, StatementEntry};
use app::error::AppError;
use app::i18n::Locale;
use app::services::statements::ExportCursor;
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use serde::Deserialize;

use crate::security;

/// The route of the export.
pub const LINE_STATEMENT_PATH: &str = "/api/statements/lines/{file}";

/// Movements read from the database per chunk of the answer.
const CHUNK: usize = 2_000;

/// The query of the export.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    lang: Option<String>,
}

/// The language of the export: asked for, else the cookie, else the browser's.
fn export_locale(query: &ExportQuery, headers: &HeaderMap) -> Locale {
    query
        .lang
        .as_deref()
        .and_then(Locale::from_tag)
        .or_else(|| app::auth::cookie_value(headers, Locale::COOKIE).and_then(|v| Locale::from_tag(&v)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Locale::negotiate)
        })
        .unwrap_or_default()
}

/// 200 with the CSV; 401 without a session; 403 for a line the caller may
/// not read (or none); 404 for a path that names no CSV; 422 naming a date
/// that is no date.
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Response {
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let Some(line) = file
        .strip_suffix(".csv")
        .and_then(|id| id.parse().ok())
        .map(OrderLineId)
    else {
        return security::error_response(&AppError::NotFound);
    };
    let (from, until) = match day_range(&query.from, &query.until) {
        Ok(range) => range,
        Err(error) => {
            return security::error_response(&AppError::InvalidInput {
                field: error.field().into(),
            })
        }
    };
    let locale = export_locale(&query, &headers);
    // `until` is the end of the last day, exclusive; the reads include their bound.
    let start = state
        .services()
        .start_line_export(&user, line, from, until.map(|u| u - 1))
        .await;
    let (found, cursor) = match start {
        Ok(start) => start,
        Err(error) => return security::error_response(&error.into()),
    };
    let chunks = futures::stream::unfold(cursor.map(|c| (state, c)), move |next| async move {
        let (state, cursor) = next?;
        match state.services().line_export_chunk(cursor, CHUNK).await {
            Ok((entries, next)) => {
                let chunk = encode(&entries, locale);
                Some((chunk, next.map(|n: ExportCursor| (state, n))))
            }
            // The answer has begun: all that is left is to cut it short,
            // which the client sees as a failed download.
            Err(error) => {
                tracing::error!(%error, "statement export chunk");
                Some((Err(std::io::Error::other(error.to_string())), None))
            }
        }
    });
    let header_row = header_row(locale);
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(header_row)) })
        .chain(chunks.map(|chunk| chunk.map(Bytes::from)))
        // The compression layer polls once more after the end, which an
        // unfold must not be.
        .fuse();
    let name = format!(
        "attachment; filename=\"statement-{}-{}.csv\"",
        file_safe(&found.order_number),
        line.0
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// An order number as part of a file name: letters, digits and dashes.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn header_row(locale: Locale) -> Vec<u8> {
    let names: [&str; 9] = match locale {
        Locale::En => [
            "at",
            "movement",
            "quantity",
            "request",
            "customer",
            "by",
            "available_after",
            "reserved_after",
            "drawn_after",
        ],
        Locale::Fr => [
            "date",
            "mouvement",
            "quantite",
            "demande",
            "client",
            "par",
            "disponible_apres",
            "reserve_apres",
            "preleve_apres",
        ],
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = out.write_record(names);
    out.into_inner().unwrap_or_default()
}

fn movement_name(kind: app::domain::LedgerEntryKind, locale: Locale) -> &'static str {
    use app::domain::LedgerEntryKind as K;
    match (kind, locale) {
        (K::Reserve, Locale::En) => "reserve",
        (K::Release, Locale::En) => "release",
        (K::Draw, Locale::En) => "draw",
        (K::Reserve, Locale::Fr) => "réservation",
        (K::Release, Locale::Fr) => "libération",
        (K::Draw, Locale::Fr) => "prélèvement",
    }
}

fn encode(entries: &[StatementEntry], locale: Locale) -> Result<Vec<u8>, std::io::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(entries.len() * 96));
    for e in entries {
        let number = e.request.map(|(_, n)| n.to_string()).unwrap_or_default();
        out.write_record([
            crate::audit_export::instant(e.at).as_str(),
            movement_name(e.kind, locale),
            &e.quantity.to_string(),
            &number,
            &crate::audit_export::cell(e.customer_name.as_deref().unwrap_or_default()),
            &crate::audit_export::cell(e.actor_name.as_deref().unwrap_or("server")),
            &e.after.available().to_string(),
            &e.after.reserved.to_string(),
            &e.after.drawn.to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error())
}
