//! Orders from the vendor's order system: `server orders import FILE.csv`,
//! and the same file POSTed to the orders API (`crate::orders_api`).
//!
//! The file has a header row and one row per order line:
//! `order_number,partner,order_date,product,quantity,term_months`.
//! Rows of one order share its number, partner and date. `partner` is the
//! partner account's name; `product` a catalog SKU or name. Every row is
//! checked before anything is written, and the file is imported whole or not
//! at all.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use app::domain::{
    AccountId, AccountKind, AccountName, OrderDate, OrderNumber, ProductId, Quantity, TermMonths,
};
use app::repo::{accounts, orders, products, Db};

/// The columns, in any order.
pub const COLUMNS: [&str; 6] = [
    "order_number",
    "partner",
    "order_date",
    "product",
    "quantity",
    "term_months",
];

/// One problem in the file, located by line and column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The column concerned; empty for a row that cannot be read at all.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}, {}: {}", self.line, self.field, self.message)
        }
    }
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("nothing imported; {} problem(s):\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RowError>),
    #[error("nothing imported: {0}")]
    Database(#[from] sqlx::Error),
}

/// What was imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub orders: usize,
    pub lines: usize,
}

struct ValidLine {
    product: ProductId,
    quantity: Quantity,
    term: TermMonths,
}

struct ValidOrder {
    number: OrderNumber,
    partner: AccountId,
    date: OrderDate,
    first_line: u64,
    lines: Vec<ValidLine>,
    products_at: HashMap<ProductId, u64>,
}

/// Checks every row, then imports all orders in one transaction.
pub async fn import_orders(db: &Db, reader: impl Read) -> Result<ImportSummary, ImportError> {
    import_orders_at(db, reader, app::clock::Clock::system().now()).await
}

/// As `import_orders`, the orders recorded at `at` (the API's clock).
pub async fn import_orders_at(db: &Db, reader: impl Read, at: i64) -> Result<ImportSummary, ImportError> {
    let mut tx = db.begin().await?;
    let catalog = products::list_products(&mut tx).await?;
    let mut errors = Vec::new();
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(reader);

    let header = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(ImportError::Invalid(vec![RowError {
                line: 1,
                field: "",
                message: e.to_string(),
            }]))
        }
    };
    let mut index = HashMap::new();
    for name in COLUMNS {
        match header.iter().position(|h| h.eq_ignore_ascii_case(name)) {
            Some(i) => {
                index.insert(name, i);
            }
            None => errors.push(RowError {
                line: 1,
                field: name,
                message: "missing column".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }

    let mut orders_by_number: Vec<ValidOrder> = Vec::new();
    let mut partners: HashMap<String, Result<AccountId, String>> = HashMap::new();
    for record in csv.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError {
                    line,
                    field: "",
                    message: format!("cannot read the row: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |name: &str| record.get(index[name]).unwrap_or_default();
        let mut bad = |field: &'static str, message: String| errors.push(RowError { line, field, message });

        let number = OrderNumber::parse(field("order_number"))
            .map_err(|e| bad("order_number", e.to_string()))
            .ok();
        let date = OrderDate::parse(field("order_date"))
            .map_err(|e| bad("order_date", e.to_string()))
            .ok();
        let quantity = Quantity::parse_positive(field("quantity"))
            .map_err(|e| bad("quantity", e.to_string()))
            .ok();
        let term = TermMonths::parse(field("term_months"))
            .map_err(|e| bad("term_months", e.to_string()))
            .ok();
        let product_text = field("product");
        let product = catalog
            .iter()
            .find(|p| p.sku.eq_ignore_ascii_case(product_text) || p.name.eq_ignore_ascii_case(product_text))
            .map(|p| p.id);
        if product.is_none() {
            bad(
                "product",
                format!("no product has the SKU or name {product_text:?}"),
            );
        }
        let partner_name = field("partner").to_string();
        let key = partner_name.to_lowercase();
        let outcome = match partners.get(&key) {
            Some(outcome) => outcome.clone(),
            None => {
                // No account has a name that does not parse.
                let found = match AccountName::parse(&partner_name) {
                    Ok(name) => accounts::find_account_by_name(&mut tx, AccountKind::Partner, &name).await?,
                    Err(_) => Vec::new(),
                };
                let outcome = match found.as_slice() {
                    [one] => Ok(one.id),
                    [] => Err(format!("no partner account is named {partner_name:?}")),
                    _ => Err(format!("several partner accounts are named {partner_name:?}")),
                };
                partners.insert(key, outcome.clone());
                outcome
            }
        };
        let partner = outcome.map_err(|message| bad("partner", message)).ok();

        let (Some(number), Some(date), Some(quantity), Some(term), Some(product), Some(partner)) =
            (number, date, quantity, term, product, partner)
        else {
            continue;
        };
        let order = match orders_by_number.iter_mut().find(|o| o.number == number) {
            Some(order) => order,
            None => {
                if orders::order_number_exists(&mut tx, &number).await? {
                    bad("order_number", format!("order {number} was already imported"));
                    continue;
                }
                orders_by_number.push(ValidOrder {
                    number,
                    partner,
                    date,
                    first_line: line,
                    lines: Vec::new(),
                    products_at: HashMap::new(),
                });
                orders_by_number.last_mut().expect("just pushed")
            }
        };
        if order.partner != partner {
            bad(
                "partner",
                format!("differs from line {} of the same order", order.first_line),
            );
        } else if order.date != date {
            bad(
                "order_date",
                format!("differs from line {} of the same order", order.first_line),
            );
        } else if let Some(earlier) = order.products_at.get(&product) {
            bad("product", format!("already on line {earlier} of the same order"));
        } else {
            order.products_at.insert(product, line);
            order.lines.push(ValidLine {
                product,
                quantity,
                term,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    if orders_by_number.is_empty() {
        return Err(ImportError::Invalid(vec![RowError {
            line: 2,
            field: "",
            message: "the file has no order rows".into(),
        }]));
    }

    let mut summary = ImportSummary { orders: 0, lines: 0 };
    for order in &orders_by_number {
        let id = orders::insert_order(&mut tx, order.partner, &order.number, order.date, at)
            .await
            .map_err(|e| match e {
                // Another import got in between our check and now.
                orders::InsertOrderError::NumberTaken => ImportError::Invalid(vec![RowError {
                    line: order.first_line,
                    field: "order_number",
                    message: format!("order {} was already imported", order.number),
                }]),
                orders::InsertOrderError::Database(e) => e.into(),
            })?;
        for (i, line) in order.lines.iter().enumerate() {
            let line_no = i64::try_from(i + 1).unwrap_or(i64::MAX);
            orders::insert_order_line(&mut tx, id, line_no, line.product, line.quantity, line.term, at)
                .await?;
            summary.lines += 1;
        }
        summary.orders += 1;
    }
    tx.commit().await?;
    Ok(summary)
}
