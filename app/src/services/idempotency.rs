//! Idempotent API writes (SPEC, "Idempotency"): the answer to a POST with
//! an `Idempotency-Key` is stored in the transaction of the work it
//! answers, so a retry within 24 hours gets the same answer and the work is
//! done once, whether the first attempt committed or not, and whether the
//! retries come one after another or at once.

use super::drawdowns::{read_reason, Saved};
use super::{DrawdownError, Fault, Services};
use crate::domain::{
    AccountId, Actor, CurrentUser, DrawdownForm, DrawdownId, DrawdownState, OrderId, Transition,
};
use crate::repo::api_tokens::{self as keys, StoredAnswer};
use crate::repo::Tx;

/// How long an answer is kept for its key.
pub const IDEMPOTENCY_WINDOW_SECONDS: i64 = 24 * 60 * 60;

/// A key as a client sends it: 1 to 255 visible ASCII characters (a UUID is
/// the usual choice), for one account, with the hash of the request it came
/// with (method, path and body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub account: AccountId,
    key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    /// `None` for a key that is empty, too long or not visible ASCII.
    pub fn parse(account: AccountId, key: &str, request_hash: String) -> Option<Self> {
        let valid =
            !key.is_empty() && key.len() <= Self::MAX_LEN && key.bytes().all(|b| b.is_ascii_graphic());
        valid.then(|| Self {
            account,
            key: key.to_owned(),
            request_hash,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }
}

/// What a keyed call answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed {
    /// The work was done now; this is its answer, stored for retries.
    Fresh(StoredAnswer),
    /// The key answered before: its stored answer, nothing done again.
    Replayed(StoredAnswer),
}

#[derive(Debug, thiserror::Error)]
pub enum KeyedError {
    /// The key answered a request with another body (422).
    #[error("idempotency key used with another request")]
    KeyReused,
    #[error(transparent)]
    Work(DrawdownError),
}

impl From<sqlx::Error> for KeyedError {
    fn from(err: sqlx::Error) -> Self {
        Self::Work(err.into())
    }
}

impl Services<'_> {
    /// Begins the transaction of a keyed call: `Ok((tx, None))` if it now
    /// holds the key, `Ok((_, Some(answer)))` if the key was answered.
    async fn begin_keyed(&self, key: &IdempotencyKey) -> Result<(Tx, Option<StoredAnswer>), KeyedError> {
        let now = self.settings.clock.now();
        let since = now - IDEMPOTENCY_WINDOW_SECONDS;
        let mut tx = self.db.begin().await?;
        if keys::claim_idempotency_key(&mut tx, key.account, key.as_str(), &key.request_hash, now, since)
            .await?
        {
            return Ok((tx, None));
        }
        let stored = keys::find_idempotent_answer(&mut tx, key.account, key.as_str(), since)
            .await?
            .ok_or_else(|| {
                KeyedError::Work(Fault::internal("idempotency key", "claimed, yet no answer").into())
            })?;
        if stored.request_hash != key.request_hash {
            return Err(KeyedError::KeyReused);
        }
        Ok((tx, Some(stored)))
    }

    /// Stores the answer in `tx` and commits.
    async fn commit_keyed(
        &self,
        mut tx: Tx,
        key: &IdempotencyKey,
        answer: (u16, String),
    ) -> Result<StoredAnswer, KeyedError> {
        let (status, body) = answer;
        keys::store_idempotent_answer(&mut tx, key.account, key.as_str(), status, &body).await?;
        tx.commit().await?;
        Ok(StoredAnswer {
            request_hash: key.request_hash.clone(),
            status,
            body,
        })
    }

    /// Save with an Idempotency-Key; `answer` renders the saved request.
    pub async fn save_keyed(
        &self,
        user: &CurrentUser,
        key: &IdempotencyKey,
        order: Option<OrderId>,
        form: &DrawdownForm,
        cloned_from: Option<DrawdownId>,
        answer: impl FnOnce(&Saved) -> (u16, String),
    ) -> Result<Keyed, KeyedError> {
        let (mut tx, stored) = self.begin_keyed(key).await?;
        if let Some(stored) = stored {
            return Ok(Keyed::Replayed(stored));
        }
        let (saved, event) = self
            .save_within(&mut tx, user, order, form, cloned_from)
            .await
            .map_err(KeyedError::Work)?;
        let stored = self.commit_keyed(tx, key, answer(&saved)).await?;
        self.announce(event);
        Ok(Keyed::Fresh(stored))
    }

    /// Submit all of a bulk import with an Idempotency-Key; `answer`
    /// renders the saved requests.
    pub async fn submit_import_keyed(
        &self,
        user: &CurrentUser,
        key: &IdempotencyKey,
        order: OrderId,
        file: &str,
        answer: impl FnOnce(&[Saved]) -> (u16, String),
    ) -> Result<Keyed, KeyedError> {
        let (mut tx, stored) = self.begin_keyed(key).await?;
        if let Some(stored) = stored {
            return Ok(Keyed::Replayed(stored));
        }
        let (saved, events) = self
            .submit_import_within(&mut tx, user, order, file)
            .await
            .map_err(KeyedError::Work)?;
        let stored = self.commit_keyed(tx, key, answer(&saved)).await?;
        for event in events {
            self.announce(event);
        }
        Ok(Keyed::Fresh(stored))
    }

    /// A partner's step (accept, cancel) with an Idempotency-Key; `answer`
    /// renders the new state.
    pub async fn change_keyed(
        &self,
        user: &CurrentUser,
        key: &IdempotencyKey,
        id: DrawdownId,
        transition: Transition,
        reason: Option<&str>,
        answer: impl FnOnce(DrawdownState) -> (u16, String),
    ) -> Result<Keyed, KeyedError> {
        let actor = Actor::of(user.role).ok_or(KeyedError::Work(DrawdownError::Forbidden))?;
        let reason = read_reason(reason, transition).map_err(KeyedError::Work)?;
        let (mut tx, stored) = self.begin_keyed(key).await?;
        if let Some(stored) = stored {
            return Ok(Keyed::Replayed(stored));
        }
        let (to, event) = self
            .apply_within(&mut tx, Some(user), actor, id, transition, reason)
            .await
            .map_err(KeyedError::Work)?;
        let stored = self.commit_keyed(tx, key, answer(to)).await?;
        self.announce(event);
        Ok(Keyed::Fresh(stored))
    }

    /// Forgets answers older than the window, a batch at a time; how many.
    pub async fn forget_idempotent_answers(&self, batch: i64) -> Result<u64, Fault> {
        let before = self.settings.clock.now() - IDEMPOTENCY_WINDOW_SECONDS;
        let mut tx = self.db.begin().await?;
        let gone = keys::delete_idempotent_answers_before(&mut tx, before, batch).await?;
        tx.commit().await?;
        Ok(gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_to_255_visible_ascii_characters() {
        let key =
            |k: &str| IdempotencyKey::parse(AccountId(1), k, String::new()).map(|k| k.as_str().to_owned());
        assert_eq!(key("5f0c-uuid"), Some("5f0c-uuid".into()));
        assert_eq!(key(""), None);
        assert_eq!(key("has space"), None);
        assert_eq!(key("é"), None);
        assert_eq!(key(&"k".repeat(256)), None);
        assert!(key(&"k".repeat(255)).is_some());
    }
}
