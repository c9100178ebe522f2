//! `GET /api/exports/entitlements/{account}.csv?from=&until=&lang=`: what an
//! account holds, an entitlement a row in the order they were granted, with
//! where each came from (an order line, with the line's balance, or an
//! accepted request), its term and what of it is in use. The days apply to
//! when each entitlement started.

use app::domain::{AccountId, LicenseModel};
use app::error::AppError;
use app::i18n::{EntitlementsText, Locale};
use app::repo::exports::{EntitlementRow, EntitlementSource};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{cell, chunk_failed, csv_id, csv_response, instant, record, RangeQuery};
use crate::security;

/// The route of the export.
pub const ENTITLEMENTS_EXPORT_PATH: &str = "/api/exports/entitlements/{file}";

/// Entitlements read per chunk.
const CHUNK: usize = 2_000;

/// 200 with the CSV; 401 without a session; 403 for an account the caller
/// may not read (or none); 404 for a path that names no CSV; 422 naming a
/// date that is no date.
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
    let Some(account) = csv_id(&file).map(AccountId) else {
        return security::error_response(&AppError::NotFound);
    };
    let range = match query.range() {
        Ok(range) => range,
        Err(error) => return security::error_response(&error),
    };
    let locale = query.locale(&headers);
    let (name, export) = match state
        .services()
        .start_entitlements_export(&user, account, range)
        .await
    {
        Ok(start) => start,
        Err(error) => return security::error_response(&error.into()),
    };
    let chunks = futures::stream::unfold(Some((state, 0_i64)), move |next| async move {
        let (state, after) = next?;
        match state
            .services()
            .entitlements_export_chunk(export, after, CHUNK)
            .await
        {
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let more = rows.len() == CHUNK;
                let last = rows.last().map_or(after, |r| r.id);
                Some((encode(&rows, locale), more.then_some((state, last))))
            }
            Err(error) => Some((Err(chunk_failed("entitlements", error)), None)),
        }
    });
    csv_response(&format!("entitlements-{name}"), header_row(locale), chunks)
}

fn header_row(locale: Locale) -> Vec<u8> {
    match locale {
        Locale::En => record([
            "product",
            "sku",
            "license_model",
            "source",
            "starts_at",
            "ends_at",
            "quantity",
            "in_use",
            "free",
            "line_available",
            "line_reserved",
            "line_drawn",
        ]),
        Locale::Fr => record([
            "produit",
            "sku",
            "modele_de_licence",
            "origine",
            "debut",
            "fin",
            "quantite",
            "utilisee",
            "libre",
            "ligne_disponible",
            "ligne_reservee",
            "ligne_prelevee",
        ]),
    }
}

fn model_name(model: LicenseModel, locale: Locale) -> &'static str {
    match model {
        LicenseModel::Cloud => EntitlementsText::ModelCloud,
        LicenseModel::File => EntitlementsText::ModelFile,
        LicenseModel::Service => EntitlementsText::ModelService,
    }
    .text(locale)
}

fn encode(rows: &[EntitlementRow], locale: Locale) -> Result<Vec<u8>, std::io::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 128));
    for r in rows {
        let (source, line) = match &r.source {
            EntitlementSource::OrderLine {
                order_number,
                line_no,
                balance,
            } => (
                format!("{order_number}/{line_no}"),
                [
                    balance.available().to_string(),
                    balance.reserved.to_string(),
                    balance.drawn.to_string(),
                ],
            ),
            EntitlementSource::Drawdown(number) => (number.to_string(), Default::default()),
        };
        out.write_record([
            cell(&r.product_name).as_ref(),
            &cell(&r.sku),
            model_name(r.license_model, locale),
            &cell(&source),
            &instant(r.starts_at),
            &instant(r.ends_at),
            &r.quantity.to_string(),
            &r.in_use.to_string(),
            &(r.quantity - r.in_use).to_string(),
            &line[0],
            &line[1],
            &line[2],
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error())
}
