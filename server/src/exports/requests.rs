//! The request lists as CSV, filtered as their screens are:
//!
//! - `GET /api/exports/drawdowns/{account}.csv?state=&q=&from=&until=&lang=`:
//!   Partner drawdowns of an account, newest change first, each request with
//!   its products and its whole history in one cell (a line per step);
//! - `GET /api/exports/approvals.csv?partner=&q=&from=&until=&lang=`: the
//!   queue, oldest first, with how long each has waited and whether it is
//!   past the approval target.
//!
//! The days apply to each request's last change, the order of both lists.

use app::domain::{AccountId, DrawdownCursor, DrawdownState, HistoryEntry};
use app::error::AppError;
use app::i18n::{reminder_text, state_text, CommonText, Locale};
use app::services::exports::{ExportedRequest, RequestExport};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{cell, chunk_failed, csv_id, csv_response, instant, record, RangeQuery};
use crate::security;

/// The route of the Partner drawdowns export.
pub const DRAWDOWNS_EXPORT_PATH: &str = "/api/exports/drawdowns/{file}";
/// The route of the Approvals export.
pub const APPROVALS_EXPORT_PATH: &str = "/api/exports/approvals.csv";

/// Requests read per chunk (with their lines and histories).
const CHUNK: usize = 500;

/// The screens' filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    partner: String,
    #[serde(flatten)]
    range: RangeQuery,
}

impl ListQuery {
    fn search(&self) -> Option<String> {
        Some(self.q.clone()).filter(|q| !q.trim().is_empty())
    }
}

fn invalid(field: &str) -> Response {
    security::error_response(&AppError::InvalidInput { field: field.into() })
}

/// Which list an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Drawdowns,
    Approvals,
}

/// 200 with the CSV; 401 without a session; 403 for an account whose
/// requests the caller may not read (or none); 404 for a path that names no
/// CSV; 422 naming a filter (`state`, `from`, `until`) that is not one.
pub async fn drawdowns(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let Some(account) = csv_id(&file).map(AccountId) else {
        return security::error_response(&AppError::NotFound);
    };
    let filter_state = match query.state.trim() {
        "" => None,
        typed => match DrawdownState::parse(typed) {
            Some(s) => Some(s),
            None => return invalid("state"),
        },
    };
    let range = match query.range.range() {
        Ok(range) => range,
        Err(error) => return security::error_response(&error),
    };
    let start = state
        .services()
        .start_drawdowns_export(&user, account, filter_state, query.search(), range)
        .await;
    match start {
        Ok(export) => stream(
            state,
            export,
            List::Drawdowns,
            query.range.locale(&headers),
            format!("drawdowns-{}", account.0),
        ),
        Err(error) => security::error_response(&error.into()),
    }
}

/// 200 with the CSV; 401 without a session; 403 for anyone who does not see
/// the queue; 422 naming a filter (`partner`, `from`, `until`) that is not one.
pub async fn approvals(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let partner = match query.partner.trim() {
        "" => None,
        typed => match typed.parse() {
            Ok(id) => Some(AccountId(id)),
            Err(_) => return invalid("partner"),
        },
    };
    let range = match query.range.range() {
        Ok(range) => range,
        Err(error) => return security::error_response(&error),
    };
    match state
        .services()
        .start_approvals_export(&user, partner, query.search(), range)
    {
        Ok(export) => stream(
            state,
            export,
            List::Approvals,
            query.range.locale(&headers),
            "approvals".into(),
        ),
        Err(error) => security::error_response(&error.into()),
    }
}

fn stream(state: AppState, export: RequestExport, list: List, locale: Locale, stem: String) -> Response {
    let first = Some((state, export, None::<DrawdownCursor>));
    let chunks = futures::stream::unfold(first, move |next| async move {
        let (state, export, after) = next?;
        match state
            .services()
            .requests_export_chunk(&export, after, CHUNK)
            .await
        {
            Ok((rows, next)) => {
                let chunk = encode(&rows, list, locale);
                Some((chunk, next.map(|n| (state, export, Some(n)))))
            }
            Err(error) => Some((Err(chunk_failed("requests", error)), None)),
        }
    });
    csv_response(&stem, header_row(list, locale), chunks)
}

fn header_row(list: List, locale: Locale) -> Vec<u8> {
    match (list, locale) {
        (List::Drawdowns, Locale::En) => record([
            "request",
            "state",
            "partner",
            "order",
            "customer",
            "products",
            "quantity",
            "last_change",
            "history",
        ]),
        (List::Drawdowns, Locale::Fr) => record([
            "demande",
            "etat",
            "partenaire",
            "commande",
            "client",
            "produits",
            "quantite",
            "dernier_changement",
            "historique",
        ]),
        (List::Approvals, Locale::En) => record([
            "request",
            "partner",
            "order",
            "customer",
            "products",
            "quantity",
            "submitted_at",
            "waiting_hours",
            "overdue",
        ]),
        (List::Approvals, Locale::Fr) => record([
            "demande",
            "partenaire",
            "commande",
            "client",
            "produits",
            "quantite",
            "soumise_le",
            "attente_heures",
            "en_retard",
        ]),
    }
}

/// "Bot Creator × 2; Control Room × 1".
fn products(request: &ExportedRequest) -> String {
    request
        .lines
        .iter()
        .map(|(product, quantity)| format!("{product} × {quantity}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One step of the history cell: "2026-12-07T09:30:00Z Approved, Alice
/// Martin" (", reason" after a reason), the server's steps by "server".
fn history_line(step: &HistoryEntry, locale: Locale) -> String {
    let what = match step.reminder {
        Some(kind) => reminder_text(kind).text(locale),
        None => state_text(step.to).text(locale),
    };
    let who = step
        .actor_name
        .as_deref()
        .unwrap_or_else(|| CommonText::TheServer.text(locale));
    let mut line = format!("{} {what}, {who}", instant(step.at));
    if let Some(reason) = step.reason.as_deref().filter(|r| !r.is_empty()) {
        line.push_str(": ");
        line.push_str(reason);
    }
    line
}

fn yes_no(value: bool, locale: Locale) -> &'static str {
    match (value, locale) {
        (true, Locale::En) => "yes",
        (false, Locale::En) => "no",
        (true, Locale::Fr) => "oui",
        (false, Locale::Fr) => "non",
    }
}

fn encode(rows: &[ExportedRequest], list: List, locale: Locale) -> Result<Vec<u8>, std::io::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
    for r in rows {
        let s = &r.summary;
        let number = s.number.to_string();
        let quantity = r.quantity().to_string();
        let changed = instant(s.changed_at);
        let products = products(r);
        match list {
            List::Drawdowns => {
                let history: Vec<String> = r.history.iter().map(|h| history_line(h, locale)).collect();
                out.write_record([
                    number.as_str(),
                    state_text(s.state).text(locale),
                    &cell(&s.partner_name),
                    &cell(&s.order_number),
                    &cell(&s.customer_name),
                    &cell(&products),
                    &quantity,
                    &changed,
                    &cell(&history.join("\n")),
                ])?;
            }
            List::Approvals => {
                out.write_record([
                    number.as_str(),
                    &cell(&s.partner_name),
                    &cell(&s.order_number),
                    &cell(&s.customer_name),
                    &cell(&products),
                    &quantity,
                    &changed,
                    &(r.waiting / 3600).to_string(),
                    yes_no(r.overdue, locale),
                ])?;
            }
        }
    }
    out.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_step_says_when_what_and_who_in_the_language_asked() {
        let step = HistoryEntry {
            from: Some(DrawdownState::Submitted),
            to: DrawdownState::Rejected,
            actor_name: Some("Alice Martin".into()),
            at: 1_765_100_000,
            reason: Some("Wrong order".into()),
            reminder: None,
        };
        assert_eq!(
            history_line(&step, Locale::Fr),
            "2025-12-07T09:33:20Z Rejeté, Alice Martin: Wrong order"
        );
        let expiry = HistoryEntry {
            actor_name: None,
            reason: None,
            to: DrawdownState::Expired,
            ..step
        };
        assert_eq!(
            history_line(&expiry, Locale::En),
            "2025-12-07T09:33:20Z Expired, The portal (expiry)"
        );
    }
}
