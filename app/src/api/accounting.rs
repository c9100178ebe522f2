//! Server functions of accounting's workspace (`services::accounting`).

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{
    AccountId, ApprovalsPage, BulkApproval, DecisionPanel, DrawdownId, HoldingStatement, LineStatement,
    OrderLineId, PageRequest, ProductId, UsageCursor,
};
use crate::error::AppError;

/// The Decision panel of a request.
#[server(prefix = "/api", endpoint = "drawdown_decision_panel", input = Json, output = Wire)]
pub async fn drawdown_decision_panel(id: DrawdownId) -> Result<DecisionPanel, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .decision_panel(&user, id)
        .await
        .map_err(AppError::from)
}

/// The Approvals queue: Submitted requests, oldest first, of one partner or
/// all, a page at a time.
#[server(prefix = "/api", endpoint = "approvals_queue", input = Json, output = Wire)]
pub async fn approvals_queue(
    partner: Option<AccountId>,
    search: Option<String>,
    page: PageRequest,
) -> Result<ApprovalsPage, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .approvals_queue(&user, partner, search, page)
        .await
        .map_err(AppError::from)
}

/// Approve selected: each request in its own transaction, the outcome of each.
#[server(prefix = "/api", endpoint = "approve_drawdowns", input = Json, output = Wire)]
pub async fn approve_drawdowns(ids: Vec<DrawdownId>) -> Result<Vec<BulkApproval>, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .approve_drawdowns(&user, &ids)
        .await
        .map_err(AppError::from)
}

/// A page of an order line's statement, newest movement first.
#[server(prefix = "/api", endpoint = "order_line_statement", input = Json, output = Wire)]
pub async fn order_line_statement(line: OrderLineId, before: Option<i64>) -> Result<LineStatement, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .line_statement(&user, line, before)
        .await
        .map_err(AppError::from)
}

/// A page of the statement of what a customer holds of a product, newest
/// movement first.
#[server(prefix = "/api", endpoint = "customer_holding_statement", input = Json, output = Wire)]
pub async fn customer_holding_statement(
    account: AccountId,
    product: ProductId,
    before: Option<UsageCursor>,
) -> Result<HoldingStatement, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .holding_statement(&user, account, product, before)
        .await
        .map_err(AppError::from)
}
