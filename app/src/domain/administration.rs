//! What vendor admins type in Administration (SPEC, "Administration"):
//! the forms of partners, customers, products, users and orders, parsed
//! into values that can only hold what the rules allow, and the problems
//! each form and each row of an orders CSV can have, named by field. The
//! browser checks a form with these as it is filled; the server checks again.

use serde::{Deserialize, Serialize};

use super::{
    AccountId, AccountKind, AccountName, AccountNameError, CustomerWebsite, DisplayName, EmailError,
    LicenseModel, OrderDate, OrderId, OrderNumber, OrderNumberError, ProductId, Quantity, QuantityError,
    Role, TermError, TermMonths, UserEmail, WebsiteError,
};

/// Rows in one page of an Administration list.
pub const ADMIN_PAGE: usize = 50;
/// The most lines one order takes from the form.
pub const MAX_ORDER_LINES: usize = 100;

/// A field of an Administration form; an order line's fields by the
/// line's place in the form (1 for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminField {
    Name,
    Website,
    ContactName,
    ContactEmail,
    ManagingPartner,
    Sku,
    LicenseModel,
    Email,
    DisplayName,
    Role,
    Account,
    OrderNumber,
    Partner,
    OrderDate,
    Lines,
    Product(u16),
    Quantity(u16),
    Term(u16),
}

/// A rule a value broke. The same rules name what is wrong with a row of
/// an orders CSV, so a file's problems read like a form's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AdminRule {
    #[error("{0}")]
    Name(AccountNameError),
    #[error("{0}")]
    Website(WebsiteError),
    #[error("{0}")]
    Email(EmailError),
    #[error("1 to 20 letters, digits or '-'")]
    Sku,
    #[error("{0}")]
    OrderNumber(OrderNumberError),
    #[error("the date must be a calendar date written YYYY-MM-DD")]
    Date,
    #[error("{0}")]
    Quantity(QuantityError),
    #[error("{0}")]
    Term(TermError),
    /// Nothing chosen where one must be (a partner, a product).
    #[error("choose one")]
    Required,
    /// Another partner, product, user or order has it already.
    #[error("already exists")]
    Taken,
    /// The partner, account or product chosen is deactivated.
    #[error("deactivated")]
    Deactivated,
    /// The account chosen is not of the kind the role or form needs.
    #[error("not an account of the right kind")]
    WrongKind,
    /// A product on two lines of one order.
    #[error("this product is on another line of the order")]
    Repeated,
    #[error("an order needs at least one line")]
    NoLines,
    #[error("at most {max} lines")]
    TooManyLines { max: u32 },
    /// A product's license model is what its orders were delivered by: it
    /// stays once the product is ordered.
    #[error("the product is on orders already")]
    InUse,
    /// Only a service is provisioned with a license GUID (a Control Room).
    #[error("only a service product can be a Control Room")]
    NotAService,
    /// A catalog product is named by its SKU or name in a file.
    #[error("no product has this SKU or name")]
    UnknownProduct,
    #[error("no partner account has this name")]
    UnknownPartner,
    #[error("several partner accounts have this name")]
    AmbiguousPartner,
    /// Rows of one order share its partner and date.
    #[error("differs from line {line} of the same order")]
    DiffersFromLine { line: u64 },
    /// A product on two rows of one order.
    #[error("already on line {line} of the same order")]
    RepeatedFromLine { line: u64 },
    #[error("missing column")]
    MissingColumn,
    #[error("the row cannot be read as CSV")]
    Unreadable,
    #[error("the file has no order rows")]
    NoRows,
}

/// One problem of a form, next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProblem {
    pub field: AdminField,
    pub rule: AdminRule,
}

/// The problems of a form, gathered field by field.
#[derive(Debug, Default)]
struct Problems(Vec<AdminProblem>);

impl Problems {
    fn take<T, E>(
        &mut self,
        field: AdminField,
        parsed: Result<T, E>,
        rule: impl FnOnce(E) -> AdminRule,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(AdminProblem { field, rule: rule(e) });
                None
            }
        }
    }

    fn push(&mut self, field: AdminField, rule: AdminRule) {
        self.0.push(AdminProblem { field, rule });
    }

    fn done<T>(self, value: Option<T>) -> Result<T, Vec<AdminProblem>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// A text that may be left empty: `None` when it is.
fn optional<T, E>(input: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

/// The form of a partner or a customer, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountForm {
    pub name: String,
    /// Optional: an `http(s)` address.
    pub website: String,
    pub contact_name: String,
    pub contact_email: String,
    /// A customer's managing partner; `None` for a partner.
    pub managed_by: Option<AccountId>,
}

/// An account's details once every rule holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    pub kind: AccountKind,
    pub name: AccountName,
    pub website: Option<CustomerWebsite>,
    pub contact_name: Option<DisplayName>,
    pub contact_email: Option<UserEmail>,
    pub managed_by: Option<AccountId>,
}

impl AccountForm {
    /// Checks the form of an account of `kind` (partner or customer): a
    /// name, and any website, contact name and email typed must be valid;
    /// a customer names its managing partner.
    pub fn parse(&self, kind: AccountKind) -> Result<AccountDetails, Vec<AdminProblem>> {
        let mut problems = Problems::default();
        let name = problems.take(AdminField::Name, AccountName::parse(&self.name), AdminRule::Name);
        let website = problems.take(
            AdminField::Website,
            optional(&self.website, CustomerWebsite::parse),
            AdminRule::Website,
        );
        let contact_name = problems.take(
            AdminField::ContactName,
            optional(&self.contact_name, DisplayName::parse),
            AdminRule::Name,
        );
        let contact_email = problems.take(
            AdminField::ContactEmail,
            optional(&self.contact_email, UserEmail::parse),
            AdminRule::Email,
        );
        let managed_by = match kind {
            AccountKind::Customer if self.managed_by.is_none() => {
                problems.push(AdminField::ManagingPartner, AdminRule::Required);
                None
            }
            AccountKind::Customer => self.managed_by,
            _ => None,
        };
        let details = match (name, website, contact_name, contact_email) {
            (Some(name), Some(website), Some(contact_name), Some(contact_email)) => Some(AccountDetails {
                kind,
                name,
                website,
                contact_name,
                contact_email,
                managed_by,
            }),
            _ => None,
        };
        problems.done(details)
    }
}

/// A product's SKU: 1 to 20 ASCII letters, digits or `-`, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// The longest SKU the vendor's catalog uses.
    pub const MAX_CHARS: usize = 20;

    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, AdminRule> {
        let s = input.trim();
        if s.is_empty()
            || s.len() > Self::MAX_CHARS
            || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(AdminRule::Sku);
        }
        Ok(Self(s.to_string()))
    }

    /// The SKU as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = AdminRule;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(value: Sku) -> Self {
        value.0
    }
}

/// The form of a catalog product, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    pub sku: String,
    pub name: String,
    pub model: LicenseModel,
    /// A service whose instances carry the license GUID that cloud
    /// entitlements bind to.
    pub control_room: bool,
}

/// A product's details once every rule holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDetails {
    pub sku: Sku,
    /// The rules of an account's name.
    pub name: DisplayName,
    pub model: LicenseModel,
    pub control_room: bool,
}

impl ProductForm {
    /// Checks the form.
    pub fn parse(&self) -> Result<ProductDetails, Vec<AdminProblem>> {
        let mut problems = Problems::default();
        let sku = problems.take(AdminField::Sku, Sku::parse(&self.sku), |e| e);
        let name = problems.take(AdminField::Name, DisplayName::parse(&self.name), AdminRule::Name);
        if self.control_room && self.model != LicenseModel::Service {
            problems.push(AdminField::LicenseModel, AdminRule::NotAService);
        }
        let details = sku.zip(name).map(|(sku, name)| ProductDetails {
            sku,
            name,
            model: self.model,
            control_room: self.control_room,
        });
        problems.done(details)
    }
}

/// What Edit changes of a user: the name shown and the role (within the
/// kind of its account). The email is who signs in: a new address is a
/// new user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChange {
    pub display_name: String,
    pub role: Role,
}

/// One line of the order form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineForm {
    pub product: Option<ProductId>,
    pub quantity: String,
    pub term_months: String,
}

/// The order form, as typed (lines added one by one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderForm {
    pub number: String,
    pub partner: Option<AccountId>,
    /// `YYYY-MM-DD`.
    pub ordered_on: String,
    pub lines: Vec<OrderLineForm>,
}

/// A line of a new order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewOrderLine {
    pub product: ProductId,
    pub quantity: Quantity,
    pub term: TermMonths,
}

/// A new order once every rule holds (the partner and products are
/// checked where they are read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub number: OrderNumber,
    pub partner: AccountId,
    pub ordered_on: OrderDate,
    pub lines: Vec<NewOrderLine>,
}

impl OrderForm {
    /// Checks the form: each line a product, a quantity above 0 and a term,
    /// no product twice.
    pub fn parse(&self) -> Result<NewOrder, Vec<AdminProblem>> {
        let mut problems = Problems::default();
        let number = problems.take(
            AdminField::OrderNumber,
            OrderNumber::parse(&self.number),
            AdminRule::OrderNumber,
        );
        if self.partner.is_none() {
            problems.push(AdminField::Partner, AdminRule::Required);
        }
        let ordered_on = problems.take(AdminField::OrderDate, OrderDate::parse(&self.ordered_on), |_| {
            AdminRule::Date
        });
        if self.lines.is_empty() {
            problems.push(AdminField::Lines, AdminRule::NoLines);
        }
        let lines = parse_lines(&self.lines, &mut problems);
        let order = match (number, self.partner, ordered_on) {
            (Some(number), Some(partner), Some(ordered_on)) => Some(NewOrder {
                number,
                partner,
                ordered_on,
                lines,
            }),
            _ => None,
        };
        problems.done(order)
    }
}

/// Each line of a form checked in its place (1 for the first), no product
/// twice, at most `MAX_ORDER_LINES`.
fn parse_lines(lines: &[OrderLineForm], problems: &mut Problems) -> Vec<NewOrderLine> {
    if lines.len() > MAX_ORDER_LINES {
        problems.push(
            AdminField::Lines,
            AdminRule::TooManyLines {
                max: MAX_ORDER_LINES as u32,
            },
        );
    }
    let mut parsed = Vec::new();
    for (i, line) in lines.iter().enumerate().take(MAX_ORDER_LINES) {
        let place = u16::try_from(i + 1).unwrap_or(u16::MAX);
        let product = match line.product {
            None => {
                problems.push(AdminField::Product(place), AdminRule::Required);
                None
            }
            Some(p) if lines[..i].iter().any(|l| l.product == Some(p)) => {
                problems.push(AdminField::Product(place), AdminRule::Repeated);
                None
            }
            Some(p) => Some(p),
        };
        let quantity = problems.take(
            AdminField::Quantity(place),
            Quantity::parse_positive(&line.quantity),
            AdminRule::Quantity,
        );
        let term = problems.take(
            AdminField::Term(place),
            TermMonths::parse(&line.term_months),
            AdminRule::Term,
        );
        if let (Some(product), Some(quantity), Some(term)) = (product, quantity, term) {
            parsed.push(NewOrderLine {
                product,
                quantity,
                term,
            });
        }
    }
    parsed
}

/// What Edit changes of an order: its date, and lines added (a line's
/// quantity is what its ledger explains, so it stays as ordered).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderChange {
    /// `YYYY-MM-DD`.
    pub ordered_on: String,
    /// New lines only; an empty list changes the date alone.
    pub new_lines: Vec<OrderLineForm>,
}

/// An order's change once every rule holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedOrderChange {
    pub ordered_on: OrderDate,
    pub new_lines: Vec<NewOrderLine>,
}

impl OrderChange {
    /// Checks the change: the date, and each new line in its place among
    /// the new ones.
    pub fn parse(&self) -> Result<ParsedOrderChange, Vec<AdminProblem>> {
        let mut problems = Problems::default();
        let ordered_on = problems.take(AdminField::OrderDate, OrderDate::parse(&self.ordered_on), |_| {
            AdminRule::Date
        });
        let new_lines = parse_lines(&self.new_lines, &mut problems);
        problems.done(ordered_on.map(|ordered_on| ParsedOrderChange {
            ordered_on,
            new_lines,
        }))
    }
}

/// A problem of an orders CSV: the line in the file (the header is 1) and
/// the column, empty for a row that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: u64,
    pub column: String,
    pub rule: AdminRule,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.rule)
        } else {
            write!(f, "line {}, {}: {}", self.line, self.column, self.rule)
        }
    }
}

/// What an import brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub orders: u32,
    pub lines: u32,
}

/// Whether a row of an Administration list is in use or deactivated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    Active,
    Deactivated,
}

impl Standing {
    /// From a row's `deactivated_at`.
    pub fn of(deactivated_at: Option<i64>) -> Self {
        if deactivated_at.is_some() {
            Self::Deactivated
        } else {
            Self::Active
        }
    }
}

/// A partner or customer as Administration lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: String,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub managed_by: Option<AccountId>,
    pub managed_by_name: Option<String>,
    pub standing: Standing,
}

impl AccountRow {
    /// The form that edits it.
    pub fn form(&self) -> AccountForm {
        AccountForm {
            name: self.name.clone(),
            website: self.website.clone().unwrap_or_default(),
            contact_name: self.contact_name.clone().unwrap_or_default(),
            contact_email: self.contact_email.clone().unwrap_or_default(),
            managed_by: self.managed_by,
        }
    }
}

/// A catalog product as Administration lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub model: LicenseModel,
    pub control_room: bool,
    pub standing: Standing,
}

impl ProductRow {
    /// The form that edits it.
    pub fn form(&self) -> ProductForm {
        ProductForm {
            sku: self.sku.clone(),
            name: self.name.clone(),
            model: self.model,
            control_room: self.control_room,
        }
    }
}

/// An order as Administration lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: OrderId,
    pub number: String,
    pub partner_id: AccountId,
    pub partner: String,
    pub ordered_on: String,
    pub lines: Vec<OrderRowLine>,
    pub standing: Standing,
}

/// A line of an order as Administration lists it, with its balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRowLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: i64,
    pub term_months: i64,
    pub reserved: i64,
    pub drawn: i64,
}

/// A page of an Administration list, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPage<T> {
    pub rows: Vec<T>,
    /// Pass back to read the next page; `None` on the last.
    pub next: Option<AdminCursor>,
}

/// Where a page of an Administration list ends: the sort key of its last
/// row (a lower-cased name, an email, an order number) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCursor {
    pub key: String,
    pub id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(problems: &[AdminProblem]) -> Vec<AdminField> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_partner_needs_a_name_and_the_rest_is_optional_but_checked() {
        let form = AccountForm {
            name: "  Adatum Partners ".into(),
            ..AccountForm::default()
        };
        let details = form.parse(AccountKind::Partner).expect("valid");
        assert_eq!(details.name.as_str(), "Adatum Partners");
        assert_eq!((details.website, details.contact_email), (None, None));

        let bad = AccountForm {
            name: " ".into(),
            website: "adatum".into(),
            contact_name: "\u{202E}evil".into(),
            contact_email: "nobody@".into(),
            managed_by: Some(AccountId(3)),
        };
        let problems = bad.parse(AccountKind::Partner).expect_err("invalid");
        assert_eq!(
            fields(&problems),
            [
                AdminField::Name,
                AdminField::Website,
                AdminField::ContactName,
                AdminField::ContactEmail
            ]
        );
        assert_eq!(problems[0].rule, AdminRule::Name(AccountNameError::Empty));
        // A partner is managed by nobody, whatever the form says.
        let partner = AccountForm {
            name: "P".into(),
            managed_by: Some(AccountId(3)),
            ..AccountForm::default()
        };
        assert_eq!(
            partner.parse(AccountKind::Partner).map(|d| d.managed_by),
            Ok(None)
        );
    }

    #[test]
    fn a_customer_names_its_managing_partner() {
        let form = AccountForm {
            name: "Contoso".into(),
            website: "https://www.contoso.example".into(),
            ..AccountForm::default()
        };
        assert_eq!(
            form.parse(AccountKind::Customer).expect_err("no partner"),
            [AdminProblem {
                field: AdminField::ManagingPartner,
                rule: AdminRule::Required
            }]
        );
        let form = AccountForm {
            managed_by: Some(AccountId(2)),
            ..form
        };
        let details = form.parse(AccountKind::Customer).expect("valid");
        assert_eq!(details.managed_by, Some(AccountId(2)));
        assert_eq!(
            details.website.map(|w| w.domain()),
            Some("contoso.example".to_string())
        );
    }

    #[test]
    fn a_sku_is_one_to_twenty_letters_digits_or_dashes() {
        assert_eq!(Sku::parse(" BC-2 ").map(String::from), Ok("BC-2".into()));
        for bad in ["", "B C", "BC;", &"A".repeat(21), "É"] {
            assert_eq!(Sku::parse(bad), Err(AdminRule::Sku), "{bad}");
        }
    }

    #[test]
    fn only_a_service_product_is_a_control_room() {
        let form = ProductForm {
            sku: "CR2".into(),
            name: "Control Room 2".into(),
            model: LicenseModel::Cloud,
            control_room: true,
        };
        assert_eq!(
            fields(&form.parse().expect_err("cloud")),
            [AdminField::LicenseModel]
        );
        let form = ProductForm {
            model: LicenseModel::Service,
            ..form
        };
        assert!(form.parse().expect("service").control_room);
    }

    #[test]
    fn each_order_line_is_checked_in_its_place_and_a_product_comes_once() {
        let line = |product: Option<i64>, quantity: &str, term: &str| OrderLineForm {
            product: product.map(ProductId),
            quantity: quantity.into(),
            term_months: term.into(),
        };
        let form = OrderForm {
            number: "SO-2026-0900".into(),
            partner: Some(AccountId(2)),
            ordered_on: "2026-12-01".into(),
            lines: vec![line(Some(1), "10", "12"), line(Some(2), "5", "36")],
        };
        let order = form.parse().expect("valid");
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.ordered_on.to_string(), "2026-12-01");

        let form = OrderForm {
            number: "SO 1".into(),
            partner: None,
            ordered_on: "2026-02-30".into(),
            lines: vec![
                line(Some(1), "10", "12"),
                line(Some(1), "0", "121"),
                line(None, "x", "12"),
            ],
        };
        let problems = form.parse().expect_err("invalid");
        assert_eq!(
            fields(&problems),
            [
                AdminField::OrderNumber,
                AdminField::Partner,
                AdminField::OrderDate,
                AdminField::Product(2),
                AdminField::Quantity(2),
                AdminField::Term(2),
                AdminField::Product(3),
                AdminField::Quantity(3),
            ]
        );
        assert_eq!(problems[3].rule, AdminRule::Repeated);
        let change = OrderChange {
            ordered_on: "2026-12-02".into(),
            new_lines: vec![line(Some(3), "4", "12"), line(Some(3), "1", "12")],
        };
        assert_eq!(
            fields(&change.parse().expect_err("repeated")),
            [AdminField::Product(2)]
        );
        let change = OrderChange {
            new_lines: Vec::new(),
            ..change
        };
        assert_eq!(change.parse().map(|c| c.new_lines.len()), Ok(0));
        assert!(OrderForm {
            lines: Vec::new(),
            ..OrderForm::default()
        }
        .parse()
        .expect_err("no lines")
        .iter()
        .any(|p| p.field == AdminField::Lines && p.rule == AdminRule::NoLines));
    }

    #[test]
    fn a_problem_of_a_file_reads_with_its_line_and_column() {
        let problem = ImportProblem {
            line: 4,
            column: "quantity".into(),
            rule: AdminRule::Quantity(QuantityError::Zero),
        };
        assert_eq!(
            problem.to_string(),
            "line 4, quantity: the quantity must be above 0"
        );
        let problem = ImportProblem {
            line: 7,
            column: String::new(),
            rule: AdminRule::Unreadable,
        };
        assert_eq!(problem.to_string(), "line 7: the row cannot be read as CSV");
    }
}
