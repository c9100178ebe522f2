//! `GET /api/statements/lines/{line}.csv`: an order line's statement as CSV
//! (RFC 4180, UTF-8), oldest movement first with the balance after each,
//! between the days `from` and `until` (`YYYY-MM-DD`, either left out), its
//! headers and movement names in `lang` (else the language cookie, else the
//! browser's). Streamed a chunk at a time from the database: memory stays
//! flat however long the line's history.

use app::domain::{OrderLineId, StatementEntry};
use app::error::AppError;
use app::i18n::Locale;
use app::services::statements::ExportCursor;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{cell, chunk_failed, csv_id, csv_response, instant, record, RangeQuery};
use crate::security;

/// The route of the export.
pub const LINE_STATEMENT_PATH: &str = "/api/statements/lines/{file}";

/// Movements read from the database per chunk of the answer.
const CHUNK: usize = 2_000;

/// 200 with the CSV; 401 without a session; 403 for a line the caller may
/// not read (or none); 404 for a path that names no CSV; 422 naming a date
/// that is no date.
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    Query(query): Query<RangeQuery>,
) -> Response {
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let Some(line) = csv_id(&file).map(OrderLineId) else {
        return security::error_response(&AppError::NotFound);
    };
    let range = match query.range() {
        Ok(range) => range,
        Err(error) => return security::error_response(&error),
    };
    let locale = query.locale(&headers);
    // `before` is the end of the last day, exclusive; the reads include their bound.
    let start = state
        .services()
        .start_line_export(&user, line, range.from, range.before.map(|u| u - 1))
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
            Err(error) => Some((Err(chunk_failed("statement", error)), None)),
        }
    });
    csv_response(
        &format!("statement-{}-{}", found.order_number, line.0),
        header_row(locale),
        chunks,
    )
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
    record(names)
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
            instant(e.at).as_str(),
            movement_name(e.kind, locale),
            &e.quantity.to_string(),
            &number,
            &cell(e.customer_name.as_deref().unwrap_or_default()),
            &cell(e.actor_name.as_deref().unwrap_or("server")),
            &e.after.available().to_string(),
            &e.after.reserved.to_string(),
            &e.after.drawn.to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error())
}
