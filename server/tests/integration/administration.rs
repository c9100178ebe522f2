//! Administration through its procedures, on a real database (SPEC,
//! "Administration"): partners, customers, products, orders and users
//! created, edited, deactivated and reactivated, each change with its audit
//! entry in its own transaction and a refused one with none; what a
//! deactivation does (sessions end, sign-in refused, an order offers
//! nothing to new requests, a product goes on no new order); the lists'
//! pages and searches.

use app::domain::{
    AccountForm, AccountKind, AdminField, AdminProblem, AdminRule, AuditKind, LicenseModel, LinkSent,
    OrderChange, OrderForm, OrderLineForm, ProductForm, Role, Standing, UserChange,
};
use app::repo::audit::{self, AuditFilter};
use app::services::{AdminError, Caller, PeopleError};
use app::throttle::SignInThrottle;

use crate::helpers::{account_id, count_rows, order_id, user, Portal};

/// The audit entries of one kind, oldest first.
async fn entries(p: &Portal, kind: AuditKind) -> Vec<app::domain::AuditEntry> {
    let mut conn = p.db().read().await.expect("conn");
    let filter = AuditFilter {
        kind: Some(kind),
        ..AuditFilter::default()
    };
    let mut entries = audit::list_entries(&mut conn, &filter, None, 1000)
        .await
        .expect("audit");
    entries.reverse();
    entries
}

fn problem(field: AdminField, rule: AdminRule) -> AdminError {
    AdminError::Invalid {
        problems: vec![AdminProblem { field, rule }],
    }
}

fn account(name: &str) -> AccountForm {
    AccountForm {
        name: name.into(),
        ..AccountForm::default()
    }
}

fn line(product: app::domain::ProductId, quantity: &str) -> OrderLineForm {
    OrderLineForm {
        product: Some(product),
        quantity: quantity.into(),
        term_months: "12".into(),
    }
}

async fn product_id(p: &Portal, sku: &str) -> app::domain::ProductId {
    app::domain::ProductId(
        sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
            .bind(sku)
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("product"),
    )
}

#[tokio::test]
async fn partners_and_customers_are_created_edited_and_refused_by_field_with_an_entry_for_each_change() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "admin@example.com").await;
    let s = p.services_from("198.51.100.4");
    let by = Caller::User(&admin);
    let adatum = s
        .create_account(
            by,
            AccountKind::Partner,
            &AccountForm {
                name: " Adatum Partners ".into(),
                website: "https://adatum.example".into(),
                contact_name: "Ada Tum".into(),
                contact_email: "Ada@Adatum.example".into(),
                managed_by: None,
            },
        )
        .await
        .expect("partner");
    let created = entries(&p, AuditKind::AccountCreated).await;
    assert_eq!(created.len(), 1);
    assert_eq!(
        (
            created[0].actor.as_str(),
            created[0].address.as_deref(),
            created[0].object_label.as_str()
        ),
        ("admin@example.com", Some("198.51.100.4"), "Adatum Partners")
    );
    let after = created[0].after.as_deref().unwrap_or_default();
    assert!(
        after.contains(r#""contact_email":"ada@adatum.example""#),
        "{after}"
    );

    // A customer names its partner; a refused form writes nothing, no entry either.
    let (accounts_before, audit_before) = (
        count_rows(p.db(), "accounts").await,
        count_rows(p.db(), "audit_log").await,
    );
    assert_eq!(
        s.create_account(by, AccountKind::Customer, &account("Adatum Client"))
            .await,
        Err(problem(AdminField::ManagingPartner, AdminRule::Required))
    );
    assert_eq!(
        s.create_account(by, AccountKind::Partner, &account("ADATUM partners"))
            .await,
        Err(problem(AdminField::Name, AdminRule::Taken))
    );
    let contoso = account_id(p.db(), "Contoso Pharma").await;
    assert_eq!(
        s.create_account(
            by,
            AccountKind::Customer,
            &AccountForm {
                managed_by: Some(contoso),
                ..account("Adatum Client")
            }
        )
        .await,
        Err(problem(AdminField::ManagingPartner, AdminRule::WrongKind)),
        "a customer is managed by a partner, not by another customer"
    );
    match s
        .create_account(
            by,
            AccountKind::Customer,
            &AccountForm {
                website: "adatum".into(),
                contact_email: "nobody@".into(),
                ..account("")
            },
        )
        .await
    {
        Err(AdminError::Invalid { problems }) => assert_eq!(
            problems.iter().map(|p| p.field).collect::<Vec<_>>(),
            [
                AdminField::Name,
                AdminField::Website,
                AdminField::ContactEmail,
                AdminField::ManagingPartner
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        (
            count_rows(p.db(), "accounts").await,
            count_rows(p.db(), "audit_log").await
        ),
        (accounts_before, audit_before),
        "nothing half-written"
    );
    let client = s
        .create_account(
            by,
            AccountKind::Customer,
            &AccountForm {
                managed_by: Some(adatum),
                ..account("Adatum Client")
            },
        )
        .await
        .expect("customer");

    // Edit records only what changed; a customer moves to another partner.
    let northwind = account_id(p.db(), "Northwind Partners").await;
    s.update_account(
        by,
        client,
        &AccountForm {
            managed_by: Some(northwind),
            ..account("Adatum Client")
        },
    )
    .await
    .expect("moved");
    let changed = entries(&p, AuditKind::AccountChanged).await;
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].before.as_deref(), changed[0].after.as_deref()),
        (
            Some(r#"{"managed_by":"Adatum Partners"}"#),
            Some(r#"{"managed_by":"Northwind Partners"}"#)
        )
    );
    let northwind_admin = user(p.db(), "partner@example.com").await;
    let choices = p
        .services()
        .account_choices(&northwind_admin, Some("Adatum"), None)
        .await
        .expect("choices");
    assert!(
        choices.accounts.iter().any(|a| a.id == client),
        "Northwind manages it now"
    );

    // The lists: a page of partners by name, and a search by the start of a name.
    let partners = s
        .account_rows(by, AccountKind::Partner, "", None)
        .await
        .expect("partners");
    assert_eq!(
        partners.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Adatum Partners", "Northwind Partners", "Tailspin Integrators"]
    );
    let found = s
        .account_rows(by, AccountKind::Customer, "adatum c", None)
        .await
        .expect("search");
    assert_eq!(found.rows.len(), 1);
    assert_eq!(
        found.rows[0].managed_by_name.as_deref(),
        Some("Northwind Partners")
    );
    // Nobody else administers.
    assert_eq!(
        s.account_rows(Caller::User(&northwind_admin), AccountKind::Partner, "", None)
            .await,
        Err(AdminError::Forbidden)
    );
    assert_eq!(
        s.create_account(
            Caller::User(&user(p.db(), "accounting@example.com").await),
            AccountKind::Partner,
            &account("X")
        )
        .await,
        Err(AdminError::Forbidden)
    );
}

#[tokio::test]
async fn the_lists_page_through_hundreds_of_rows_without_a_row_twice_or_missed() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "admin@example.com").await;
    let s = p.services();
    let by = Caller::User(&admin);
    for i in 0..120 {
        // Names whose case differs from their order in bytes: the lists sort by name in any case.
        let name = if i % 2 == 0 {
            format!("bulk partner {i:03}")
        } else {
            format!("Bulk Partner {i:03}")
        };
        s.create_account(by, AccountKind::Partner, &account(&name))
            .await
            .expect("partner");
    }
    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = s
            .account_rows(by, AccountKind::Partner, "bulk", after)
            .await
            .expect("page");
        pages += 1;
        seen.extend(page.rows.into_iter().map(|r| r.name.to_lowercase()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..120).map(|i| format!("bulk partner {i:03}")).collect();
    assert_eq!(seen, expected);
    // A search with a character no name holds finds nothing, and says so without a fault.
    let none = s
        .account_rows(by, AccountKind::Partner, "bulk\0", None)
        .await
        .expect("no fault");
    assert!(none.rows.is_empty());
    let users = s.user_rows(&admin, "partner", None).await.expect("users");
    assert_eq!(
        users.rows.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(),
        ["partner-user@example.com", "partner@example.com"]
    );
}

#[tokio::test]
async fn deactivating_an_account_ends_its_users_sessions_and_sign_ins_until_it_is_reactivated() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "admin@example.com").await;
    let s = p.services();
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let sign_in = |email: &'static str| {
        let p = &p;
        async move {
            app::auth::sign_in(
                p.db(),
                &p.settings,
                &SignInThrottle::new(),
                "192.0.2.1",
                email,
                "demo",
            )
            .await
        }
    };
    let (_, session) = sign_in("partner-user@example.com").await.expect("signed in");
    s.set_account_active(Caller::User(&admin), northwind, false)
        .await
        .expect("deactivated");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        format!("portal_session={session}").parse().expect("cookie"),
    );
    assert!(
        app::auth::user_from_headers(p.db(), &p.settings, &headers, app::auth::Activity::User)
            .await
            .is_err(),
        "the session ended"
    );
    assert!(sign_in("partner@example.com").await.is_err());
    assert!(
        sign_in("customer@example.com").await.is_ok(),
        "its customers' users go on"
    );
    // Twice changes nothing more; nothing is deleted.
    s.set_account_active(Caller::User(&admin), northwind, false)
        .await
        .expect("again");
    assert_eq!(entries(&p, AuditKind::AccountDeactivated).await.len(), 1);
    let rows = s
        .account_rows(Caller::User(&admin), AccountKind::Partner, "north", None)
        .await
        .expect("list");
    assert_eq!(rows.rows[0].standing, Standing::Deactivated);
    // A deactivated partner manages no new customer.
    assert_eq!(
        s.create_account(
            Caller::User(&admin),
            AccountKind::Customer,
            &AccountForm {
                managed_by: Some(northwind),
                ..account("Late Client")
            }
        )
        .await,
        Err(problem(AdminField::ManagingPartner, AdminRule::Deactivated))
    );
    s.set_account_active(Caller::User(&admin), northwind, true)
        .await
        .expect("reactivated");
    assert!(sign_in("partner@example.com").await.is_ok());
    let reactivated = entries(&p, AuditKind::AccountReactivated).await;
    assert_eq!(reactivated[0].after.as_deref(), Some(r#"{"state":"active"}"#));
    // The vendor's own account is no Administration row.
    assert_eq!(
        s.set_account_active(Caller::User(&admin), admin.account_id, false)
            .await,
        Err(AdminError::NotFound)
    );
}

#[tokio::test]
async fn products_keep_their_model_once_ordered_and_a_deactivated_product_goes_on_no_new_order() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "admin@example.com").await;
    let s = p.services();
    let by = Caller::User(&admin);
    let form = |sku: &str, name: &str, model| ProductForm {
        sku: sku.into(),
        name: name.into(),
        model,
        control_room: false,
    };
    let studio = s
        .create_product(by, &form("DS", "Document Studio", LicenseModel::File))
        .await
        .expect("product");
    assert_eq!(
        s.create_product(by, &form("DS", "Other", LicenseModel::File))
            .await,
        Err(problem(AdminField::Sku, AdminRule::Taken))
    );
    assert_eq!(
        s.create_product(
            by,
            &ProductForm {
                control_room: true,
                ..form("CR2", "Control Room 2", LicenseModel::Cloud)
            }
        )
        .await,
        Err(problem(AdminField::LicenseModel, AdminRule::NotAService))
    );
    // Not ordered yet: its model may change; Bot Creator's may not.
    s.update_product(by, studio, &form("DS", "Document Studio", LicenseModel::Cloud))
        .await
        .expect("model");
    let bot_creator = product_id(&p, "BC").await;
    assert_eq!(
        s.update_product(by, bot_creator, &form("BC", "Bot Creator", LicenseModel::File))
            .await,
        Err(problem(AdminField::LicenseModel, AdminRule::InUse))
    );
    s.update_product(
        by,
        bot_creator,
        &form("BC", "Bot Creator Pro", LicenseModel::Cloud),
    )
    .await
    .expect("renamed");
    let changed = entries(&p, AuditKind::ProductChanged).await;
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[1].after.as_deref(), Some(r#"{"name":"Bot Creator Pro"}"#));

    s.set_product_active(by, studio, false)
        .await
        .expect("deactivated");
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let order = OrderForm {
        number: "SO-2026-0777".into(),
        partner: Some(northwind),
        ordered_on: "2026-12-01".into(),
        lines: vec![line(bot_creator, "10"), line(studio, "5")],
    };
    assert_eq!(
        s.create_order(by, &order).await,
        Err(problem(AdminField::Product(2), AdminRule::Deactivated))
    );
    assert!(!s
        .orderable_products(by)
        .await
        .expect("catalog")
        .iter()
        .any(|p| p.id == studio));
    s.set_product_active(by, studio, true).await.expect("reactivated");
    s.create_order(by, &order).await.expect("ordered");
    assert_eq!(
        entries(&p, AuditKind::ProductDeactivated).await.len()
            + entries(&p, AuditKind::ProductReactivated).await.len(),
        2
    );
}

/// The orders the New form offers the partner.
async fn open_orders(p: &Portal, partner: &app::domain::CurrentUser) -> Vec<String> {
    p.services()
        .form_data(partner, partner.account_id, None)
        .await
        .expect("form")
        .orders
        .iter()
        .map(|o| o.number.clone())
        .collect()
}

#[tokio::test]
async fn an_order_from_the_form_is_drawn_from_until_it_is_deactivated_and_edit_adds_lines() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "admin@example.com").await;
    let partner = user(p.db(), "partner@example.com").await;
    let s = p.services();
    let by = Caller::User(&admin);
    let northwind = partner.account_id;
    let (bot_creator, runner) = (product_id(&p, "BC").await, product_id(&p, "UBR").await);
    let form = OrderForm {
        number: "SO-2026-0800".into(),
        partner: Some(northwind),
        ordered_on: "2026-12-01".into(),
        lines: vec![line(bot_creator, "10")],
    };
    let id = s.create_order(by, &form).await.expect("ordered");
    assert_eq!(
        s.create_order(by, &form).await,
        Err(problem(AdminField::OrderNumber, AdminRule::Taken))
    );
    let created = entries(&p, AuditKind::OrderCreated).await;
    let after = created.last().and_then(|e| e.after.clone()).unwrap_or_default();
    assert!(
        after.contains(r#""lines":[{"product":"Bot Creator","quantity":10,"term_months":12}]"#),
        "{after}"
    );
    assert!(open_orders(&p, &partner)
        .await
        .contains(&"SO-2026-0800".to_string()));

    s.set_order_active(by, id, false).await.expect("deactivated");
    assert!(!open_orders(&p, &partner)
        .await
        .contains(&"SO-2026-0800".to_string()));
    let line_id = crate::helpers::line_of(p.db(), "SO-2026-0800", "Bot Creator").await;
    let refused = crate::drawdowns::save_on(&p, &partner, id, line_id, "Late Customer", "2").await;
    assert!(
        matches!(refused, Err(app::services::DrawdownError::Invalid { .. })),
        "{refused:?}"
    );
    // The partner's Entitlements still show what it bought.
    let view = p
        .services()
        .entitlements(&partner, northwind)
        .await
        .expect("entitlements");
    assert!(view.order_lines.iter().any(|l| l.order_number == "SO-2026-0800"));
    s.set_order_active(by, id, true).await.expect("reactivated");
    crate::drawdowns::save_on(&p, &partner, id, line_id, "Late Customer", "2")
        .await
        .expect("saved");

    // Edit: the date corrected and a line added; a product already on it is refused.
    let change = OrderChange {
        ordered_on: "2026-11-30".into(),
        new_lines: vec![line(bot_creator, "1")],
    };
    assert_eq!(
        s.update_order(by, id, &change).await,
        Err(problem(AdminField::Product(1), AdminRule::Repeated))
    );
    let change = OrderChange {
        new_lines: vec![line(runner, "4")],
        ..change
    };
    s.update_order(by, id, &change).await.expect("changed");
    let rows = s.order_rows(by, "SO-2026-0800", None).await.expect("orders");
    let row = &rows.rows[0];
    assert_eq!(row.ordered_on, "2026-11-30");
    assert_eq!(
        row.lines
            .iter()
            .map(|l| (l.product_name.as_str(), l.quantity, l.reserved))
            .collect::<Vec<_>>(),
        [("Bot Creator", 10, 2), ("Unattended Bot Runner", 4, 0)]
    );
    let changed = entries(&p, AuditKind::OrderChanged).await;
    assert_eq!(
        changed[0].before.as_deref(),
        Some(r#"{"ordered_on":"2026-12-01"}"#)
    );
    crate::helpers::assert_ledger_check_clean(p.db()).await;
    assert_eq!(order_id(p.db(), "SO-2026-0800").await, id);
}

#[tokio::test]
async fn an_orders_file_from_the_screen_is_recorded_as_the_admin_and_from_a_command_as_the_server() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "admin@example.com").await;
    let s = p.services_from("198.51.100.9");
    let file = "order_number,partner,order_date,product,quantity,term_months\n\
                SO-2026-0901,Northwind Partners,2026-12-01,BC,5,12\n\
                SO-2026-0901,Northwind Partners,2026-12-01,UBR,2,12\n\
                SO-2026-0902,Tailspin Integrators,2026-12-02,IQ Bot pages,100,36\n";
    let summary = s
        .import_orders(Caller::User(&admin), file.as_bytes())
        .await
        .expect("imported");
    assert_eq!((summary.orders, summary.lines), (2, 3));
    server::commands::orders_import::import_orders(
        p.db(),
        "order_number,partner,order_date,product,quantity,term_months\nSO-2026-0903,Northwind Partners,2026-12-03,BC,1,12\n"
            .as_bytes(),
    )
    .await
    .expect("command");
    let created = entries(&p, AuditKind::OrderCreated).await;
    let by: Vec<(&str, &str)> = created
        .iter()
        .rev()
        .take(3)
        .map(|e| (e.object_label.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        by,
        [
            ("SO-2026-0903", "server"),
            ("SO-2026-0902", "admin@example.com"),
            ("SO-2026-0901", "admin@example.com")
        ]
    );
    // A deactivated partner is named as such in a file.
    let tailspin = account_id(p.db(), "Tailspin Integrators").await;
    s.set_account_active(Caller::User(&admin), tailspin, false)
        .await
        .expect("deactivated");
    let refused = s
        .import_orders(
            Caller::User(&admin),
            "order_number,partner,order_date,product,quantity,term_months\nSO-2026-0904,Tailspin Integrators,2026-12-02,BC,1,12\n"
                .as_bytes(),
        )
        .await;
    match refused {
        Err(AdminError::InvalidImport { problems }) => {
            assert_eq!((problems[0].line, problems[0].column.as_str()), (2, "partner"));
            assert_eq!(problems[0].rule, AdminRule::Deactivated);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_partner_admin_edits_its_colleagues_and_an_admin_sends_a_new_link_that_works() {
    let p = Portal::demo().await;
    let partner_admin = user(p.db(), "partner@example.com").await;
    let colleague = user(p.db(), "partner-user@example.com").await;
    let s = p.services();
    s.update_user(
        &partner_admin,
        None,
        colleague.id,
        &UserChange {
            display_name: "Pat Colleague".into(),
            role: Role::PartnerAdmin,
        },
    )
    .await
    .expect("promoted");
    let changed = entries(&p, AuditKind::UserChanged).await;
    assert_eq!(
        changed[0].after.as_deref(),
        Some(r#"{"display_name":"Pat Colleague","role":"partner_admin"}"#)
    );
    // Nobody changes their own role; a customer role does not fit a partner.
    assert_eq!(
        s.update_user(
            &partner_admin,
            None,
            partner_admin.id,
            &UserChange {
                display_name: "Me".into(),
                role: Role::PartnerUser,
            },
        )
        .await,
        Err(PeopleError::OwnUser)
    );
    assert_eq!(
        s.update_user(
            &partner_admin,
            None,
            colleague.id,
            &UserChange {
                display_name: "Pat".into(),
                role: Role::CustomerUser,
            },
        )
        .await,
        Err(PeopleError::WrongKind)
    );
    assert_eq!(entries(&p, AuditKind::UserChanged).await.len(), 1);

    // Reset password from Administration: a new link by email that sets a password once.
    let admin = user(p.db(), "admin@example.com").await;
    let sent = s
        .send_password_link(&admin, None, colleague.id)
        .await
        .expect("sent");
    assert_eq!(sent, LinkSent::PasswordReset);
    let token = crate::people::emailed_token(&p, "partner-user@example.com").await;
    s.set_password_from_link(
        &token,
        "walnut ferry lamp 42".into(),
        "walnut ferry lamp 42",
        None,
    )
    .await
    .expect("password set");
    // Another partner's admin may not.
    let other = user(p.db(), "other-partner@example.com").await;
    assert_eq!(
        s.send_password_link(&other, None, colleague.id).await,
        Err(PeopleError::Forbidden)
    );
}
