//! Setting up a real (non-demo) portal with the admin commands alone.

use app::domain::{AccountKind, LicenseModel, Role};
use app::repo::entitlements::list_holdings;
use server::commands::account_add::{add_account, AddAccountError};
use server::commands::orders_import::import_orders;
use server::commands::product_add::{add_product, AddProductError};
use server::commands::user_add::add_user;

use crate::helpers::{count_rows, fresh_db};

#[tokio::test]
async fn an_empty_portal_is_set_up_with_accounts_products_users_and_orders() {
    let t = fresh_db().await;
    let partner = add_account(&t.db, AccountKind::Partner, "Adatum Partners", None)
        .await
        .expect("partner");
    add_account(
        &t.db,
        AccountKind::Customer,
        "Adatum Client",
        Some("adatum partners"),
    )
    .await
    .expect("customer");
    add_product(&t.db, "BC", "Bot Creator", LicenseModel::Cloud, false)
        .await
        .expect("product");
    add_user(
        &t.db,
        "ops@adatum.example",
        Role::PartnerAdmin,
        "Adatum Partners",
        None,
        "a long enough password".into(),
    )
    .await
    .expect("user");
    let csv = "order_number,partner,order_date,product,quantity,term_months\nSO-9,Adatum Partners,2026-11-20,BC,7,12\n";
    import_orders(&t.db, csv.as_bytes()).await.expect("import");

    let holdings = list_holdings(&mut t.db.read().await.expect("conn"), partner)
        .await
        .expect("holdings");
    assert_eq!(
        holdings
            .iter()
            .map(|h| (h.product_name.as_str(), h.quantity))
            .collect::<Vec<_>>(),
        [("Bot Creator", 7)]
    );
}

#[tokio::test]
async fn accounts_and_products_with_bad_input_are_refused_naming_the_field() {
    let t = fresh_db().await;
    add_account(&t.db, AccountKind::Partner, "Adatum Partners", None)
        .await
        .expect("partner");
    let refused = [
        add_account(&t.db, AccountKind::Partner, "   ", None)
            .await
            .expect_err("empty"),
        add_account(&t.db, AccountKind::Customer, "Client", None)
            .await
            .expect_err("no partner"),
        add_account(&t.db, AccountKind::Customer, "Client", Some("Nobody"))
            .await
            .expect_err("unknown partner"),
        add_account(&t.db, AccountKind::Partner, "Client", Some("Adatum Partners"))
            .await
            .expect_err("managed partner"),
        add_account(&t.db, AccountKind::Partner, "ADATUM partners", None)
            .await
            .expect_err("taken"),
    ];
    let messages: Vec<String> = refused.iter().map(ToString::to_string).collect();
    assert!(messages[0].starts_with("name:"), "{messages:?}");
    assert!(
        messages[1..4].iter().all(|m| m.starts_with("managed-by:")),
        "{messages:?}"
    );
    assert!(matches!(refused[4], AddAccountError::NameTaken), "{messages:?}");

    add_product(&t.db, "BC", "Bot Creator", LicenseModel::Cloud, false)
        .await
        .expect("product");
    assert!(matches!(
        add_product(&t.db, "B C", "X", LicenseModel::Cloud, false).await,
        Err(AddProductError::BadSku)
    ));
    assert!(matches!(
        add_product(&t.db, "X", " ", LicenseModel::Cloud, false).await,
        Err(AddProductError::BadName)
    ));
    assert!(matches!(
        add_product(&t.db, "BC", "Other", LicenseModel::File, false).await,
        Err(AddProductError::Taken)
    ));

    let counts = (
        count_rows(&t.db, "accounts").await,
        count_rows(&t.db, "products").await,
    );
    assert_eq!(counts, (1, 1), "nothing half-written");
}
