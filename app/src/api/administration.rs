//! Administration's server functions (SPEC, "Administration"): the lists
//! of partners, customers, products, orders and users, and their changes.
//! Each is thin: who calls, then the procedure the admin commands call too
//! (`services::administration`, `services::people`), which refuses anyone
//! but a vendor admin.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::codec::Wire;
use crate::domain::{
    AccountForm, AccountId, AccountKind, AccountRow, AdminCursor, AdminPage, ImportSummary, LinkSent,
    OrderChange, OrderForm, OrderId, OrderRow, ProductForm, ProductId, ProductRow, UserChange, UserId,
    UserSummary,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    pub use crate::services::Caller;

    /// The signed-in caller and the state, with the services recording the
    /// caller's address in the audit log.
    ///
    /// The address is read before the first await, as `require_caller`
    /// reads the request: a list read while the server renders a section
    /// may outlive the request's context (a dropped copy of the screen), and
    /// an error there would reach the page's data but not its HTML.
    pub async fn admin_call() -> Result<(crate::domain::CurrentUser, crate::state::AppState, String), AppError>
    {
        let address = crate::auth::caller_address(&crate::state::app_state()?)?;
        let (user, state) = crate::auth::require_caller().await?;
        Ok((user, state, address))
    }
}

/// A page of the partners or customers, by name, those whose name starts with `search`.
#[server(prefix = "/api", endpoint = "list_admin_accounts", input = Json, output = Wire)]
pub async fn list_admin_accounts(
    kind: AccountKind,
    search: String,
    after: Option<AdminCursor>,
) -> Result<AdminPage<AccountRow>, AppError> {
    use ssr::*;
    let (user, state, _) = admin_call().await?;
    Ok(state
        .services()
        .account_rows(Caller::User(&user), kind, &search, after)
        .await?)
}

/// New partner / New customer.
#[server(prefix = "/api", endpoint = "create_account", input = Json, output = Wire)]
pub async fn create_account(kind: AccountKind, form: AccountForm) -> Result<AccountId, AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .create_account(Caller::User(&user), kind, &form)
        .await?)
}

/// Edit a partner or a customer.
#[server(prefix = "/api", endpoint = "update_account", input = Json, output = Wire)]
pub async fn update_account(id: AccountId, form: AccountForm) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .update_account(Caller::User(&user), id, &form)
        .await?)
}

/// Deactivate (`active: false`) or reactivate a partner or a customer.
#[server(prefix = "/api", endpoint = "set_account_active", input = Json, output = Wire)]
pub async fn set_account_active(id: AccountId, active: bool) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .set_account_active(Caller::User(&user), id, active)
        .await?)
}

/// A page of the catalog, by name, those whose name or SKU starts with `search`.
#[server(prefix = "/api", endpoint = "list_admin_products", input = Json, output = Wire)]
pub async fn list_admin_products(
    search: String,
    after: Option<AdminCursor>,
) -> Result<AdminPage<ProductRow>, AppError> {
    use ssr::*;
    let (user, state, _) = admin_call().await?;
    Ok(state
        .services()
        .product_rows(Caller::User(&user), &search, after)
        .await?)
}

/// The products a new order may be of (the order form's Product select).
#[server(prefix = "/api", endpoint = "list_orderable_products", input = Json, output = Wire)]
pub async fn list_orderable_products() -> Result<Vec<ProductRow>, AppError> {
    use ssr::*;
    let (user, state, _) = admin_call().await?;
    Ok(state.services().orderable_products(Caller::User(&user)).await?)
}

/// New product.
#[server(prefix = "/api", endpoint = "create_product", input = Json, output = Wire)]
pub async fn create_product(form: ProductForm) -> Result<ProductId, AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .create_product(Caller::User(&user), &form)
        .await?)
}

/// Edit a product.
#[server(prefix = "/api", endpoint = "update_product", input = Json, output = Wire)]
pub async fn update_product(id: ProductId, form: ProductForm) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .update_product(Caller::User(&user), id, &form)
        .await?)
}

/// Deactivate or reactivate a product.
#[server(prefix = "/api", endpoint = "set_product_active", input = Json, output = Wire)]
pub async fn set_product_active(id: ProductId, active: bool) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .set_product_active(Caller::User(&user), id, active)
        .await?)
}

/// A page of orders, newest number first, those whose number starts with `search`.
#[server(prefix = "/api", endpoint = "list_admin_orders", input = Json, output = Wire)]
pub async fn list_admin_orders(
    search: String,
    after: Option<AdminCursor>,
) -> Result<AdminPage<OrderRow>, AppError> {
    use ssr::*;
    let (user, state, _) = admin_call().await?;
    Ok(state
        .services()
        .order_rows(Caller::User(&user), &search, after)
        .await?)
}

/// New order, from the form.
#[server(prefix = "/api", endpoint = "create_order", input = Json, output = Wire)]
pub async fn create_order(form: OrderForm) -> Result<OrderId, AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .create_order(Caller::User(&user), &form)
        .await?)
}

/// Edit an order: its date, and lines added.
#[server(prefix = "/api", endpoint = "update_order", input = Json, output = Wire)]
pub async fn update_order(id: OrderId, change: OrderChange) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .update_order(Caller::User(&user), id, &change)
        .await?)
}

/// Import orders (CSV): the file's text, all of it or nothing.
#[server(prefix = "/api", endpoint = "import_orders", input = Json, output = Wire)]
pub async fn import_orders(csv: String) -> Result<ImportSummary, AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .import_orders(Caller::User(&user), csv.as_bytes())
        .await?)
}

/// Deactivate or reactivate an order.
#[server(prefix = "/api", endpoint = "set_order_active", input = Json, output = Wire)]
pub async fn set_order_active(id: OrderId, active: bool) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services_from(&address)
        .set_order_active(Caller::User(&user), id, active)
        .await?)
}

/// A page of every user, by email, those whose email or name starts with `search`.
#[server(prefix = "/api", endpoint = "list_admin_users", input = Json, output = Wire)]
pub async fn list_admin_users(
    search: String,
    after: Option<AdminCursor>,
) -> Result<AdminPage<UserSummary>, AppError> {
    use ssr::*;
    let (user, state, _) = admin_call().await?;
    Ok(state.services().user_rows(&user, &search, after).await?)
}

/// Edit a user: the name shown and the role.
#[server(prefix = "/api", endpoint = "update_user", input = Json, output = Wire)]
pub async fn update_user(id: UserId, change: UserChange) -> Result<(), AppError> {
    use ssr::*;
    let (user, state, address) = admin_call().await?;
    Ok(state
        .services()
        .update_user(&user, Some(address), id, &change)
        .await?)
}

/// Send invitation (again) or Reset password: an email with a new link.
#[server(prefix = "/api", endpoint = "send_password_link", input = Json, output = Wire)]
pub async fn send_password_link(user: UserId) -> Result<LinkSent, AppError> {
    use ssr::*;
    let (caller, state, address) = admin_call().await?;
    Ok(state
        .services()
        .send_password_link(&caller, Some(address), user)
        .await?)
}
