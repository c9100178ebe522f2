//! Demo data: loaded into an empty database only when demo mode is on.
//! The users it creates all have the password `demo`.

use app::auth::hash_password;
use app::domain::{
    AccountId, AccountKind, LicenseModel, OrderDate, OrderNumber, ProductId, Quantity, Role, TermMonths,
    UserEmail,
};
use app::domain::{CurrentUser, DrawdownForm, Transition, UserId};
use app::repo::accounts::{self, NewAccount};
use app::repo::{orders, products, users, Db};
use app::services::Services;

/// The demo users: email, display name, role, and the index of their account in `ACCOUNTS`.
pub const USERS: [(&str, &str, Role, usize); 6] = [
    ("partner@example.com", "Nadia Moreau", Role::PartnerAdmin, 1),
    ("accounting@example.com", "Alex Durand", Role::Accounting, 0),
    ("customer@example.com", "Chris Lambert", Role::CustomerUser, 2),
    ("other-partner@example.com", "Olivia Hart", Role::PartnerAdmin, 4),
    ("admin@example.com", "Sacha Bernard", Role::VendorAdmin, 0),
    ("partner-user@example.com", "Noah Petit", Role::PartnerUser, 1),
];

/// The password of every demo user.
pub const PASSWORD: &str = "demo";

struct DemoAccount {
    kind: AccountKind,
    name: &'static str,
    website: &'static str,
    contact: (&'static str, &'static str),
    /// Index in `ACCOUNTS` of the managing partner.
    managed_by: Option<usize>,
}

const ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        kind: AccountKind::Vendor,
        name: "Automation Vendor",
        website: "https://vendor.example",
        contact: ("Accounting", "accounting@example.com"),
        managed_by: None,
    },
    DemoAccount {
        kind: AccountKind::Partner,
        name: "Northwind Partners",
        website: "https://northwind.example",
        contact: ("Nadia Moreau", "partner@example.com"),
        managed_by: None,
    },
    DemoAccount {
        kind: AccountKind::Customer,
        name: "Contoso Pharma",
        website: "https://contoso.example",
        contact: ("Chris Lambert", "customer@example.com"),
        managed_by: Some(1),
    },
    DemoAccount {
        kind: AccountKind::Customer,
        name: "Fabrikam Logistics",
        website: "https://fabrikam.example",
        contact: ("Benoît Leroy", "benoit@fabrikam.example"),
        managed_by: Some(1),
    },
    DemoAccount {
        kind: AccountKind::Partner,
        name: "Tailspin Integrators",
        website: "https://tailspin.example",
        contact: ("Olivia Hart", "other-partner@example.com"),
        managed_by: None,
    },
    DemoAccount {
        kind: AccountKind::Customer,
        name: "Wingtip Toys",
        website: "https://wingtip.example",
        contact: ("Sam Patel", "sam@wingtip.example"),
        managed_by: Some(4),
    },
];

/// The catalog: SKU, name, license model.
pub const PRODUCTS: [(&str, &str, LicenseModel); 6] = [
    ("CR", "Control Room", LicenseModel::Service),
    ("IQS", "IQ Bot server", LicenseModel::Service),
    ("BC", "Bot Creator", LicenseModel::Cloud),
    ("UBR", "Unattended Bot Runner", LicenseModel::Cloud),
    ("ABR", "Attended Bot Runner", LicenseModel::File),
    ("IQP", "IQ Bot pages", LicenseModel::Cloud),
];

/// A demo order.
pub struct DemoOrder {
    pub number: &'static str,
    pub date: &'static str,
    /// Index of the partner in `ACCOUNTS`.
    pub partner: usize,
    /// (SKU, quantity, term in months).
    pub lines: &'static [(&'static str, i64, i64)],
}

/// The demo orders. The first one was drawn down to Contoso Pharma in full
/// before the demo starts (see `walk_history`).
pub const ORDERS: [DemoOrder; 4] = [
    DemoOrder {
        number: "SO-2026-0042",
        date: "2026-06-10",
        partner: 1,
        lines: &[
            ("CR", 1, 12),
            ("IQS", 1, 12),
            ("BC", 3, 12),
            ("UBR", 5, 12),
            ("ABR", 10, 12),
            ("IQP", 10_000, 12),
        ],
    },
    DemoOrder {
        number: "SO-2026-0101",
        date: "2026-09-15",
        partner: 1,
        lines: &[
            ("CR", 2, 12),
            ("BC", 10, 12),
            ("UBR", 25, 12),
            ("ABR", 40, 12),
            ("IQP", 50_000, 12),
        ],
    },
    DemoOrder {
        number: "SO-2026-0187",
        date: "2026-10-20",
        partner: 1,
        lines: &[("BC", 5, 24), ("UBR", 10, 24), ("IQP", 20_000, 24)],
    },
    DemoOrder {
        number: "SO-2026-0150",
        date: "2026-10-02",
        partner: 4,
        lines: &[("CR", 1, 12), ("BC", 3, 12), ("UBR", 8, 12)],
    },
];

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Invalid(String),
}

fn invalid(e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(e.to_string())
}

/// Loads the demo data unless the database already has accounts; returns
/// whether it loaded. One transaction: all of it or none.
pub async fn load_if_empty(db: &Db) -> Result<bool, DemoError> {
    let mut tx = db.begin().await?;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&mut *tx)
        .await?;
    if existing > 0 {
        return Ok(false);
    }
    // Loaded once at start-up: the time of day, whatever clock the services run on.
    let at = app::clock::Clock::system().now();
    let mut account_ids: Vec<AccountId> = Vec::new();
    for a in &ACCOUNTS {
        let new = NewAccount {
            kind: a.kind,
            name: a.name,
            website: Some(a.website),
            contact_name: Some(a.contact.0),
            contact_email: Some(a.contact.1),
            managed_by: a.managed_by.map(|i| account_ids[i]),
        };
        account_ids.push(
            accounts::insert_account(&mut tx, &new, at)
                .await
                .map_err(invalid)?,
        );
    }
    let mut product_ids: Vec<(&str, ProductId)> = Vec::new();
    for (sku, name, model) in PRODUCTS {
        let id = products::insert_product(&mut tx, sku, name, model)
            .await
            .map_err(invalid)?;
        if sku == "CR" {
            products::mark_holds_cloud_licenses(&mut tx, id).await?;
        }
        product_ids.push((sku, id));
    }
    for DemoOrder {
        number,
        date,
        partner,
        lines,
    } in ORDERS
    {
        let number = OrderNumber::parse(number).map_err(invalid)?;
        let date = OrderDate::parse(date).map_err(invalid)?;
        let order = orders::insert_order(&mut tx, account_ids[partner], &number, date, at)
            .await
            .map_err(invalid)?;
        for (i, (sku, quantity, term)) in lines.iter().enumerate() {
            let product = product_ids
                .iter()
                .find(|(s, _)| s == sku)
                .map(|(_, id)| *id)
                .ok_or_else(|| invalid(sku))?;
            let line_no = i64::try_from(i + 1).map_err(invalid)?;
            let quantity = Quantity::new(*quantity).map_err(invalid)?;
            let term = TermMonths::new(*term).map_err(invalid)?;
            orders::insert_order_line(&mut tx, order, line_no, product, quantity, term, at).await?;
        }
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD))
        .await
        .map_err(invalid)?
        .map_err(invalid)?;
    for (email, name, role, account) in USERS {
        let email = UserEmail::parse(email).map_err(invalid)?;
        users::insert_user(&mut tx, &email, name, role, account_ids[account], &hash, at)
            .await
            .map_err(invalid)?;
    }
    tx.commit().await?;
    tracing::info!("demo data loaded: sign in as partner@example.com, partner-user@example.com, accounting@example.com, customer@example.com, other-partner@example.com or admin@example.com with password \"demo\"");
    Ok(true)
}

/// What happened before the demo starts, walked through the real procedure:
/// Northwind drew all of SO-2026-0042 down to Contoso Pharma (saved,
/// approved by accounting, accepted), then bound some of Contoso's cloud
/// entitlements to its Control Room. So every tab of Contoso has something
/// to show, and its emails sit in the mail folder.
pub async fn walk_history(services: Services<'_>) -> Result<(), DemoError> {
    let partner = demo_user(services.db, USERS[0].0).await?;
    let accounting = demo_user(services.db, USERS[1].0).await?;
    let contoso = &ACCOUNTS[2];
    let data = services
        .form_data(&partner, partner.account_id, None)
        .await
        .map_err(invalid)?;
    let order = data
        .orders
        .iter()
        .find(|o| o.number == ORDERS[0].number)
        .ok_or_else(|| invalid("the demo order SO-2026-0042 is missing"))?;
    let form = DrawdownForm {
        customer_account: contoso.name.into(),
        customer_website: contoso.website.into(),
        customer_name: contoso.contact.0.into(),
        customer_email: contoso.contact.1.into(),
        quantities: order
            .lines
            .iter()
            .map(|l| (l.availability.line, l.availability.available.to_string()))
            .collect(),
    };
    let saved = services
        .save(&partner, Some(order.id), &form, None)
        .await
        .map_err(invalid)?;
    services
        .change(&accounting, saved.id, Transition::Approve, None)
        .await
        .map_err(invalid)?;
    services
        .change(&partner, saved.id, Transition::Accept, None)
        .await
        .map_err(invalid)?;
    let customer = data
        .customers
        .iter()
        .find(|c| c.name == contoso.name)
        .ok_or_else(|| invalid("Contoso Pharma is missing"))?;
    let view = services
        .cloud_licenses(&partner, customer.id)
        .await
        .map_err(invalid)?;
    let control_room = view
        .licenses
        .first()
        .ok_or_else(|| invalid("Contoso has no Control Room"))?
        .control_room
        .id;
    for (product, quantity) in [("Bot Creator", "2"), ("Unattended Bot Runner", "3")] {
        let entitlement = view
            .entitlements
            .iter()
            .find(|e| e.product_name == product)
            .ok_or_else(|| invalid(product))?;
        services
            .bind(&partner, customer.id, control_room, entitlement.id, quantity)
            .await
            .map_err(invalid)?;
    }
    tracing::info!(request = %saved.number, "demo history walked: Contoso Pharma holds SO-2026-0042");
    Ok(())
}

async fn demo_user(db: &Db, email: &str) -> Result<CurrentUser, DemoError> {
    let email = UserEmail::parse(email).map_err(invalid)?;
    let mut conn = db.read().await?;
    let (id, _, _): (UserId, _, String) = users::find_password_hash(&mut conn, &email)
        .await?
        .ok_or_else(|| invalid("a demo user is missing"))?;
    users::find_user(&mut conn, id)
        .await?
        .ok_or_else(|| invalid("a demo user is missing"))
}
