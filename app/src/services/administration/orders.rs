//! Partners' orders (Administration → Orders: the form, and the CSV file
//! that `server orders import` and the orders API take too).
//!
//! The file has a header row and one row per order line:
//! `order_number,partner,order_date,product,quantity,term_months`, the
//! columns in any order. Rows of one order share its number, partner and
//! date. `partner` is the partner account's name; `product` a catalog SKU
//! or name. Every row is checked before anything is written, and the file
//! is imported whole or not at all.

use std::collections::HashMap;
use std::io::Read;

use serde_json::json;

use super::{page_of, require_admin, search_text, AdminError, PAGE_READ};
use crate::domain::{
    AccountId, AccountKind, AccountName, AdminCursor, AdminField, AdminPage, AdminProblem, AdminRule,
    AuditKind, AuditObject, ImportProblem, ImportSummary, NewOrder, NewOrderLine, OrderChange, OrderDate,
    OrderForm, OrderId, OrderNumber, OrderRow, ProductRow, Quantity, Standing, TermMonths, MAX_ORDER_LINES,
};
use crate::events::PortalEvent;
use crate::repo::{accounts, audit, orders, products};
use crate::repo::{set_deactivated, Deactivatable};
use crate::services::{Caller, Services};

/// The columns of an orders file, in any order.
pub const COLUMNS: [&str; 6] = [
    "order_number",
    "partner",
    "order_date",
    "product",
    "quantity",
    "term_months",
];

impl Services<'_> {
    /// A page of orders, newest number first, those whose number starts with `search`.
    pub async fn order_rows(
        &self,
        by: Caller<'_>,
        search: &str,
        after: Option<AdminCursor>,
    ) -> Result<AdminPage<OrderRow>, AdminError> {
        require_admin(by)?;
        let Some(search) = search_text(search) else {
            return Ok(page_of(Vec::new()));
        };
        let mut conn = self.db.read().await?;
        let rows = orders::list_order_rows(&mut conn, search, after.as_ref(), PAGE_READ).await?;
        Ok(page_of(
            rows.into_iter()
                .map(|row| {
                    let cursor = AdminCursor {
                        key: row.number.clone(),
                        id: row.id.0,
                    };
                    (row, cursor)
                })
                .collect(),
        ))
    }

    /// Records an order typed in the form, with its lines.
    pub async fn create_order(&self, by: Caller<'_>, form: &OrderForm) -> Result<OrderId, AdminError> {
        require_admin(by)?;
        let order = form
            .parse()
            .map_err(|problems| AdminError::Invalid { problems })?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let mut problems = Vec::new();
        let partner = match accounts::find_account(&mut tx, order.partner).await? {
            Some(partner) if partner.kind == AccountKind::Partner => {
                if !accounts::account_is_active(&mut tx, partner.id).await? {
                    problems.push(AdminProblem {
                        field: AdminField::Partner,
                        rule: AdminRule::Deactivated,
                    });
                }
                partner.name
            }
            _ => {
                problems.push(AdminProblem {
                    field: AdminField::Partner,
                    rule: AdminRule::WrongKind,
                });
                String::new()
            }
        };
        let catalog = products::list_products(&mut tx).await?;
        for (i, line) in order.lines.iter().enumerate() {
            let place = u16::try_from(i + 1).unwrap_or(u16::MAX);
            let rule = match catalog.iter().find(|p| p.id == line.product) {
                None => Some(AdminRule::UnknownProduct),
                Some(p) if p.standing == Standing::Deactivated => Some(AdminRule::Deactivated),
                Some(_) => None,
            };
            if let Some(rule) = rule {
                problems.push(AdminProblem {
                    field: AdminField::Product(place),
                    rule,
                });
            }
        }
        if !problems.is_empty() {
            return Err(AdminError::Invalid { problems });
        }
        let id = insert_order(&mut tx, &order, now)
            .await?
            .ok_or_else(|| AdminError::field(AdminField::OrderNumber, AdminRule::Taken))?;
        self.record_order(&mut tx, by, id, &order, &partner, &catalog, now)
            .await?;
        tx.commit().await?;
        self.announce_orders_of(order.partner);
        Ok(id)
    }

    /// Edit an order: its date corrected, and lines added.
    pub async fn update_order(
        &self,
        by: Caller<'_>,
        id: OrderId,
        change: &OrderChange,
    ) -> Result<(), AdminError> {
        require_admin(by)?;
        let change = change
            .parse()
            .map_err(|problems| AdminError::Invalid { problems })?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let order = orders::find_order_row(&mut tx, id)
            .await?
            .ok_or(AdminError::NotFound)?;
        let catalog = products::list_products(&mut tx).await?;
        let mut problems = Vec::new();
        for (i, line) in change.new_lines.iter().enumerate() {
            let place = u16::try_from(i + 1).unwrap_or(u16::MAX);
            let rule = match catalog.iter().find(|p| p.id == line.product) {
                None => Some(AdminRule::UnknownProduct),
                Some(_) if order.lines.iter().any(|l| l.product_id == line.product) => {
                    Some(AdminRule::Repeated)
                }
                Some(p) if p.standing == Standing::Deactivated => Some(AdminRule::Deactivated),
                Some(_) => None,
            };
            if let Some(rule) = rule {
                problems.push(AdminProblem {
                    field: AdminField::Product(place),
                    rule,
                });
            }
        }
        if order.lines.len() + change.new_lines.len() > MAX_ORDER_LINES {
            problems.push(AdminProblem {
                field: AdminField::Lines,
                rule: AdminRule::TooManyLines {
                    max: MAX_ORDER_LINES as u32,
                },
            });
        }
        if !problems.is_empty() {
            return Err(AdminError::Invalid { problems });
        }
        let ordered_on = change.ordered_on.to_string();
        if ordered_on != order.ordered_on {
            orders::update_order_date(&mut tx, id, change.ordered_on).await?;
        }
        for (i, line) in change.new_lines.iter().enumerate() {
            let line_no = i64::try_from(order.lines.len() + i + 1).unwrap_or(i64::MAX);
            orders::insert_order_line(&mut tx, id, line_no, line.product, line.quantity, line.term, now)
                .await?;
        }
        let mut before = serde_json::Map::new();
        let mut after = serde_json::Map::new();
        if ordered_on != order.ordered_on {
            before.insert("ordered_on".into(), json!(order.ordered_on));
            after.insert("ordered_on".into(), json!(ordered_on));
        }
        if !change.new_lines.is_empty() {
            after.insert("lines_added".into(), lines_json(&change.new_lines, &catalog));
        }
        if !after.is_empty() {
            audit::record(
                &mut tx,
                now,
                &self.actor(by.signed_in()),
                AuditKind::OrderChanged,
                &order_object(id, &order.number, order.partner_id),
                Some(&serde_json::Value::Object(before)),
                Some(&serde_json::Value::Object(after)),
            )
            .await?;
        }
        tx.commit().await?;
        self.announce_orders_of(order.partner_id);
        Ok(())
    }

    /// Imports an orders file: every order in one transaction, or none.
    pub async fn import_orders(
        &self,
        by: Caller<'_>,
        reader: impl Read,
    ) -> Result<ImportSummary, AdminError> {
        require_admin(by)?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let catalog = products::list_products(&mut tx).await?;
        let mut file = OrdersFile::default();
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(reader);
        let index = match csv.headers() {
            Ok(header) => file.columns(header),
            Err(_) => {
                file.bad(1, "", AdminRule::Unreadable);
                None
            }
        };
        let Some(index) = index else {
            return Err(AdminError::InvalidImport {
                problems: file.problems,
            });
        };
        for record in csv.records() {
            match record {
                Ok(record) => file.read_row(&mut tx, &record, &index, &catalog).await?,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    file.bad(line, "", AdminRule::Unreadable);
                }
            }
        }
        if file.problems.is_empty() && file.orders.is_empty() {
            file.bad(2, "", AdminRule::NoRows);
        }
        if !file.problems.is_empty() {
            return Err(AdminError::InvalidImport {
                problems: file.problems,
            });
        }
        let mut summary = ImportSummary { orders: 0, lines: 0 };
        for read in &file.orders {
            let Some(id) = insert_order(&mut tx, &read.order, now).await? else {
                // Another import got in between the check and now.
                return Err(AdminError::InvalidImport {
                    problems: vec![ImportProblem {
                        line: read.first_line,
                        column: "order_number".into(),
                        rule: AdminRule::Taken,
                    }],
                });
            };
            self.record_order(&mut tx, by, id, &read.order, &read.partner_name, &catalog, now)
                .await?;
            summary.orders += 1;
            summary.lines += u32::try_from(read.order.lines.len()).unwrap_or(u32::MAX);
        }
        tx.commit().await?;
        let mut partners: Vec<AccountId> = file.orders.iter().map(|o| o.order.partner).collect();
        partners.sort_by_key(|p| p.0);
        partners.dedup();
        for partner in partners {
            self.announce_orders_of(partner);
        }
        Ok(summary)
    }

    /// Deactivates an order (no new drawdown request draws from it; what
    /// was reserved or drawn stays) or reactivates it.
    pub async fn set_order_active(
        &self,
        by: Caller<'_>,
        id: OrderId,
        active: bool,
    ) -> Result<(), AdminError> {
        require_admin(by)?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let order = orders::find_order_row(&mut tx, id)
            .await?
            .ok_or(AdminError::NotFound)?;
        let changed = set_deactivated(&mut tx, Deactivatable::Orders, id.0, (!active).then_some(now)).await?;
        if changed {
            audit::record_standing(
                &mut tx,
                now,
                &self.actor(by.signed_in()),
                (AuditKind::OrderDeactivated, AuditKind::OrderReactivated),
                &order_object(id, &order.number, order.partner_id),
                active,
            )
            .await?;
        }
        tx.commit().await?;
        if changed {
            self.announce_orders_of(order.partner_id);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_order(
        &self,
        tx: &mut sqlx::AnyConnection,
        by: Caller<'_>,
        id: OrderId,
        order: &NewOrder,
        partner: &str,
        catalog: &[ProductRow],
        at: i64,
    ) -> Result<(), AdminError> {
        let lines = lines_json(&order.lines, catalog);
        audit::record(
            tx,
            at,
            &self.actor(by.signed_in()),
            AuditKind::OrderCreated,
            &order_object(id, order.number.as_str(), order.partner),
            None,
            Some(&json!({
                "number": order.number.as_str(),
                "partner": partner,
                "ordered_on": order.ordered_on.to_string(),
                "lines": lines,
            })),
        )
        .await?;
        Ok(())
    }

    /// The partner's Entitlements show its order lines: open ones follow.
    fn announce_orders_of(&self, partner: AccountId) {
        self.events.publish(PortalEvent::LicensesChanged {
            account: partner,
            managed_by: None,
        });
    }
}

/// Inserts an order and its lines (each line with the partner's
/// entitlement that comes from it); `None` when its number is taken.
async fn insert_order(
    tx: &mut sqlx::AnyConnection,
    order: &NewOrder,
    at: i64,
) -> Result<Option<OrderId>, AdminError> {
    let id = match orders::insert_order(tx, order.partner, &order.number, order.ordered_on, at).await {
        Ok(id) => id,
        Err(orders::InsertOrderError::NumberTaken) => return Ok(None),
        Err(orders::InsertOrderError::Database(e)) => return Err(e.into()),
    };
    for (i, line) in order.lines.iter().enumerate() {
        let line_no = i64::try_from(i + 1).unwrap_or(i64::MAX);
        orders::insert_order_line(tx, id, line_no, line.product, line.quantity, line.term, at).await?;
    }
    Ok(Some(id))
}

/// Lines as an audit entry records them: product by name, quantity, term.
fn lines_json(lines: &[NewOrderLine], catalog: &[ProductRow]) -> serde_json::Value {
    lines
        .iter()
        .map(|line| {
            let product = catalog
                .iter()
                .find(|p| p.id == line.product)
                .map(|p| p.name.as_str())
                .unwrap_or_default();
            json!({ "product": product, "quantity": line.quantity.get(), "term_months": line.term.get() })
        })
        .collect()
}

fn order_object(id: OrderId, number: &str, partner: AccountId) -> AuditObject {
    AuditObject {
        kind: "order",
        id: Some(id.0),
        label: number.to_owned(),
        account: Some(partner),
    }
}

/// An order read from a file, with where it starts and what it holds.
struct ReadOrder {
    order: NewOrder,
    partner_name: String,
    first_line: u64,
    products_at: HashMap<crate::domain::ProductId, u64>,
}

/// What a file has given so far: its orders and its problems.
#[derive(Default)]
struct OrdersFile {
    orders: Vec<ReadOrder>,
    problems: Vec<ImportProblem>,
    /// Partners looked up by lower-cased name: an id and its name, or the
    /// problem with that name.
    partners: HashMap<String, Result<(AccountId, String), AdminRule>>,
}

impl OrdersFile {
    fn bad(&mut self, line: u64, column: &str, rule: AdminRule) {
        self.problems.push(ImportProblem {
            line,
            column: column.to_owned(),
            rule,
        });
    }

    /// Where each column is; `None` (each missing one named) if any is missing.
    fn columns(&mut self, header: &csv::StringRecord) -> Option<HashMap<&'static str, usize>> {
        let mut index = HashMap::new();
        for name in COLUMNS {
            match header.iter().position(|h| h.eq_ignore_ascii_case(name)) {
                Some(i) => {
                    index.insert(name, i);
                }
                None => self.bad(1, name, AdminRule::MissingColumn),
            }
        }
        self.problems.is_empty().then_some(index)
    }

    async fn partner(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        typed: &str,
    ) -> Result<Result<(AccountId, String), AdminRule>, sqlx::Error> {
        let key = typed.to_lowercase();
        if let Some(found) = self.partners.get(&key) {
            return Ok(found.clone());
        }
        // No account has a name that does not parse.
        let found = match AccountName::parse(typed) {
            Ok(name) => accounts::find_account_by_name(conn, AccountKind::Partner, &name).await?,
            Err(_) => Vec::new(),
        };
        let outcome = match found.as_slice() {
            [one] if accounts::account_is_active(conn, one.id).await? => Ok((one.id, one.name.clone())),
            [_] => Err(AdminRule::Deactivated),
            [] => Err(AdminRule::UnknownPartner),
            _ => Err(AdminRule::AmbiguousPartner),
        };
        self.partners.insert(key, outcome.clone());
        Ok(outcome)
    }

    async fn read_row(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        record: &csv::StringRecord,
        index: &HashMap<&'static str, usize>,
        catalog: &[ProductRow],
    ) -> Result<(), AdminError> {
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |name: &str| record.get(index[name]).unwrap_or_default();
        let mut problems = Vec::new();
        let mut check = |column: &'static str, rule: Option<AdminRule>| {
            if let Some(rule) = rule {
                problems.push((column, rule));
            }
        };
        let number = OrderNumber::parse(field("order_number"));
        check("order_number", number.clone().err().map(AdminRule::OrderNumber));
        let date = OrderDate::parse(field("order_date"));
        check("order_date", date.clone().err().map(|_| AdminRule::Date));
        let quantity = Quantity::parse_positive(field("quantity"));
        check("quantity", quantity.clone().err().map(AdminRule::Quantity));
        let term = TermMonths::parse(field("term_months"));
        check("term_months", term.clone().err().map(AdminRule::Term));
        let typed_product = field("product");
        let product = catalog.iter().find(|p| {
            p.sku.eq_ignore_ascii_case(typed_product) || p.name.eq_ignore_ascii_case(typed_product)
        });
        check(
            "product",
            match product {
                None => Some(AdminRule::UnknownProduct),
                Some(p) if p.standing == Standing::Deactivated => Some(AdminRule::Deactivated),
                Some(_) => None,
            },
        );
        let partner = self.partner(conn, field("partner")).await?;
        check("partner", partner.clone().err());
        for (column, rule) in problems {
            self.bad(line, column, rule);
        }
        let (Ok(number), Ok(date), Ok(quantity), Ok(term), Some(product), Ok((partner, partner_name))) =
            (number, date, quantity, term, product, partner)
        else {
            return Ok(());
        };
        if product.standing == Standing::Deactivated {
            return Ok(());
        }
        let place = match self.orders.iter().position(|o| o.order.number == number) {
            Some(place) => place,
            None => {
                if orders::order_number_exists(conn, &number).await? {
                    self.bad(line, "order_number", AdminRule::Taken);
                    return Ok(());
                }
                self.orders.push(ReadOrder {
                    order: NewOrder {
                        number,
                        partner,
                        ordered_on: date,
                        lines: Vec::new(),
                    },
                    partner_name,
                    first_line: line,
                    products_at: HashMap::new(),
                });
                self.orders.len() - 1
            }
        };
        let read = &mut self.orders[place];
        let first = read.first_line;
        let rule = if read.order.partner != partner {
            Some(("partner", AdminRule::DiffersFromLine { line: first }))
        } else if read.order.ordered_on != date {
            Some(("order_date", AdminRule::DiffersFromLine { line: first }))
        } else if let Some(earlier) = read.products_at.get(&product.id) {
            Some(("product", AdminRule::RepeatedFromLine { line: *earlier }))
        } else {
            read.products_at.insert(product.id, line);
            read.order.lines.push(NewOrderLine {
                product: product.id,
                quantity,
                term,
            });
            None
        };
        if let Some((column, rule)) = rule {
            self.bad(line, column, rule);
        }
        Ok(())
    }
}
