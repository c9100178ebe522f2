//! `GET /api/statements/holdings/{account}/{product}.csv?from=&until=&lang=`:
//! the statement of what a customer holds of a product as CSV, oldest
//! movement first with what it held and used after each.

use app::domain::{AccountId, HoldingEntry, ProductId, UsageMovementKind};
use app::error::AppError;
use app::i18n::Locale;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{cell, chunk_failed, csv_id, csv_response, instant, record, RangeQuery};
use crate::security;

/// The route of the export.
pub const HOLDING_STATEMENT_PATH: &str = "/api/statements/holdings/{account}/{file}";

/// Movements read from the database per chunk of the answer.
const CHUNK: usize = 2_000;

/// 200 with the CSV; 401 without a session; 403 for a customer (or product)
/// the caller may not read; 404 for a path that names no CSV; 422 naming a
/// date that is no date.
pub async fn export(
    State(state): State<AppState>,
    Path((account, file)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<RangeQuery>,
) -> Response {
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let (Ok(account), Some(product)) = (account.parse().map(AccountId), csv_id(&file).map(ProductId)) else {
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
        .start_holding_export(&user, account, product, range.from, range.before.map(|u| u - 1))
        .await;
    let (customer, product_name, cursor) = match start {
        Ok(start) => start,
        Err(error) => return security::error_response(&error.into()),
    };
    let chunks = futures::stream::unfold(cursor.map(|c| (state, c)), move |next| async move {
        let (state, cursor) = next?;
        match state.services().holding_export_chunk(cursor, CHUNK).await {
            Ok((entries, next)) => Some((encode(&entries, locale), next.map(|n| (state, n)))),
            Err(error) => Some((Err(chunk_failed("holding statement", error)), None)),
        }
    });
    csv_response(
        &format!("statement-{customer}-{product_name}"),
        header_row(locale),
        chunks,
    )
}

fn header_row(locale: Locale) -> Vec<u8> {
    match locale {
        Locale::En => record([
            "at",
            "movement",
            "quantity",
            "request",
            "control_room",
            "license_file",
            "by",
            "held_after",
            "in_use_after",
            "free_after",
        ]),
        Locale::Fr => record([
            "date",
            "mouvement",
            "quantite",
            "demande",
            "control_room",
            "fichier_de_licence",
            "par",
            "detenu_apres",
            "utilise_apres",
            "libre_apres",
        ]),
    }
}

fn movement_name(kind: UsageMovementKind, locale: Locale) -> &'static str {
    use UsageMovementKind as K;
    match (kind, locale) {
        (K::Received, Locale::En) => "received",
        (K::Assigned, Locale::En) => "put to use",
        (K::Released, Locale::En) => "given back",
        (K::Received, Locale::Fr) => "reçu",
        (K::Assigned, Locale::Fr) => "mis en service",
        (K::Released, Locale::Fr) => "rendu",
    }
}

fn encode(entries: &[HoldingEntry], locale: Locale) -> Result<Vec<u8>, std::io::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(entries.len() * 96));
    for e in entries {
        let number = e.request.map(|(_, n)| n.to_string()).unwrap_or_default();
        out.write_record([
            instant(e.position.at).as_str(),
            movement_name(e.kind, locale),
            &e.quantity.to_string(),
            &number,
            &cell(e.control_room.as_deref().unwrap_or_default()),
            &cell(e.license_file.as_deref().unwrap_or_default()),
            &cell(e.actor_name.as_deref().unwrap_or("server")),
            &e.after.held.to_string(),
            &e.after.in_use.to_string(),
            &e.after.free().to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error())
}
