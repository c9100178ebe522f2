//! The CSV exports (SPEC, "Ledger statements and exports"): RFC 4180, UTF-8,
//! headers and names in the user's language, dates ISO 8601 in UTC, numbers
//! unformatted, cells a spreadsheet would run quoted as text; the screen's
//! filters and a range of days (`from`, `until`, `YYYY-MM-DD`, either left
//! out) as query parameters. Each is streamed a chunk at a time from the
//! database: memory stays flat however many rows.

pub mod entitlements;
pub mod holding_statement;
pub mod line_statement;
pub mod requests;

use app::domain::day_range;
use app::error::AppError;
use app::i18n::Locale;
use app::services::exports::ExportRange;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt as _};
use serde::Deserialize;

pub(crate) use crate::audit_export::{cell, instant};

/// The range and language every export takes.
#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub lang: Option<String>,
}

impl RangeQuery {
    /// The instants the days cover, or the day that is no date (422).
    pub fn range(&self) -> Result<ExportRange, AppError> {
        day_range(&self.from, &self.until)
            .map(|(from, before)| ExportRange { from, before })
            .map_err(|error| AppError::InvalidInput {
                field: error.field().into(),
            })
    }

    /// The language of the export: asked for, else the cookie, else the
    /// browser's.
    pub fn locale(&self, headers: &HeaderMap) -> Locale {
        self.lang
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
}

/// The id in a path such as `12.csv`; `None` for any other.
pub fn csv_id(file: &str) -> Option<i64> {
    file.strip_suffix(".csv").and_then(|id| id.parse().ok())
}

/// A name as part of a file name: letters, digits and dashes.
pub fn file_safe(text: &str) -> String {
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

/// One CSV record.
pub fn record<I, T>(fields: I) -> Vec<u8>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = out.write_record(fields);
    out.into_inner().unwrap_or_default()
}

/// The answer of an export, `FILE_STEM.csv`: its header row, then each chunk as it is read.
/// A chunk that fails once the answer has begun cuts it short, which the
/// client sees as a failed download.
pub fn csv_response<S>(file_stem: &str, header_row: Vec<u8>, chunks: S) -> Response
where
    S: Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static,
{
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(header_row)) })
        .chain(chunks.map(|chunk| chunk.map(Bytes::from)))
        // The compression layer polls once more after the end, which an
        // unfold must not be.
        .fuse();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", file_safe(file_stem)),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// A chunk that could not be read: logged, and the answer cut short.
pub fn chunk_failed(what: &str, error: impl std::fmt::Display) -> std::io::Error {
    tracing::error!(%error, "{what} export chunk");
    std::io::Error::other(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_letters_digits_and_dashes() {
        assert_eq!(file_safe("SO-2026/01 \"x\""), "SO-2026_01__x_");
        assert_eq!(csv_id("12.csv"), Some(12));
        assert_eq!(csv_id("12"), None);
        assert_eq!(csv_id("x.csv"), None);
    }
}
