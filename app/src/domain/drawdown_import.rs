//! Bulk drawdowns (SPEC, "Bulk drawdowns"): a CSV file of one order, one
//! row per customer and product. Rows of one customer become one request,
//! checked by the New form's own validation; the dry run shows each row's
//! problems and what all the requests together take from each order line.

use serde::{Deserialize, Serialize};

use super::{DrawdownField, DrawdownFieldError, DrawdownForm, LineAvailability, OrderLineId, Quantity};

/// The most rows one file may hold (each becomes part of a request, all in
/// one transaction).
pub const MAX_IMPORT_ROWS: usize = 1000;
/// The largest file taken: 1,000 rows of long names fit.
pub const MAX_IMPORT_BYTES: usize = 512 * 1024;

/// A column of the file. The header row names each, in English, in French
/// or by its key, in any order, case and spacing aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportColumn {
    CustomerAccount,
    Website,
    ContactName,
    ContactEmail,
    Product,
    Quantity,
}

impl ImportColumn {
    pub const ALL: [Self; 6] = [
        Self::CustomerAccount,
        Self::Website,
        Self::ContactName,
        Self::ContactEmail,
        Self::Product,
        Self::Quantity,
    ];

    /// The column's key, as the API documents it and the header may give it.
    pub fn key(self) -> &'static str {
        match self {
            Self::CustomerAccount => "customer_account",
            Self::Website => "website",
            Self::ContactName => "contact_name",
            Self::ContactEmail => "contact_email",
            Self::Product => "product",
            Self::Quantity => "quantity",
        }
    }

    /// The headers that name it (normalized: lower case, words joined by `_`).
    fn names(self) -> &'static [&'static str] {
        match self {
            Self::CustomerAccount => &["customer_account", "compte_client"],
            Self::Website => &["website", "customer_website", "site_web", "site_web_du_client"],
            Self::ContactName => &[
                "contact_name",
                "customer_name",
                "nom_du_contact",
                "nom_du_contact_client",
            ],
            Self::ContactEmail => &[
                "contact_email",
                "customer_email",
                "courriel_du_contact",
                "courriel_du_client",
                "e-mail_du_contact",
            ],
            Self::Product => &["product", "produit"],
            Self::Quantity => &["quantity", "quantité", "quantite"],
        }
    }

    /// The column a header names, if any.
    pub fn of_header(header: &str) -> Option<Self> {
        let normalized = header
            .trim()
            .trim_start_matches('\u{feff}')
            .to_lowercase()
            .split(|c: char| c.is_whitespace() || c == '_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        Self::ALL
            .into_iter()
            .find(|column| column.names().contains(&normalized.as_str()))
    }
}

/// One row as the file gives it, with its line in the file (the header is
/// line 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub customer_account: String,
    pub website: String,
    pub contact_name: String,
    pub contact_email: String,
    pub product: String,
    pub quantity: String,
}

/// What is wrong with a row, or with the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ImportRule {
    #[error("the row cannot be read as CSV")]
    Unreadable,
    #[error("the file has no rows under its header")]
    NoRows,
    #[error("the file has more than {max} rows")]
    TooManyRows { max: u32 },
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: u32 },
    #[error("the header has no {column:?} column")]
    MissingColumn { column: ImportColumn },
    #[error("the header names a column that is not one: {header}")]
    UnknownColumn { header: String },
    /// The New form's own rule for this field.
    #[error("{error}")]
    Field { error: DrawdownFieldError },
    #[error("this product is not a line of the chosen order")]
    NotOnTheOrder,
    #[error("several lines of the order have this product")]
    SeveralLines,
    #[error("this customer already has this product on line {line}")]
    ProductTwice { line: u64 },
    #[error("differs from line {line}, the same customer's first row")]
    DiffersFromLine { line: u64 },
    #[error("all the requests together take {requested}, the order line has {available}")]
    TogetherAboveAvailable { available: i64, requested: i64 },
}

/// A problem with its place: the line of the file, and the column if one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowProblem {
    pub column: Option<ImportColumn>,
    pub rule: ImportRule,
}

/// A problem of the file as a whole, with its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFileProblem {
    pub line: u64,
    pub column: Option<ImportColumn>,
    pub rule: ImportRule,
}

/// A row as the dry run shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedRow {
    pub line: u64,
    pub customer_account: String,
    pub product: String,
    pub quantity: String,
    pub problems: Vec<ImportRowProblem>,
}

/// What all the requests of the file take from one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEffect {
    pub order_line: OrderLineId,
    pub product_name: String,
    pub available: i64,
    pub requested: i64,
}

impl LineEffect {
    /// What the line would have left.
    pub fn after(&self) -> i64 {
        self.available - self.requested
    }
}

/// The dry run: each row with its problems, problems of the file as a
/// whole (with their line), and the combined effect on each order line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCheck {
    pub file_problems: Vec<ImportFileProblem>,
    pub rows: Vec<CheckedRow>,
    pub lines: Vec<LineEffect>,
    /// How many requests Submit all would create (one per customer).
    pub requests: u32,
}

impl ImportCheck {
    /// Whether Submit all may go ahead.
    pub fn is_clean(&self) -> bool {
        self.file_problems.is_empty() && self.rows.iter().all(|r| r.problems.is_empty())
    }

    /// How many problems, in all.
    pub fn problem_count(&self) -> usize {
        self.file_problems.len() + self.rows.iter().map(|r| r.problems.len()).sum::<usize>()
    }

    /// A check with only a problem of the file.
    pub fn of_file_problem(line: u64, rule: ImportRule) -> Self {
        Self {
            file_problems: vec![ImportFileProblem {
                line,
                column: None,
                rule,
            }],
            ..Self::default()
        }
    }
}

/// What Submit all created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRequest {
    pub id: super::DrawdownId,
    pub number: super::PdrNumber,
    pub customer_account: String,
}

fn same_text(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

/// Checks `rows` against the order's lines as they stand: the rows of one
/// customer (by account name, case and surrounding blanks aside) are one
/// request. Returns the check, and the request forms to save when it is
/// clean (each then goes through Save's own transaction step).
pub fn check_import(
    rows: &[ImportRow],
    order_lines: &[LineAvailability],
) -> (ImportCheck, Vec<DrawdownForm>) {
    let mut checked: Vec<CheckedRow> = rows
        .iter()
        .map(|r| CheckedRow {
            line: r.line,
            customer_account: r.customer_account.trim().to_owned(),
            product: r.product.trim().to_owned(),
            quantity: r.quantity.trim().to_owned(),
            problems: Vec::new(),
        })
        .collect();
    let problem = |row: &mut CheckedRow, column: Option<ImportColumn>, rule: ImportRule| {
        row.problems.push(ImportRowProblem { column, rule });
    };

    // The rows of each customer, in the order customers first appear.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let key = row.customer_account.trim().to_lowercase();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(index),
            None => groups.push((key, vec![index])),
        }
    }

    // The order line of each row's product, if it has one.
    let line_of: Vec<Option<OrderLineId>> = rows
        .iter()
        .zip(checked.iter_mut())
        .map(|(row, shown)| {
            let name = row.product.trim().to_lowercase();
            let mut lines = order_lines
                .iter()
                .filter(|l| l.product_name.trim().to_lowercase() == name);
            match (lines.next(), lines.next()) {
                (Some(line), None) => Some(line.line),
                (Some(_), Some(_)) => {
                    problem(shown, Some(ImportColumn::Product), ImportRule::SeveralLines);
                    None
                }
                (None, _) => {
                    problem(shown, Some(ImportColumn::Product), ImportRule::NotOnTheOrder);
                    None
                }
            }
        })
        .collect();

    // The rows that are part of a request (not refused before the form).
    let mut counted = vec![false; rows.len()];
    let mut forms = Vec::new();
    for (_, members) in &groups {
        let first = &rows[members[0]];
        let mut quantities: Vec<(OrderLineId, String)> = Vec::new();
        let mut row_of_line: Vec<(OrderLineId, usize)> = Vec::new();
        for &index in members {
            let row = &rows[index];
            if index != members[0] {
                let differs = [
                    (ImportColumn::Website, same_text(&row.website, &first.website)),
                    (
                        ImportColumn::ContactName,
                        same_text(&row.contact_name, &first.contact_name),
                    ),
                    (
                        ImportColumn::ContactEmail,
                        row.contact_email
                            .trim()
                            .eq_ignore_ascii_case(first.contact_email.trim()),
                    ),
                ];
                for (column, same) in differs {
                    if !same {
                        problem(
                            &mut checked[index],
                            Some(column),
                            ImportRule::DiffersFromLine { line: first.line },
                        );
                    }
                }
            }
            let Some(line) = line_of[index] else { continue };
            if let Some((_, earlier)) = row_of_line.iter().find(|(l, _)| *l == line) {
                let rule = ImportRule::ProductTwice {
                    line: rows[*earlier].line,
                };
                problem(&mut checked[index], Some(ImportColumn::Product), rule);
                continue;
            }
            if matches!(Quantity::parse(&row.quantity), Ok(q) if q.get() == 0) {
                let rule = ImportRule::Field {
                    error: DrawdownFieldError::Quantity(super::QuantityError::Zero),
                };
                problem(&mut checked[index], Some(ImportColumn::Quantity), rule);
                continue;
            }
            row_of_line.push((line, index));
            counted[index] = true;
            quantities.push((line, row.quantity.clone()));
        }
        let form = DrawdownForm {
            customer_account: first.customer_account.clone(),
            customer_website: first.website.clone(),
            customer_name: first.contact_name.clone(),
            customer_email: first.contact_email.clone(),
            quantities,
        };
        if let Err(errors) = form.validate(Some(order_lines)) {
            for (field, error) in errors {
                let (column, targets): (ImportColumn, Vec<usize>) = match field {
                    DrawdownField::CustomerAccount => (ImportColumn::CustomerAccount, members.clone()),
                    DrawdownField::CustomerWebsite => (ImportColumn::Website, members.clone()),
                    DrawdownField::CustomerName => (ImportColumn::ContactName, members.clone()),
                    DrawdownField::CustomerEmail => (ImportColumn::ContactEmail, members.clone()),
                    DrawdownField::Quantity(line) => (
                        ImportColumn::Quantity,
                        row_of_line
                            .iter()
                            .filter(|(l, _)| *l == line)
                            .map(|(_, i)| *i)
                            .collect(),
                    ),
                    // Every row of the customer was refused on its own
                    // (so nothing is asked), or there are too many.
                    DrawdownField::Quantities | DrawdownField::Order => {
                        let clean: Vec<usize> = members
                            .iter()
                            .copied()
                            .filter(|i| checked[*i].problems.is_empty())
                            .collect();
                        if clean.is_empty() {
                            continue;
                        }
                        (ImportColumn::Quantity, clean)
                    }
                };
                for index in targets {
                    let rule = ImportRule::Field { error: error.clone() };
                    problem(&mut checked[index], Some(column), rule);
                }
            }
        }
        forms.push(form);
    }

    // What every request takes together from each line: each request may
    // fit on its own and all of them not.
    let mut lines = Vec::new();
    for offered in order_lines {
        let on_line: Vec<usize> = (0..rows.len())
            .filter(|i| counted[*i] && line_of[*i] == Some(offered.line))
            .collect();
        let requested: i64 = on_line
            .iter()
            .filter_map(|i| Quantity::parse(&rows[*i].quantity).ok())
            .map(|q| q.get())
            .sum();
        if requested > offered.available {
            for index in on_line {
                if checked[index].problems.is_empty() {
                    let rule = ImportRule::TogetherAboveAvailable {
                        available: offered.available,
                        requested,
                    };
                    problem(&mut checked[index], Some(ImportColumn::Quantity), rule);
                }
            }
        }
        lines.push(LineEffect {
            order_line: offered.line,
            product_name: offered.product_name.clone(),
            available: offered.available,
            requested,
        });
    }

    let check = ImportCheck {
        file_problems: Vec::new(),
        rows: checked,
        lines,
        requests: u32::try_from(groups.len()).unwrap_or(u32::MAX),
    };
    (check, forms)
}

/// Reads the file: its header, then each row. `Err` holds the problems of
/// the file as a whole (no header, a column missing, an unreadable row,
/// too many rows), with their lines.
#[cfg(feature = "ssr")]
pub fn read_import_file(text: &str) -> Result<Vec<ImportRow>, ImportCheck> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportCheck::of_file_problem(
            1,
            ImportRule::TooLarge {
                max_bytes: MAX_IMPORT_BYTES as u32,
            },
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(_) => return Err(ImportCheck::of_file_problem(1, ImportRule::Unreadable)),
    };
    let mut check = ImportCheck::default();
    let mut index = [None::<usize>; 6];
    for (position, header) in headers.iter().enumerate() {
        match ImportColumn::of_header(header) {
            Some(column) => index[column as usize] = Some(position),
            None => check.file_problems.push(ImportFileProblem {
                line: 1,
                column: None,
                rule: ImportRule::UnknownColumn {
                    header: header.chars().take(60).collect(),
                },
            }),
        }
    }
    for column in ImportColumn::ALL {
        if index[column as usize].is_none() {
            check.file_problems.push(ImportFileProblem {
                line: 1,
                column: Some(column),
                rule: ImportRule::MissingColumn { column },
            });
        }
    }
    if !check.file_problems.is_empty() {
        return Err(check);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                check.file_problems.push(ImportFileProblem {
                    line,
                    column: None,
                    rule: ImportRule::Unreadable,
                });
                continue;
            }
        };
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_IMPORT_ROWS {
            return Err(ImportCheck::of_file_problem(
                record.position().map(|p| p.line()).unwrap_or(0),
                ImportRule::TooManyRows {
                    max: MAX_IMPORT_ROWS as u32,
                },
            ));
        }
        let field = |column: ImportColumn| {
            index[column as usize]
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        rows.push(ImportRow {
            line: record.position().map(|p| p.line()).unwrap_or(0),
            customer_account: field(ImportColumn::CustomerAccount),
            website: field(ImportColumn::Website),
            contact_name: field(ImportColumn::ContactName),
            contact_email: field(ImportColumn::ContactEmail),
            product: field(ImportColumn::Product),
            quantity: field(ImportColumn::Quantity),
        });
    }
    if rows.is_empty() && check.file_problems.is_empty() {
        check.file_problems.push(ImportFileProblem {
            line: 2,
            column: None,
            rule: ImportRule::NoRows,
        });
    }
    if !check.file_problems.is_empty() {
        return Err(check);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Vec<LineAvailability> {
        vec![
            LineAvailability {
                line: OrderLineId(1),
                product_name: "Bot Creator".into(),
                available: 10,
            },
            LineAvailability {
                line: OrderLineId(2),
                product_name: "IQ Bot pages".into(),
                available: 500,
            },
        ]
    }

    fn row(line: u64, customer: &str, product: &str, quantity: &str) -> ImportRow {
        ImportRow {
            line,
            customer_account: customer.into(),
            website: format!(
                "https://{}.example",
                customer.trim().to_lowercase().replace(' ', "-")
            ),
            contact_name: "Chris Lambert".into(),
            contact_email: "chris@contoso.example".into(),
            product: product.into(),
            quantity: quantity.into(),
        }
    }

    fn problems(check: &ImportCheck) -> Vec<(u64, Option<ImportColumn>, ImportRule)> {
        check
            .rows
            .iter()
            .flat_map(|r| r.problems.iter().map(|p| (r.line, p.column, p.rule.clone())))
            .collect()
    }

    #[test]
    fn the_rows_of_one_customer_are_one_request_with_a_line_per_product() {
        let rows = [
            row(2, "Contoso Pharma", "Bot Creator", "3"),
            row(3, "Fabrikam", "bot creator", "2"),
            row(4, " contoso pharma ", "IQ Bot pages", "100"),
        ];
        let (check, forms) = check_import(&rows, &order());
        assert!(check.is_clean(), "{:?}", problems(&check));
        assert_eq!(check.requests, 2);
        assert_eq!(forms.len(), 2);
        assert_eq!(
            forms[0].quantities,
            vec![
                (OrderLineId(1), "3".to_string()),
                (OrderLineId(2), "100".to_string())
            ]
        );
        assert_eq!(forms[1].customer_account, "Fabrikam");
        let effect: Vec<_> = check.lines.iter().map(|l| (l.requested, l.after())).collect();
        assert_eq!(effect, [(5, 5), (100, 400)]);
    }

    #[test]
    fn each_row_says_what_the_form_would_say_about_it() {
        let mut bad_email = row(3, "Fabrikam", "Bot Creator", "1");
        bad_email.contact_email = "fabrikam@".into();
        let rows = [
            row(2, "Contoso Pharma", "Bot Creator", "11"),
            bad_email,
            row(4, "Litware", "Cloud Bot", "1"),
            row(5, "Northwind", "IQ Bot pages", "-2"),
        ];
        let (check, _) = check_import(&rows, &order());
        assert!(!check.is_clean());
        let found = problems(&check);
        assert!(found.contains(&(
            2,
            Some(ImportColumn::Quantity),
            ImportRule::Field {
                error: DrawdownFieldError::AboveAvailable { available: 10 }
            }
        )));
        assert!(found.iter().any(|(line, column, rule)| *line == 3
            && *column == Some(ImportColumn::ContactEmail)
            && matches!(
                rule,
                ImportRule::Field {
                    error: DrawdownFieldError::Email(_)
                }
            )));
        assert!(found.contains(&(4, Some(ImportColumn::Product), ImportRule::NotOnTheOrder)));
        assert!(found
            .iter()
            .any(|(line, column, _)| *line == 5 && *column == Some(ImportColumn::Quantity)));
    }

    #[test]
    fn requests_that_fit_alone_but_not_together_are_refused_on_each_row() {
        let rows = [
            row(2, "Contoso Pharma", "Bot Creator", "6"),
            row(3, "Fabrikam", "Bot Creator", "6"),
        ];
        let (check, _) = check_import(&rows, &order());
        let together = ImportRule::TogetherAboveAvailable {
            available: 10,
            requested: 12,
        };
        assert_eq!(
            problems(&check),
            [
                (2, Some(ImportColumn::Quantity), together.clone()),
                (3, Some(ImportColumn::Quantity), together)
            ]
        );
        assert_eq!(check.lines[0].after(), -2);
    }

    #[test]
    fn a_customer_is_described_once_and_asks_for_a_product_once() {
        let mut other_contact = row(3, "Contoso Pharma", "IQ Bot pages", "1");
        other_contact.contact_name = "Someone Else".into();
        let rows = [
            row(2, "Contoso Pharma", "Bot Creator", "1"),
            other_contact,
            row(4, "Contoso Pharma", "Bot Creator", "2"),
            row(5, "Fabrikam", "Bot Creator", "0"),
        ];
        let (check, _) = check_import(&rows, &order());
        assert_eq!(
            problems(&check),
            [
                (
                    3,
                    Some(ImportColumn::ContactName),
                    ImportRule::DiffersFromLine { line: 2 }
                ),
                (
                    4,
                    Some(ImportColumn::Product),
                    ImportRule::ProductTwice { line: 2 }
                ),
                (
                    5,
                    Some(ImportColumn::Quantity),
                    ImportRule::Field {
                        error: DrawdownFieldError::Quantity(super::super::QuantityError::Zero)
                    }
                ),
            ]
        );
    }

    #[test]
    fn headers_are_read_in_english_french_or_by_key() {
        assert_eq!(
            ImportColumn::of_header(" Customer account "),
            Some(ImportColumn::CustomerAccount)
        );
        assert_eq!(
            ImportColumn::of_header("\u{feff}Compte client"),
            Some(ImportColumn::CustomerAccount)
        );
        assert_eq!(
            ImportColumn::of_header("contact_email"),
            Some(ImportColumn::ContactEmail)
        );
        assert_eq!(ImportColumn::of_header("Quantité"), Some(ImportColumn::Quantity));
        assert_eq!(ImportColumn::of_header("Site Web"), Some(ImportColumn::Website));
        assert_eq!(ImportColumn::of_header("Quantty"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_file_is_read_by_its_header_and_refused_whole_when_it_cannot_be() {
        let text = "Product,Quantity,Customer account,Website,Contact name,Contact email\n\
                    Bot Creator,3,Contoso,https://contoso.example,Chris,chris@contoso.example\n\
                    \n";
        let rows = read_import_file(text).expect("readable");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].line, rows[0].product.as_str(), rows[0].quantity.as_str()),
            (2, "Bot Creator", "3")
        );

        let missing = read_import_file("Product,Quantity\nBot Creator,3\n").expect_err("columns missing");
        assert_eq!(missing.file_problems.len(), 4);
        let ragged = read_import_file(&format!("{}\na,b\n", text.lines().next().unwrap_or_default()))
            .expect_err("a short row");
        assert_eq!(ragged.file_problems[0].rule, ImportRule::Unreadable);
        let empty = read_import_file(text.lines().next().unwrap_or_default()).expect_err("no rows");
        assert_eq!(empty.file_problems[0].rule, ImportRule::NoRows);
    }
}
