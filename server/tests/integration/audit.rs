//! The audit log as vendor admins read it (SPEC, "Audit log"): drawdown
//! transitions recorded with who, before and after; the screen's filters and
//! pages; the CSV export through the real router, with its statuses; and
//! nobody but a vendor admin reads any of it.

use app::domain::{AuditKind, AuditQuery, Transition, AUDIT_PAGE};
use app::services::audit::AuditError;
use http::{header, Request, StatusCode};

use crate::drawdowns::save;
use crate::helpers::{user, Portal};
use crate::sessions::{call, portal, send};

fn by_kind(kind: AuditKind) -> AuditQuery {
    AuditQuery {
        kind: Some(kind),
        ..AuditQuery::default()
    }
}

#[tokio::test]
async fn each_drawdown_step_is_an_entry_that_vendor_admins_filter_and_page_through() {
    let p = Portal::demo().await;
    let s = p.services();
    let (partner, accounting, admin) = (
        user(p.db(), "partner@example.com").await,
        user(p.db(), "accounting@example.com").await,
        user(p.db(), "admin@example.com").await,
    );
    let id = save(&p, &partner, "Audit Customer", "2").await.expect("saved");
    s.change(&accounting, id, Transition::Reject, Some("not this quarter"))
        .await
        .expect("rejected");

    let saved = s
        .audit_log(&admin, &by_kind(AuditKind::DrawdownSaved), None)
        .await
        .expect("read");
    assert_eq!(saved.entries.len(), 1);
    let entry = &saved.entries[0];
    assert_eq!(entry.actor, "partner@example.com");
    assert_eq!(entry.object_kind, "drawdown_request");
    assert_eq!(entry.account_name.as_deref(), Some("Northwind Partners"));
    let after = entry.after.as_deref().unwrap_or_default();
    assert!(
        after.contains("state: submitted") && after.contains("Audit Customer"),
        "{after}"
    );

    let rejected = s
        .audit_log(&admin, &by_kind(AuditKind::DrawdownRejected), None)
        .await
        .expect("read");
    let entry = &rejected.entries[0];
    assert_eq!(
        (
            entry.actor.as_str(),
            entry.object_label.as_str(),
            entry.before.as_deref(),
            entry.after.as_deref()
        ),
        (
            "accounting@example.com",
            saved.entries[0].object_label.as_str(),
            Some("state: submitted"),
            Some("reason: not this quarter; state: rejected")
        )
    );

    // By actor (typed in any case), by account, by dates.
    let of_accounting = AuditQuery {
        actor: " Accounting@Example.com ".into(),
        ..AuditQuery::default()
    };
    let kinds: Vec<AuditKind> = s
        .audit_log(&admin, &of_accounting, None)
        .await
        .expect("read")
        .entries
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [AuditKind::DrawdownRejected]);
    let of_tailspin = AuditQuery {
        account: "tailspin integrators".into(),
        ..AuditQuery::default()
    };
    assert!(s
        .audit_log(&admin, &of_tailspin, None)
        .await
        .expect("read")
        .entries
        .is_empty());
    let of_nobody = AuditQuery {
        account: "No Such Account".into(),
        ..AuditQuery::default()
    };
    assert!(s
        .audit_log(&admin, &of_nobody, None)
        .await
        .expect("read")
        .entries
        .is_empty());
    let today = time::OffsetDateTime::from_unix_timestamp(p.clock().now())
        .expect("now")
        .date();
    let on = |day: time::Date| AuditQuery {
        from: day.to_string(),
        until: day.to_string(),
        ..AuditQuery::default()
    };
    assert_eq!(
        s.audit_log(&admin, &on(today), None)
            .await
            .expect("read")
            .entries
            .len(),
        2
    );
    let tomorrow = today.next_day().expect("tomorrow");
    assert!(s
        .audit_log(&admin, &on(tomorrow), None)
        .await
        .expect("read")
        .entries
        .is_empty());
    let bad = AuditQuery {
        until: "31/12/2026".into(),
        ..AuditQuery::default()
    };
    assert!(matches!(
        s.audit_log(&admin, &bad, None).await,
        Err(AuditError::Date(app::domain::AuditDateError::Until))
    ));

    // Pages: newest first, each entry once.
    for n in 0..AUDIT_PAGE + 5 {
        let _ = app::auth::sign_in(
            p.db(),
            &p.settings,
            &app::throttle::SignInThrottle::new(),
            "192.0.2.7",
            &format!("nobody-{n}@example.com"),
            "wrong",
        )
        .await;
    }
    let failed = by_kind(AuditKind::SignInFailed);
    let first = s.audit_log(&admin, &failed, None).await.expect("page 1");
    assert_eq!(first.entries.len(), AUDIT_PAGE);
    let second = s.audit_log(&admin, &failed, first.next).await.expect("page 2");
    assert_eq!((second.entries.len(), second.next), (5, None));
    let mut labels: Vec<&str> = first
        .entries
        .iter()
        .chain(&second.entries)
        .map(|e| e.object_label.as_str())
        .collect();
    assert_eq!(labels[0], format!("nobody-{}@example.com", AUDIT_PAGE + 4));
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(labels.len(), AUDIT_PAGE + 5);

    // Nobody else reads it, accounting included.
    for who in [&partner, &accounting] {
        assert_eq!(
            s.audit_log(who, &AuditQuery::default(), None).await,
            Err(AuditError::Forbidden)
        );
    }
}

async fn export(
    app: &axum::Router,
    query: &str,
    cookie: Option<&str>,
) -> (StatusCode, http::HeaderMap, String) {
    let mut request = Request::get(format!("/api/audit.csv{query}"));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(axum::body::Body::empty()).expect("request")).await
}

async fn signed_in(app: &axum::Router, email: &str) -> String {
    let (status, cookie, body) = call(app, "sign_in", &format!("email={email}&password=demo"), None).await;
    assert!(status.is_success() || status.is_redirection(), "{status} {body}");
    cookie.expect("session cookie")
}

#[tokio::test]
async fn the_csv_export_is_for_vendor_admins_and_holds_what_the_filters_select() {
    let p = Portal::demo().await;
    let partner = user(p.db(), "partner@example.com").await;
    let id = save(&p, &partner, "Export Customer", "1").await;
    assert!(id.is_ok(), "{id:?}");
    let app = portal(p.db().clone());
    // What someone typed at the sign-in page, which a spreadsheet would run.
    let (status, _, _) = call(&app, "sign_in", "email=%3D1%2B1&password=x", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let admin = signed_in(&app, "admin%40example.com").await;
    let other = signed_in(&app, "partner%40example.com").await;

    let (status, _, _) = export(&app, "", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = export(&app, "", Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = export(&app, "?from=yesterday", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains(r#""field":"from""#), "{body}");
    let (status, _, _) = export(&app, "?kind=drop_table", Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, headers, csv) = export(&app, "?kind=drawdown_saved", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap_or_default()
        .contains("audit-log.csv"));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        [
            "at",
            "actor",
            "address",
            "kind",
            "object_kind",
            "object",
            "account",
            "before",
            "after"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!(&rows[0][1], "partner@example.com");
    assert_eq!(&rows[0][3], "drawdown_saved");
    assert_eq!(&rows[0][6], "Northwind Partners");
    // The JSON as stored.
    let after: serde_json::Value = serde_json::from_str(&rows[0][8]).expect("JSON after");
    assert_eq!(after["customer"], "Export Customer");
    assert!(rows[0][0].ends_with('Z'), "{}", &rows[0][0]);

    // A cell a spreadsheet would run as a formula is text.
    let (_, _, failed) = export(&app, "?kind=sign_in_failed", Some(&admin)).await;
    let mut reader = csv::Reader::from_reader(failed.as_bytes());
    let actors: Vec<String> = reader.records().map(|r| r.expect("row")[1].to_string()).collect();
    assert_eq!(actors, ["'=1+1"]);

    // Compressed, as a browser asks for it, the stream ends cleanly too.
    let request = Request::get("/api/audit.csv")
        .header(header::COOKIE, &admin)
        .header(header::ACCEPT_ENCODING, "br")
        .body(axum::body::Body::empty())
        .expect("request");
    let (status, headers, body) = send(&app, request).await;
    assert_eq!(
        (status, &headers[header::CONTENT_ENCODING]),
        (StatusCode::OK, &"br".parse::<http::HeaderValue>().expect("value"))
    );
    assert!(!body.is_empty());

    // Without filters: every entry, the admin's own sign-in among them.
    let (_, _, all) = export(&app, "", Some(&admin)).await;
    assert!(
        all.lines()
            .any(|l| l.contains("admin@example.com") && l.contains(",sign_in,")),
        "{all}"
    );
}
