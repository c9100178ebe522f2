//! `user add`.

use app::domain::Role;
use app::repo::users::find_password_hash;
use server::commands::user_add::{add_user, AddUserError};

use crate::helpers::{count_rows, demo_db};

const GOOD_PASSWORD: &str = "a long enough password";

#[tokio::test]
async fn a_user_is_added_to_the_named_account_with_a_hashed_password() {
    let t = demo_db().await;
    let added = add_user(
        &t.db,
        " New.User@Northwind.example ",
        Role::PartnerUser,
        "northwind partners",
        Some("New User"),
        GOOD_PASSWORD.into(),
    )
    .await
    .expect("added");
    assert_eq!(added.email.as_str(), "new.user@northwind.example");
    let (_, _, hash) = find_password_hash(&mut t.db.read().await.expect("conn"), &added.email)
        .await
        .expect("query")
        .expect("user");
    assert!(app::auth::verify_password(GOOD_PASSWORD, &hash));
    assert!(!hash.contains(GOOD_PASSWORD));
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let t = demo_db().await;
    let cases = [
        (
            "not-an-email",
            Role::PartnerUser,
            "Northwind Partners",
            GOOD_PASSWORD,
            "email:",
        ),
        (
            "a@northwind.example",
            Role::PartnerUser,
            "Northwind Partners",
            "short",
            "password:",
        ),
        (
            "a@northwind.example",
            Role::PartnerUser,
            "Contoso Pharma",
            GOOD_PASSWORD,
            "account:",
        ),
        (
            "a@northwind.example",
            Role::CustomerUser,
            "Nobody",
            GOOD_PASSWORD,
            "account:",
        ),
        (
            "partner@example.com",
            Role::PartnerUser,
            "Northwind Partners",
            GOOD_PASSWORD,
            "email: a user with this email already exists",
        ),
    ];
    for (email, role, account, password, expected) in cases {
        let err = add_user(&t.db, email, role, account, None, password.into())
            .await
            .expect_err("refused");
        assert!(err.to_string().starts_with(expected), "{email} {account}: {err}");
    }
    assert_eq!(
        count_rows(&t.db, "users").await,
        server::demo::USERS.len() as i64,
        "only the demo users"
    );
    assert!(matches!(
        add_user(
            &t.db,
            "PARTNER@example.com",
            Role::PartnerUser,
            "Northwind Partners",
            None,
            GOOD_PASSWORD.into()
        )
        .await,
        Err(AddUserError::EmailTaken)
    ));
}
