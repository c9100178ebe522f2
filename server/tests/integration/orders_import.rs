//! `orders import`: a good file goes in whole; a file with any bad row goes
//! in not at all, and every bad row is named by line and field.

use app::domain::{ImportProblem, ImportSummary};
use app::services::AdminError;
use server::commands::orders_import::import_orders;

use crate::helpers::{count_rows, demo_db};

pub const HEADER: &str = "order_number,partner,order_date,product,quantity,term_months\n";

pub async fn order_count(db: &app::repo::Db) -> (i64, i64) {
    (
        count_rows(db, "orders").await,
        count_rows(db, "order_lines").await,
    )
}

fn problems(result: Result<ImportSummary, AdminError>) -> Vec<(u64, String)> {
    match result {
        Err(AdminError::InvalidImport { problems }) => problems
            .iter()
            .map(|p: &ImportProblem| (p.line, p.column.clone()))
            .collect(),
        other => panic!("expected invalid rows, got {other:?}"),
    }
}

fn named(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(line, column)| (*line, column.to_string()))
        .collect()
}

#[tokio::test]
async fn a_good_file_imports_every_order_and_line() {
    let t = demo_db().await;
    let before = order_count(&t.db).await;
    let csv = format!(
        "{HEADER}SO-2026-0300,Northwind Partners,2026-11-02,Bot Creator,4,12\n\
         SO-2026-0300,northwind partners,2026-11-02,UBR,6,12\n\
         SO-2026-0301,Tailspin Integrators,2026-11-03,IQ Bot pages,10000,36\n"
    );
    let summary = import_orders(&t.db, csv.as_bytes()).await.expect("imported");
    assert_eq!(summary, ImportSummary { orders: 2, lines: 3 });
    assert_eq!(order_count(&t.db).await, (before.0 + 2, before.1 + 3));
}

#[tokio::test]
async fn each_kind_of_bad_row_is_named_by_line_and_field_and_nothing_is_imported() {
    let t = demo_db().await;
    let before = order_count(&t.db).await;
    let csv = format!(
        "{HEADER}SO-2026-0400,Northwind Partners,2026-11-02,Bot Creator,4,12\n\
         SO 2026,Northwind Partners,2026-11-02,Bot Creator,4,12\n\
         SO-2026-0401,Nobody Inc,2026-11-02,Bot Creator,4,12\n\
         SO-2026-0402,Northwind Partners,2026-02-30,Bot Creator,4,12\n\
         SO-2026-0403,Northwind Partners,2026-11-02,Flux Capacitor,4,12\n\
         SO-2026-0404,Northwind Partners,2026-11-02,Bot Creator,0,12\n\
         SO-2026-0405,Northwind Partners,2026-11-02,Bot Creator,2.5,12\n\
         SO-2026-0406,Northwind Partners,2026-11-02,Bot Creator,4,0\n\
         SO-2026-0101,Northwind Partners,2026-11-02,Bot Creator,4,12\n\
         SO-2026-0400,Tailspin Integrators,2026-11-02,Control Room,1,12\n\
         SO-2026-0400,Northwind Partners,2026-11-03,Control Room,1,12\n\
         SO-2026-0400,Northwind Partners,2026-11-02,BC,1,12\n\
         SO-2026-0407,Northwind Partners\n"
    );
    let found = problems(import_orders(&t.db, csv.as_bytes()).await);
    assert_eq!(
        found,
        named(&[
            (3, "order_number"),
            (4, "partner"),
            (5, "order_date"),
            (6, "product"),
            (7, "quantity"),
            (8, "quantity"),
            (9, "term_months"),
            (10, "order_number"),
            (11, "partner"),
            (12, "order_date"),
            (13, "product"),
            (14, ""),
        ])
    );
    assert_eq!(order_count(&t.db).await, before, "nothing imported");
}

#[tokio::test]
async fn a_file_without_a_required_column_is_refused_before_any_row() {
    let t = demo_db().await;
    let csv = "order_number,partner,order_date,product,quantity\nSO-1,Northwind Partners,2026-11-02,BC,1\n";
    assert_eq!(
        problems(import_orders(&t.db, csv.as_bytes()).await),
        named(&[(1, "term_months")])
    );
}

#[tokio::test]
async fn a_file_with_only_a_header_imports_nothing_and_says_so() {
    let t = demo_db().await;
    let found = problems(import_orders(&t.db, HEADER.as_bytes()).await);
    assert_eq!(found, named(&[(2, "")]));
}

#[tokio::test]
async fn the_error_message_names_line_field_and_rule() {
    let t = demo_db().await;
    let csv = format!("{HEADER}SO-2026-0500,Northwind Partners,2026-11-02,Bot Creator,-3,12\n");
    let message = import_orders(&t.db, csv.as_bytes())
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("line 2, quantity: the quantity must not be negative"),
        "{message}"
    );
    assert!(message.starts_with("nothing imported"), "{message}");
}
