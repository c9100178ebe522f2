//! The API's reference: its OpenAPI 3.1 document, generated from the
//! handlers' annotations (`GET /api/v1/openapi.json`), and a page that reads
//! it for people (`GET /api/docs`), rendered here as plain HTML: no script,
//! no stylesheet from elsewhere.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// Where the reference page is served.
pub const DOCS_PATH: &str = "/api/docs";

/// The document.
pub fn openapi() -> &'static OpenApi {
    static DOCUMENT: std::sync::OnceLock<OpenApi> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| super::documented_routes().1)
}

/// `GET /api/v1/openapi.json`: for anyone (it says what exists, not what anyone holds).
pub async fn document() -> Response {
    match openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(error) => {
            tracing::error!(%error, "OpenAPI document not serialized");
            super::failure(&app::error::AppError::Internal)
        }
    }
}

/// `GET /api/docs`: each operation with its parameters, body and answers.
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Plain HTML: nothing runs, nothing is fetched but the page.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ],
        render(openapi()),
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn operations(item: &utoipa::openapi::PathItem) -> Vec<(&'static str, &Operation)> {
    [
        ("GET", item.get.as_ref()),
        ("POST", item.post.as_ref()),
        ("PUT", item.put.as_ref()),
        ("PATCH", item.patch.as_ref()),
        ("DELETE", item.delete.as_ref()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

/// The page's HTML.
pub fn render(api: &OpenApi) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Licenses &amp; Cloud portal API</title>\
         <style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}\
         code,pre{font-family:ui-monospace,monospace;background:#f3f3f3}pre{padding:.75rem;overflow:auto}\
         h3 code{background:none}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}</style>\
         </head><body><main>",
    );
    html.push_str(&format!(
        "<h1>{} <small>{}</small></h1>",
        escape(&api.info.title),
        escape(&api.info.version)
    ));
    if let Some(description) = &api.info.description {
        for paragraph in description.split("\n\n") {
            html.push_str(&format!("<p>{}</p>", escape(paragraph)));
        }
    }
    html.push_str(&format!(
        "<p>The machine-readable document: <a href=\"{OPENAPI_PATH}\"><code>{OPENAPI_PATH}</code></a> (OpenAPI 3.1).</p>"
    ));
    html.push_str("<h2>Operations</h2>");
    for (path, item) in &api.paths.paths {
        for (method, op) in operations(item) {
            html.push_str(&format!(
                "<section><h3><code>{method} /api/v1{}</code></h3>",
                escape(path)
            ));
            if let Some(summary) = &op.summary {
                html.push_str(&format!("<p><strong>{}</strong></p>", escape(summary)));
            }
            if let Some(description) = &op.description {
                html.push_str(&format!("<p>{}</p>", escape(description)));
            }
            if let Some(parameters) = op.parameters.as_ref().filter(|p| !p.is_empty()) {
                html.push_str("<table><caption>Parameters</caption><tr><th>name</th><th>in</th><th>required</th><th>description</th></tr>");
                for p in parameters {
                    let place = match p.parameter_in {
                        ParameterIn::Path => "path",
                        ParameterIn::Query => "query",
                        ParameterIn::Header => "header",
                        ParameterIn::Cookie => "cookie",
                    };
                    let required = matches!(p.required, utoipa::openapi::Required::True);
                    html.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{place}</td><td>{}</td><td>{}</td></tr>",
                        escape(&p.name),
                        if required { "yes" } else { "no" },
                        escape(p.description.as_deref().unwrap_or_default())
                    ));
                }
                html.push_str("</table>");
            }
            if let Some(body) = &op.request_body {
                for (media, content) in &body.content {
                    html.push_str(&format!(
                        "<p>Body ({}): {}</p>",
                        escape(media),
                        schema_name(content.schema.as_ref())
                    ));
                }
            }
            html.push_str(
                "<table><caption>Answers</caption><tr><th>status</th><th>meaning</th><th>body</th></tr>",
            );
            for (status, response) in &op.responses.responses {
                let (description, body) = match response {
                    RefOr::T(r) => (
                        r.description.clone(),
                        r.content
                            .values()
                            .next()
                            .map(|c| schema_name(c.schema.as_ref()))
                            .unwrap_or_default(),
                    ),
                    RefOr::Ref(r) => (r.ref_location.clone(), String::new()),
                };
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{body}</td></tr>",
                    escape(status),
                    escape(&description)
                ));
            }
            html.push_str("</table></section>");
        }
    }
    if let Some(components) = &api.components {
        html.push_str("<h2>Schemas</h2>");
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            html.push_str(&format!(
                "<section id=\"{0}\"><h3><code>{0}</code></h3><pre>{1}</pre></section>",
                escape(name),
                escape(&json)
            ));
        }
    }
    html.push_str("</main></body></html>");
    html
}

fn schema_name(schema: Option<&RefOr<utoipa::openapi::schema::Schema>>) -> String {
    match schema {
        Some(RefOr::Ref(r)) => {
            let name = r.ref_location.rsplit('/').next().unwrap_or_default();
            format!("<a href=\"#{0}\"><code>{0}</code></a>", escape(name))
        }
        Some(RefOr::T(schema)) => format!(
            "<code>{}</code>",
            escape(&serde_json::to_string(schema).unwrap_or_default())
        ),
        None => String::new(),
    }
}
