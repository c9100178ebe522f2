//! API tokens (SPEC, "Partner API and webhooks"): a partner admin makes,
//! lists and revokes its partner's; a vendor admin the vendor's. A call with
//! a token is its maker acting, never with more than a partner user's rights,
//! and is recorded in the audit log.

use serde_json::json;

use super::{service_error_faults, Fault, Services};
use crate::domain::{
    may_manage_api_tokens_of, AccountId, ApiScope, ApiTokenId, ApiTokenList, AuditActor, AuditKind,
    AuditObject, CreatedApiToken, CurrentUser, NewApiToken, Role, API_TOKEN_PREFIX, API_TOKEN_SHOWN_CHARS,
};
use crate::repo::api_tokens::{self as tokens, NewApiTokenRow, TokenHolder};
use crate::repo::audit;

/// Tokens an account's list shows: more than anyone keeps in use.
pub const API_TOKENS_LISTED: i64 = 200;

#[derive(Debug, thiserror::Error)]
pub enum ApiTokenError {
    /// Not the caller's to manage; a missing token gets the same answer.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(ApiTokenError);

/// A fresh secret (`lcp_` and 64 hex digits) and its hash, which is all the
/// database keeps. 256 random bits: SHA-256 of it needs no salt nor stretch.
pub fn new_secret() -> (String, String) {
    let secret = format!("{API_TOKEN_PREFIX}{}", crate::auth::random_token());
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// What the database stores for a secret.
pub fn hash_secret(secret: &str) -> String {
    crate::auth::hash_session_token(secret)
}

fn token_object(id: ApiTokenId, name: &str, account: AccountId) -> AuditObject {
    AuditObject {
        kind: "api_token",
        id: Some(id.0),
        label: name.to_owned(),
        account: Some(account),
    }
}

impl Services<'_> {
    /// The tokens of `account`, newest first.
    pub async fn list_api_tokens(
        &self,
        user: &CurrentUser,
        account: AccountId,
    ) -> Result<ApiTokenList, ApiTokenError> {
        if !may_manage_api_tokens_of(user, account) {
            return Err(ApiTokenError::Forbidden);
        }
        let mut conn = self.db.read().await?;
        Ok(ApiTokenList {
            tokens: tokens::list_api_tokens(&mut conn, account, API_TOKENS_LISTED).await?,
            now: self.settings.clock.now(),
        })
    }

    /// Makes a token of `account`; its secret is in the answer and nowhere else.
    pub async fn create_api_token(
        &self,
        user: &CurrentUser,
        account: AccountId,
        new: &NewApiToken,
    ) -> Result<CreatedApiToken, ApiTokenError> {
        if !may_manage_api_tokens_of(user, account) {
            return Err(ApiTokenError::Forbidden);
        }
        let (secret, secret_hash) = new_secret();
        let prefix: String = secret.chars().take(API_TOKEN_SHOWN_CHARS).collect();
        let at = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let id = tokens::insert_api_token(
            &mut tx,
            &NewApiTokenRow {
                account,
                name: new.name.as_str(),
                scope: new.scope,
                secret_hash: &secret_hash,
                prefix: &prefix,
                created_by: user.id,
                created_at: at,
                expires_at: new.lifetime.expires_at(at),
            },
        )
        .await?;
        let after = json!({
            "name": new.name.as_str(),
            "scope": new.scope.as_str(),
            "prefix": prefix,
            "expires_at": new.lifetime.expires_at(at),
        });
        audit::record(
            &mut tx,
            at,
            &self.actor(Some(user)),
            AuditKind::ApiTokenCreated,
            &token_object(id, new.name.as_str(), account),
            None,
            Some(&after),
        )
        .await?;
        let token = tokens::find_api_token(&mut tx, account, id)
            .await?
            .ok_or_else(|| Fault::internal("api token", "missing right after insert"))?;
        tx.commit().await?;
        Ok(CreatedApiToken { token, secret })
    }

    /// Revokes a token of `account`: its next call is refused. Revoking a
    /// revoked token changes nothing.
    pub async fn revoke_api_token(
        &self,
        user: &CurrentUser,
        account: AccountId,
        id: ApiTokenId,
    ) -> Result<(), ApiTokenError> {
        if !may_manage_api_tokens_of(user, account) {
            return Err(ApiTokenError::Forbidden);
        }
        let at = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let token = tokens::find_api_token(&mut tx, account, id)
            .await?
            .ok_or(ApiTokenError::NotFound)?;
        if tokens::revoke_api_token(&mut tx, account, id, at).await? {
            audit::record(
                &mut tx,
                at,
                &self.actor(Some(user)),
                AuditKind::ApiTokenRevoked,
                &token_object(id, &token.name, account),
                Some(&json!({ "revoked_at": null })),
                Some(&json!({ "revoked_at": at })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Who calls with `secret`, if it is a live token of an active maker.
    /// The identity the call acts with is the maker's, its role lowered to
    /// a partner user's for a partner admin's token (SPEC: never more).
    pub async fn token_holder(&self, secret: &str) -> Result<Option<TokenHolder>, ApiTokenError> {
        let mut conn = self.db.read().await?;
        let found =
            tokens::find_token_holder(&mut conn, &hash_secret(secret), self.settings.clock.now()).await?;
        Ok(found.map(|mut holder| {
            if holder.maker.role == Role::PartnerAdmin {
                holder.maker.role = Role::PartnerUser;
            }
            holder
        }))
    }

    /// Records a call made with a token in the audit log, and when the
    /// token was last used.
    pub async fn record_api_call(
        &self,
        holder: &TokenHolder,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<(), ApiTokenError> {
        let at = self.settings.clock.now();
        let actor = AuditActor::token(
            holder.maker.id,
            &holder.maker.email,
            &holder.name,
            self.address.map(str::to_owned),
        );
        let mut tx = self.db.begin().await?;
        audit::record(
            &mut tx,
            at,
            &actor,
            AuditKind::ApiCall,
            &token_object(holder.token, &holder.name, holder.maker.account_id),
            None,
            Some(&json!({ "method": method, "path": path, "status": status })),
        )
        .await?;
        tokens::touch_api_token(&mut tx, holder.token, at).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether a token of `scope` may make a call of `method`.
pub fn scope_allows(scope: ApiScope, method: &http::Method) -> bool {
    scope == ApiScope::ReadWrite || matches!(*method, http::Method::GET | http::Method::HEAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_prefixed_random_and_kept_only_as_its_hash() {
        let (a, hash) = new_secret();
        let (b, _) = new_secret();
        assert!(a.starts_with("lcp_") && a.len() == 4 + 64, "{a}");
        assert_ne!(a, b);
        assert_eq!(hash, hash_secret(&a));
        assert!(!hash.contains(&a[4..]));
    }

    #[test]
    fn a_read_only_token_makes_no_change() {
        assert!(scope_allows(ApiScope::Read, &http::Method::GET));
        assert!(!scope_allows(ApiScope::Read, &http::Method::POST));
        assert!(scope_allows(ApiScope::ReadWrite, &http::Method::POST));
    }
}
