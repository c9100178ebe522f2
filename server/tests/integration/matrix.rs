//! The authorization matrix (issue 12): every server function and HTTP
//! endpoint, called through the real router by each kind of caller, against
//! the Northwind partner's own resources (so the Tailspin partner is
//! "another partner"), with the status each must answer. A server function
//! with no row fails the test. Each row runs on a database of its own, the
//! callers in the order of the row (one that may act comes last).

use std::collections::BTreeSet;

use app::domain::{LicenseFileForm, ListRows};
use axum::body::Body;
use http::{header, Request, StatusCode};
use tower::ServiceExt;

use crate::helpers::{account_id, line_of, order_id, user, Portal};
use crate::sessions::{call, send};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    Anonymous,
    /// Tailspin's partner admin: another partner.
    OtherPartner,
    /// Contoso's customer user: the account the resources belong to.
    Customer,
    Accounting,
    /// Northwind's partner admin: the resources' owner.
    Partner,
    /// Northwind's partner user: the owner's colleague, who manages no users.
    PartnerUser,
    /// The vendor's administrator.
    VendorAdmin,
}

use Caller::*;

pub(crate) const EVERYONE: [Caller; 7] = [
    Anonymous,
    OtherPartner,
    Customer,
    VendorAdmin,
    Accounting,
    PartnerUser,
    Partner,
];

pub(crate) fn email(caller: Caller) -> Option<&'static str> {
    match caller {
        Anonymous => None,
        OtherPartner => Some("other-partner@example.com"),
        Customer => Some("customer@example.com"),
        Accounting => Some("accounting@example.com"),
        Partner => Some("partner@example.com"),
        PartnerUser => Some("partner-user@example.com"),
        VendorAdmin => Some("admin@example.com"),
    }
}

/// The session cookie of `caller`, signed in through the router; none for
/// the anonymous caller.
pub(crate) async fn session_of(app: &axum::Router, caller: Caller) -> Option<String> {
    let email = email(caller)?;
    let form = format!("email={}&password=demo", email.replace('@', "%40"));
    let (status, cookie, _) = call(app, "sign_in", &form, None).await;
    assert!(status.is_success(), "{caller:?} signs in");
    cookie
}

/// The ids a row's body names.
pub(crate) struct Ids {
    pub(crate) northwind: i64,
    contoso: i64,
    pub(crate) order: i64,
    pub(crate) line: i64,
    pub(crate) request: i64,
    /// Northwind's partner user.
    colleague: i64,
    control_room: i64,
    iq_bot_server: i64,
    bound: i64,
    unbound_cloud: i64,
    file_entitlement: i64,
    file: i64,
    /// Bot Creator, a cloud product on Northwind's orders.
    product: i64,
}

/// How a row calls: a server function (JSON or form body) or an endpoint.
pub(crate) enum Call {
    Json(&'static str, fn(&Ids) -> String),
    Form(&'static str, fn(&Ids) -> String),
    Get(fn(&Ids) -> String),
    /// Only the status is read (a stream that does not end).
    GetStream(&'static str),
    Post(&'static str, &'static str),
}

pub(crate) struct Row {
    pub name: &'static str,
    pub call: Call,
    expected: Vec<(Caller, StatusCode)>,
}

fn all(status: StatusCode) -> Vec<(Caller, StatusCode)> {
    EVERYONE.iter().map(|c| (*c, status)).collect()
}

/// 401 for the anonymous caller, then the others in order; Northwind's
/// partner user answers as its partner admin and the vendor admin as
/// accounting (each just before), unless the row says otherwise (`but`).
fn signed_in(others: [(Caller, StatusCode); 4]) -> Vec<(Caller, StatusCode)> {
    let mut expected = vec![(Anonymous, StatusCode::UNAUTHORIZED)];
    for (caller, status) in others {
        match caller {
            Partner => expected.push((PartnerUser, status)),
            Accounting => expected.push((VendorAdmin, status)),
            _ => {}
        }
        expected.push((caller, status));
    }
    expected
}

/// `expected` with Northwind's partner user moved after its partner admin,
/// answering `status`: a step that can be taken once, which the colleague
/// finds taken (past the authorization, so no 403).
fn colleague_after(expected: Vec<(Caller, StatusCode)>, status: StatusCode) -> Vec<(Caller, StatusCode)> {
    let mut expected: Vec<_> = expected.into_iter().filter(|(c, _)| *c != PartnerUser).collect();
    expected.push((PartnerUser, status));
    expected
}

/// `expected` with `caller`'s answer changed to `status`.
fn but(
    mut expected: Vec<(Caller, StatusCode)>,
    caller: Caller,
    status: StatusCode,
) -> Vec<(Caller, StatusCode)> {
    for (c, s) in &mut expected {
        if *c == caller {
            *s = status;
        }
    }
    expected
}

const OK: StatusCode = StatusCode::OK;
const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const TOO_MANY: StatusCode = StatusCode::TOO_MANY_REQUESTS;

/// The vendor admin alone (accounting included in the refusal).
fn administrators() -> Vec<(Caller, StatusCode)> {
    but(
        signed_in([
            (OtherPartner, FORBIDDEN),
            (Customer, FORBIDDEN),
            (Accounting, FORBIDDEN),
            (Partner, FORBIDDEN),
        ]),
        VendorAdmin,
        OK,
    )
}

/// Who manages Northwind's people: its partner admin and the vendor admin;
/// its partner user (the row's subject) does not manage itself.
fn people_managers() -> Vec<(Caller, StatusCode)> {
    but(
        but(
            signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (Partner, OK),
            ]),
            VendorAdmin,
            OK,
        ),
        PartnerUser,
        FORBIDDEN,
    )
}

/// Who manages Northwind's API tokens: its partner admin alone (a vendor
/// admin manages the vendor's own), answering `status`.
fn api_token_managers(status: StatusCode) -> Vec<(Caller, StatusCode)> {
    but(
        signed_in([
            (OtherPartner, FORBIDDEN),
            (Customer, FORBIDDEN),
            (Accounting, FORBIDDEN),
            (Partner, status),
        ]),
        PartnerUser,
        FORBIDDEN,
    )
}

/// Readers of an account: its partner, its own users and vendor staff.
fn account_readers() -> Vec<(Caller, StatusCode)> {
    signed_in([
        (OtherPartner, FORBIDDEN),
        (Customer, OK),
        (Accounting, OK),
        (Partner, OK),
    ])
}

/// Changers of a customer's licenses and services: its partner only.
fn license_changers() -> Vec<(Caller, StatusCode)> {
    signed_in([
        (OtherPartner, FORBIDDEN),
        (Customer, FORBIDDEN),
        (Accounting, FORBIDDEN),
        (Partner, OK),
    ])
}

pub(crate) fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "request_password_reset",
            call: Call::Form("request_password_reset", |_| "email=partner%40example.com".into()),
            // The same answer for anyone; five requests for one address in a
            // quarter of an hour, then 429 (SPEC: throttled like sign-in).
            expected: vec![
                (Anonymous, OK),
                (OtherPartner, OK),
                (Customer, OK),
                (VendorAdmin, OK),
                (Accounting, OK),
                (PartnerUser, TOO_MANY),
                (Partner, TOO_MANY),
            ],
        },
        Row {
            name: "password_link_status",
            call: Call::Json("password_link_status", |_| r#"{"token":"not-a-link"}"#.into()),
            expected: all(OK),
        },
        Row {
            name: "set_password",
            call: Call::Form("set_password", |_| {
                "token=not-a-link&password=walnut+ferry+lamp+42&confirmation=walnut+ferry+lamp+42".into()
            }),
            expected: all(StatusCode::GONE),
        },
        Row {
            name: "change_password",
            call: Call::Json("change_password", |_| {
                r#"{"current":"demo","password":"walnut ferry lamp 42","confirmation":"walnut ferry lamp 42"}"#.into()
            }),
            // Each caller changes its own.
            expected: signed_in([
                (OtherPartner, OK),
                (Customer, OK),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "sign_out_other_sessions",
            call: Call::Json("sign_out_other_sessions", |_| "{}".into()),
            expected: signed_in([
                (OtherPartner, OK),
                (Customer, OK),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "list_api_tokens",
            call: Call::Json("list_api_tokens", |i| format!(r#"{{"account":{}}}"#, i.northwind)),
            expected: api_token_managers(OK),
        },
        Row {
            name: "create_api_token",
            call: Call::Json("create_api_token", |i| {
                format!(
                    r#"{{"account":{},"name":"ERP sync","scope":"read","lifetime_days":90}}"#,
                    i.northwind
                )
            }),
            expected: api_token_managers(OK),
        },
        Row {
            name: "revoke_api_token",
            // No such token of Northwind's: past the check, 404.
            call: Call::Json("revoke_api_token", |i| {
                format!(r#"{{"account":{},"token":999999}}"#, i.northwind)
            }),
            expected: api_token_managers(StatusCode::NOT_FOUND),
        },
        Row {
            name: "list_webhook_endpoints",
            call: Call::Json("list_webhook_endpoints", |i| {
                format!(r#"{{"account":{}}}"#, i.northwind)
            }),
            expected: api_token_managers(OK),
        },
        Row {
            name: "create_webhook_endpoint",
            // Past the check, the address is refused: loopback is not allowed here.
            call: Call::Json("create_webhook_endpoint", |i| {
                format!(
                    r#"{{"account":{},"url":"http://127.0.0.1:9/hook","events":["drawdown.approved"]}}"#,
                    i.northwind
                )
            }),
            expected: api_token_managers(StatusCode::UNPROCESSABLE_ENTITY),
        },
        Row {
            name: "disable_webhook_endpoint",
            call: Call::Json("disable_webhook_endpoint", |i| {
                format!(r#"{{"account":{},"endpoint":999999}}"#, i.northwind)
            }),
            expected: api_token_managers(StatusCode::NOT_FOUND),
        },
        Row {
            name: "redeliver_webhook",
            call: Call::Json("redeliver_webhook", |i| {
                format!(r#"{{"account":{},"endpoint":999999,"delivery":1}}"#, i.northwind)
            }),
            expected: api_token_managers(StatusCode::NOT_FOUND),
        },
        Row {
            name: "list_people",
            call: Call::Json("list_people", |i| {
                format!(r#"{{"account":{},"after":null}}"#, i.northwind)
            }),
            expected: but(
                but(
                    signed_in([
                        (OtherPartner, FORBIDDEN),
                        (Customer, FORBIDDEN),
                        (Accounting, FORBIDDEN),
                        (Partner, OK),
                    ]),
                    VendorAdmin,
                    OK,
                ),
                PartnerUser,
                FORBIDDEN,
            ),
        },
        Row {
            name: "invite_user",
            call: Call::Json("invite_user", |i| {
                format!(
                    r#"{{"account":{},"email":"new@northwind.example","display_name":"New Colleague","role":"partner_user"}}"#,
                    i.northwind
                )
            }),
            // Only the partner admin and the vendor admin pass; the second
            // finds the address taken by the first.
            expected: vec![
                (Anonymous, StatusCode::UNAUTHORIZED),
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (PartnerUser, FORBIDDEN),
                (Partner, OK),
                (VendorAdmin, StatusCode::CONFLICT),
            ],
        },
        Row {
            name: "set_user_active",
            call: Call::Json("set_user_active", |i| {
                format!(r#"{{"user":{},"active":true}}"#, i.colleague)
            }),
            // Reactivating an active user changes nothing: each allowed caller passes.
            expected: but(
                but(
                    signed_in([
                        (OtherPartner, FORBIDDEN),
                        (Customer, FORBIDDEN),
                        (Accounting, FORBIDDEN),
                        (Partner, OK),
                    ]),
                    VendorAdmin,
                    OK,
                ),
                // Nobody changes their own state.
                PartnerUser,
                FORBIDDEN,
            ),
        },
        Row {
            name: "sign_in",
            call: Call::Form("sign_in", |_| "email=partner%40example.com&password=demo".into()),
            expected: all(OK),
        },
        Row {
            name: "sign_out",
            call: Call::Form("sign_out", |_| String::new()),
            expected: all(OK),
        },
        Row {
            name: "signed_in_user",
            call: Call::Form("signed_in_user", |_| String::new()),
            expected: all(OK),
        },
        Row {
            name: "set_language",
            call: Call::Form("set_language", |_| "tag=fr".into()),
            expected: all(OK),
        },
        Row {
            name: "list_accounts",
            call: Call::Json("list_accounts", |_| "{}".into()),
            expected: signed_in([
                (OtherPartner, OK),
                (Customer, OK),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "account_entitlements",
            call: Call::Form("account_entitlements", |i| format!("account={}", i.contoso)),
            expected: account_readers(),
        },
        Row {
            name: "list_drawdowns",
            call: Call::Json("list_drawdowns", |i| {
                format!(
                    r#"{{"account":{},"state":null,"search":null,"page":{{"after":null,"rows":null}}}}"#,
                    i.northwind
                )
            }),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "approvals_queue",
            call: Call::Json("approvals_queue", |_| {
                r#"{"partner":null,"search":null,"page":{"after":null,"rows":null}}"#.into()
            }),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Partner, FORBIDDEN),
                (Accounting, OK),
            ]),
        },
        Row {
            name: "drawdown_decision_panel",
            call: Call::Json("drawdown_decision_panel", |i| {
                format!(r#"{{"id":{}}}"#, i.request)
            }),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Partner, FORBIDDEN),
                (Accounting, OK),
            ]),
        },
        Row {
            name: "drawdown",
            call: Call::Json("drawdown", |i| format!(r#"{{"id":{}}}"#, i.request)),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "new_drawdown_form",
            call: Call::Json("new_drawdown_form", |i| {
                format!(r#"{{"account":{},"clone":null}}"#, i.northwind)
            }),
            // The caller's own form: the account is only a prefill hint, and
            // another partner's account prefills nothing.
            expected: signed_in([
                (OtherPartner, OK),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (Partner, OK),
            ]),
        },
        Row {
            name: "save_drawdown",
            call: Call::Json("save_drawdown", |i| {
                format!(
                    r#"{{"order":{},"form":{{"customer_account":"Matrix Ltd","customer_website":"https://matrix.example","customer_name":"Robin","customer_email":"robin@matrix.example","quantities":[[{},"1"]]}},"cloned_from":null}}"#,
                    i.order, i.line
                )
            }),
            // Another partner's order is as good as none: "choose an order".
            expected: signed_in([
                (OtherPartner, INVALID),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (Partner, OK),
            ]),
        },
        Row {
            name: "check_drawdown_import",
            call: Call::Json("check_drawdown_import", |i| {
                format!(
                    r#"{{"order":{},"file":"customer_account,website,contact_name,contact_email,product,quantity\nMatrix Ltd,https://matrix.example,Robin,robin@matrix.example,Bot Creator,1\n"}}"#,
                    i.order
                )
            }),
            // Another partner's order is refused as unknown.
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (Partner, OK),
            ]),
        },
        Row {
            name: "submit_drawdown_import",
            call: Call::Json("submit_drawdown_import", |i| {
                format!(
                    r#"{{"order":{},"file":"customer_account,website,contact_name,contact_email,product,quantity\nMatrix Ltd,https://matrix.example,Robin,robin@matrix.example,Bot Creator,1\n"}}"#,
                    i.order
                )
            }),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (Partner, OK),
            ]),
        },
        Row {
            name: "change_drawdown",
            call: Call::Json("change_drawdown", |i| {
                format!(r#"{{"id":{},"transition":"approve","reason":null}}"#, i.request)
            }),
            expected: but(
                signed_in([
                    (OtherPartner, FORBIDDEN),
                    (Customer, FORBIDDEN),
                    (Partner, FORBIDDEN),
                    (Accounting, OK),
                ]),
                VendorAdmin,
                FORBIDDEN,
            ),
        },
        Row {
            name: "order_line_statement",
            call: Call::Json("order_line_statement", |i| {
                format!(r#"{{"line":{},"before":null}}"#, i.line)
            }),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Partner, OK),
                (Accounting, OK),
            ]),
        },
        Row {
            name: "line statement CSV",
            call: Call::Get(|i| format!("/api/statements/lines/{}.csv", i.line)),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Partner, OK),
                (Accounting, OK),
            ]),
        },
        Row {
            name: "customer_holding_statement",
            call: Call::Json("customer_holding_statement", |i| {
                format!(
                    r#"{{"account":{},"product":{},"before":null}}"#,
                    i.contoso, i.product
                )
            }),
            expected: account_readers(),
        },
        Row {
            name: "holding statement CSV",
            call: Call::Get(|i| format!("/api/statements/holdings/{}/{}.csv", i.contoso, i.product)),
            expected: account_readers(),
        },
        Row {
            name: "Partner drawdowns CSV",
            call: Call::Get(|i| format!("/api/exports/drawdowns/{}.csv", i.northwind)),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "Approvals CSV",
            call: Call::Get(|_| "/api/exports/approvals.csv".into()),
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Partner, FORBIDDEN),
                (Accounting, OK),
            ]),
        },
        Row {
            name: "Entitlements CSV",
            call: Call::Get(|i| format!("/api/exports/entitlements/{}.csv", i.contoso)),
            expected: account_readers(),
        },
        Row {
            name: "approve_drawdowns",
            call: Call::Json("approve_drawdowns", |i| format!(r#"{{"ids":[{}]}}"#, i.request)),
            expected: but(
                signed_in([
                    (OtherPartner, FORBIDDEN),
                    (Customer, FORBIDDEN),
                    (Partner, FORBIDDEN),
                    (Accounting, OK),
                ]),
                VendorAdmin,
                FORBIDDEN,
            ),
        },
        Row {
            name: "cloud_licenses",
            call: Call::Json("cloud_licenses", |i| format!(r#"{{"account":{}}}"#, i.contoso)),
            expected: account_readers(),
        },
        Row {
            name: "bind_entitlement",
            call: Call::Json("bind_entitlement", |i| {
                format!(
                    r#"{{"account":{},"control_room":{},"entitlement":{},"quantity":"1"}}"#,
                    i.contoso, i.control_room, i.unbound_cloud
                )
            }),
            expected: license_changers(),
        },
        Row {
            name: "unbind_entitlement",
            call: Call::Json("unbind_entitlement", |i| {
                format!(
                    r#"{{"account":{},"control_room":{},"entitlement":{}}}"#,
                    i.contoso, i.control_room, i.bound
                )
            }),
            expected: colleague_after(license_changers(), INVALID),
        },
        Row {
            name: "file_licenses",
            call: Call::Json("file_licenses", |i| {
                format!(r#"{{"account":{},"rows":50}}"#, i.contoso)
            }),
            expected: account_readers(),
        },
        Row {
            name: "configure_license_file",
            call: Call::Json("configure_license_file", |i| {
                format!(
                    r#"{{"account":{},"form":{{"host_name":"matrix-2","host_id":"matrix-host-2","quantities":[[{},"1"]]}},"replaces":null}}"#,
                    i.contoso, i.file_entitlement
                )
            }),
            expected: colleague_after(license_changers(), INVALID),
        },
        Row {
            name: "revoke_license_file",
            call: Call::Json("revoke_license_file", |i| {
                format!(r#"{{"account":{},"file":{}}}"#, i.contoso, i.file)
            }),
            expected: colleague_after(license_changers(), StatusCode::GONE),
        },
        Row {
            name: "renew_license_file",
            call: Call::Json("renew_license_file", |i| {
                format!(r#"{{"account":{},"file":{}}}"#, i.contoso, i.file)
            }),
            expected: license_changers(),
        },
        Row {
            name: "cloud_services",
            call: Call::Json("cloud_services", |i| {
                format!(r#"{{"account":{},"rows":50}}"#, i.contoso)
            }),
            expected: account_readers(),
        },
        Row {
            name: "provision_instance",
            call: Call::Json("provision_instance", |i| {
                format!(
                    r#"{{"account":{},"instance":{},"region":"eu-central","tenant":"matrix-tenant"}}"#,
                    i.contoso, i.iq_bot_server
                )
            }),
            expected: colleague_after(license_changers(), INVALID),
        },
        Row {
            name: "retry_provisioning",
            call: Call::Json("retry_provisioning", |i| {
                format!(r#"{{"account":{},"instance":{}}}"#, i.contoso, i.control_room)
            }),
            // Its Control Room is active: nothing to retry, and the partner is told so.
            expected: signed_in([
                (OtherPartner, FORBIDDEN),
                (Customer, FORBIDDEN),
                (Accounting, FORBIDDEN),
                (Partner, INVALID),
            ]),
        },
        Row {
            name: "audit_log",
            call: Call::Json("audit_log", |_| r#"{"query":{},"after":null}"#.into()),
            // The vendor admin alone, accounting included in the refusal.
            expected: but(
                signed_in([
                    (OtherPartner, FORBIDDEN),
                    (Customer, FORBIDDEN),
                    (Accounting, FORBIDDEN),
                    (Partner, FORBIDDEN),
                ]),
                VendorAdmin,
                OK,
            ),
        },
        Row {
            name: "list_admin_accounts",
            call: Call::Json("list_admin_accounts", |_| {
                r#"{"kind":"customer","search":"","after":null}"#.into()
            }),
            expected: administrators(),
        },
        Row {
            name: "create_account",
            call: Call::Json("create_account", |_| {
                r#"{"kind":"partner","form":{"name":"Matrix Partner","website":"","contact_name":"","contact_email":"","managed_by":null}}"#.into()
            }),
            expected: administrators(),
        },
        Row {
            name: "update_account",
            call: Call::Json("update_account", |i| {
                format!(
                    r#"{{"id":{},"form":{{"name":"Contoso Pharma","website":"https://contoso.example","contact_name":"","contact_email":"","managed_by":{}}}}}"#,
                    i.contoso, i.northwind
                )
            }),
            expected: administrators(),
        },
        Row {
            name: "set_account_active",
            call: Call::Json("set_account_active", |i| {
                format!(r#"{{"id":{},"active":true}}"#, i.contoso)
            }),
            expected: administrators(),
        },
        Row {
            name: "list_admin_products",
            call: Call::Json("list_admin_products", |_| r#"{"search":"","after":null}"#.into()),
            expected: administrators(),
        },
        Row {
            name: "list_orderable_products",
            call: Call::Json("list_orderable_products", |_| "{}".into()),
            expected: administrators(),
        },
        Row {
            name: "create_product",
            call: Call::Json("create_product", |_| {
                r#"{"form":{"sku":"MTX","name":"Matrix Product","model":"cloud","control_room":false}}"#
                    .into()
            }),
            expected: administrators(),
        },
        Row {
            name: "update_product",
            call: Call::Json("update_product", |i| {
                format!(
                    r#"{{"id":{},"form":{{"sku":"BC","name":"Bot Creator","model":"cloud","control_room":false}}}}"#,
                    i.product
                )
            }),
            expected: administrators(),
        },
        Row {
            name: "set_product_active",
            call: Call::Json("set_product_active", |i| {
                format!(r#"{{"id":{},"active":true}}"#, i.product)
            }),
            expected: administrators(),
        },
        Row {
            name: "list_admin_orders",
            call: Call::Json("list_admin_orders", |_| r#"{"search":"","after":null}"#.into()),
            expected: administrators(),
        },
        Row {
            name: "create_order",
            call: Call::Json("create_order", |i| {
                format!(
                    r#"{{"form":{{"number":"SO-MATRIX-1","partner":{},"ordered_on":"2026-12-01","lines":[{{"product":{},"quantity":"5","term_months":"12"}}]}}}}"#,
                    i.northwind, i.product
                )
            }),
            expected: administrators(),
        },
        Row {
            name: "update_order",
            call: Call::Json("update_order", |i| {
                format!(
                    r#"{{"id":{},"change":{{"ordered_on":"2026-11-02","new_lines":[]}}}}"#,
                    i.order
                )
            }),
            expected: administrators(),
        },
        Row {
            name: "import_orders",
            call: Call::Json("import_orders", |_| {
                r#"{"csv":"order_number,partner,order_date,product,quantity,term_months\nSO-MATRIX-2,Northwind Partners,2026-12-01,BC,5,12\n"}"#
                .into()
            }),
            expected: administrators(),
        },
        Row {
            name: "set_order_active",
            call: Call::Json("set_order_active", |i| {
                format!(r#"{{"id":{},"active":true}}"#, i.order)
            }),
            expected: administrators(),
        },
        Row {
            name: "list_admin_users",
            call: Call::Json("list_admin_users", |_| r#"{"search":"","after":null}"#.into()),
            expected: administrators(),
        },
        Row {
            name: "update_user",
            call: Call::Json("update_user", |i| {
                format!(
                    r#"{{"id":{},"change":{{"display_name":"Colleague","role":"partner_user"}}}}"#,
                    i.colleague
                )
            }),
            expected: people_managers(),
        },
        Row {
            name: "send_password_link",
            call: Call::Json("send_password_link", |i| format!(r#"{{"user":{}}}"#, i.colleague)),
            expected: people_managers(),
        },
        Row {
            name: "GET /api/audit.csv",
            call: Call::Get(|_| "/api/audit.csv?kind=sign_in".into()),
            expected: but(
                signed_in([
                    (OtherPartner, FORBIDDEN),
                    (Customer, FORBIDDEN),
                    (Accounting, FORBIDDEN),
                    (Partner, FORBIDDEN),
                ]),
                VendorAdmin,
                OK,
            ),
        },
        Row {
            name: "GET /license/files/{id}",
            call: Call::Get(|i| format!("/license/files/{}", i.file)),
            // Another partner, and vendor staff, are told there is no such file.
            expected: signed_in([
                (OtherPartner, NOT_FOUND),
                (Accounting, NOT_FOUND),
                (Customer, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "GET /license/public-key",
            call: Call::Get(|_| server::LICENSE_PUBLIC_KEY_PATH.into()),
            expected: all(OK),
        },
        Row {
            name: "GET /api/events",
            call: Call::GetStream(app::events::EVENTS_PATH),
            expected: signed_in([
                (OtherPartner, OK),
                (Customer, OK),
                (Accounting, OK),
                (Partner, OK),
            ]),
        },
        Row {
            name: "POST /api/orders/import",
            call: Call::Post(
                server::orders_api::ORDERS_IMPORT_PATH,
                "order_number,partner,order_date,product,quantity,term_months\n",
            ),
            // Off without a token; a session is no token.
            expected: all(NOT_FOUND),
        },
        Row {
            name: "POST /api/provisioning/callback",
            call: Call::Post(
                server::provisioning::CALLBACK_PATH,
                r#"{"status":"failed","job":1,"error":"x"}"#,
            ),
            // Only the configured provisioner's signature is taken.
            expected: all(NOT_FOUND),
        },
        Row {
            name: "POST /csp-report",
            call: Call::Post(server::security::CSP_REPORT_PATH, "{}"),
            expected: all(StatusCode::NO_CONTENT),
        },
        Row {
            name: "GET /healthz",
            call: Call::Get(|_| server::HEALTH_PATH.into()),
            expected: all(OK),
        },
        Row {
            name: "GET /readyz",
            call: Call::Get(|_| server::READY_PATH.into()),
            expected: all(OK),
        },
    ]
}

/// A database with the demo history, a submitted request and a license file.
pub(crate) async fn arrange() -> (Portal, Ids) {
    let p = Portal::demo().await;
    server::demo::walk_history(p.services())
        .await
        .expect("demo history");
    let partner = user(p.db(), "partner@example.com").await;
    let contoso = account_id(p.db(), "Contoso Pharma").await;
    let order = order_id(p.db(), "SO-2026-0101").await;
    let line = line_of(p.db(), "SO-2026-0101", "Bot Creator").await;
    let form = app::domain::DrawdownForm {
        customer_account: "Matrix Request Ltd".into(),
        customer_website: "https://matrix-request.example".into(),
        customer_name: "Robin".into(),
        customer_email: "robin@matrix-request.example".into(),
        quantities: vec![(line, "1".into())],
    };
    let request = p
        .services()
        .save(&partner, Some(order), &form, None)
        .await
        .expect("saved")
        .id;
    let mut conn = p.db().read().await.expect("conn");
    let id =
        |sql: &'static str, sku: &'static str| sqlx::query_scalar::<_, i64>(sql).bind(contoso.0).bind(sku);
    let instance = "SELECT i.id FROM service_instances i JOIN products p ON p.id = i.product_id WHERE i.account_id = $1 AND p.sku = $2";
    let entitlement = "SELECT e.id FROM entitlements e JOIN products p ON p.id = e.product_id WHERE e.account_id = $1 AND p.sku = $2";
    let control_room = id(instance, "CR")
        .fetch_one(&mut *conn)
        .await
        .expect("Control Room");
    let iq_bot_server = id(instance, "IQS")
        .fetch_one(&mut *conn)
        .await
        .expect("IQ Bot server");
    let bound = id(entitlement, "BC")
        .fetch_one(&mut *conn)
        .await
        .expect("Bot Creator");
    let unbound_cloud = id(entitlement, "IQP")
        .fetch_one(&mut *conn)
        .await
        .expect("IQ Bot pages");
    let file_entitlement = id(entitlement, "ABR")
        .fetch_one(&mut *conn)
        .await
        .expect("Attended Bot Runner");
    let bot_creator = sqlx::query_scalar::<_, i64>("SELECT id FROM products WHERE sku = 'BC'")
        .fetch_one(&mut *conn)
        .await
        .expect("Bot Creator");
    drop(conn);
    let file = p
        .services()
        .configure_license_file(
            &partner,
            contoso,
            &LicenseFileForm {
                host_name: "matrix-1".into(),
                host_id: "matrix-host-1".into(),
                quantities: vec![(app::domain::EntitlementId(file_entitlement), "1".into())],
            },
            None,
        )
        .await
        .expect("a license file");
    let view = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    assert_eq!(view.files.len(), 1);
    let ids = Ids {
        northwind: partner.account_id.0,
        contoso: contoso.0,
        order: order.0,
        line: line.0,
        request: request.0,
        colleague: user(p.db(), "partner-user@example.com").await.id.0,
        control_room,
        iq_bot_server,
        bound,
        unbound_cloud,
        file_entitlement,
        file: file.0,
        product: bot_creator,
    };
    (p, ids)
}

async fn status_of(app: &axum::Router, how: &Call, ids: &Ids, cookie: Option<&str>) -> (StatusCode, String) {
    let with_cookie = |mut request: http::request::Builder| {
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request
    };
    match how {
        // `sessions::call` sends JSON for a body that starts with `{`, else a form.
        Call::Json(endpoint, body) | Call::Form(endpoint, body) => {
            let (status, _, text) = call(app, endpoint, &body(ids), cookie).await;
            (status, text)
        }
        Call::Get(path) => {
            let request = with_cookie(Request::get(path(ids)))
                .body(Body::empty())
                .expect("request");
            let (status, _, text) = send(app, request).await;
            (status, text)
        }
        Call::GetStream(path) => {
            let request = with_cookie(Request::get(*path))
                .body(Body::empty())
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            (response.status(), String::new())
        }
        Call::Post(path, body) => {
            let request = with_cookie(Request::post(*path).header(header::CONTENT_TYPE, "application/json"))
                .body(Body::from(*body))
                .expect("request");
            let (status, _, text) = send(app, request).await;
            (status, text)
        }
    }
}

#[tokio::test]
async fn every_server_function_and_endpoint_answers_each_caller_as_the_matrix_says() {
    let rows = rows();
    // Every registered server function has its row.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let covered: BTreeSet<String> = rows
        .iter()
        .filter_map(|row| match row.call {
            Call::Json(endpoint, _) | Call::Form(endpoint, _) => Some(endpoint.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        registered, covered,
        "server functions without a row (left) or rows without a function (right)"
    );

    let mut failures = Vec::new();
    let mut cells = 0;
    for row in &rows {
        let (p, ids) = arrange().await;
        let app = crate::sessions::portal(p.db().clone());
        for (caller, expected) in &row.expected {
            let cookie = session_of(&app, *caller).await;
            let (status, body) = status_of(&app, &row.call, &ids, cookie.as_deref()).await;
            cells += 1;
            if status != *expected {
                failures.push(format!(
                    "{} as {caller:?}: {status}, expected {expected}: {body}",
                    row.name
                ));
            }
            assert!(
                !status.is_server_error(),
                "{} as {caller:?}: {status} {body}",
                row.name
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cells >= 140, "{cells} cells");
}
