//! Demo data: loaded into an empty database only when demo mode is on.
//! The users it creates all have the password `demo`.

use app::auth::hash_password;
use app::domain::{
    AccountId, AccountKind, LicenseModel, OrderDate, OrderNumber, ProductId, Quantity, Role, TermMonths,
    UserEmail,
};
use app::repo::accounts::{self, NewAccount};
use app::repo::{orders, products, users, Db};

/// The demo users: email, display name, role, and the index of their account in `ACCOUNTS`.
pub const USERS: [(&str, &str, Role, usize); 4] = [
    ("partner@example.com", "Nadia Moreau", Role::PartnerAdmin, 1),
    ("accounting@example.com", "Alex Durand", Role::Accounting, 0),
    ("customer@example.com", "Chris Lambert", Role::CustomerUser, 2),
    ("other-partner@example.com", "Olivia Hart", Role::PartnerAdmin, 4),
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
pub const PRODUCTS: [(&str, &str, LicenseModel); 5] = [
    ("CR", "Control Room", LicenseModel::Service),
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

/// The demo orders.
pub const ORDERS: [DemoOrder; 3] = [
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
        account_ids.push(accounts::insert_account(&mut tx, &new).await.map_err(invalid)?);
    }
    let mut product_ids: Vec<(&str, ProductId)> = Vec::new();
    for (sku, name, model) in PRODUCTS {
        product_ids.push((sku, products::insert_product(&mut tx, sku, name, model).await?));
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
        let order = orders::insert_order(&mut tx, account_ids[partner], &number, date)
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
            orders::insert_order_line(&mut tx, order, line_no, product, quantity, term).await?;
        }
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD))
        .await
        .map_err(invalid)?
        .map_err(invalid)?;
    for (email, name, role, account) in USERS {
        let email = UserEmail::parse(email).map_err(invalid)?;
        users::insert_user(&mut tx, &email, name, role, account_ids[account], &hash)
            .await
            .map_err(invalid)?;
    }
    tx.commit().await?;
    tracing::info!("demo data loaded: sign in as partner@example.com, accounting@example.com, customer@example.com or other-partner@example.com with password \"demo\"");
    Ok(true)
}
