//! The API tokens tab (SPEC, "Partner API and webhooks"): list, make,
//! revoke. Who may is `domain::access::may_manage_api_tokens_of`, checked
//! by the service.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{AccountId, ApiScope, ApiTokenId, ApiTokenList, CreatedApiToken};
use crate::error::AppError;

/// The tokens of `account`, newest first.
#[server(prefix = "/api", endpoint = "list_api_tokens", input = Json, output = Wire)]
pub async fn list_api_tokens(account: AccountId) -> Result<ApiTokenList, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .list_api_tokens(&user, account)
        .await
        .map_err(AppError::from)
}

/// Makes a token: `name` as typed, `lifetime_days` none for until revoked.
/// The answer holds the secret, the one time it is shown.
#[server(prefix = "/api", endpoint = "create_api_token", input = Json, output = Wire)]
pub async fn create_api_token(
    account: AccountId,
    name: String,
    scope: ApiScope,
    lifetime_days: Option<u32>,
) -> Result<CreatedApiToken, AppError> {
    use crate::domain::{NewApiToken, TokenLifetime, TokenName};
    let (user, state) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&state)?;
    // Who may comes before what was typed: a refusal says nothing of the form.
    if !crate::domain::may_manage_api_tokens_of(&user, account) {
        return Err(AppError::Forbidden);
    }
    let new = NewApiToken {
        name: TokenName::parse(&name).map_err(|_| AppError::InvalidInput { field: "name".into() })?,
        scope,
        lifetime: TokenLifetime::parse(lifetime_days).map_err(|_| AppError::InvalidInput {
            field: "lifetime".into(),
        })?,
    };
    state
        .services_from(&address)
        .create_api_token(&user, account, &new)
        .await
        .map_err(AppError::from)
}

/// Revokes a token of `account`.
#[server(prefix = "/api", endpoint = "revoke_api_token", input = Json, output = Wire)]
pub async fn revoke_api_token(account: AccountId, token: ApiTokenId) -> Result<(), AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&state)?;
    state
        .services_from(&address)
        .revoke_api_token(&user, account, token)
        .await
        .map_err(AppError::from)
}
