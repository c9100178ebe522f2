//! People and their passwords (SPEC, "Users of a partner", "Your account"):
//! invitations, deactivation, one-time links, changing and resetting a
//! password, signing out of other sessions. Each change is one transaction
//! with its audit entry and its email.

use serde_json::json;

use super::administration::{page_of, PAGE_READ};
use super::{service_error_faults, Caller, Fault, Services};
use crate::auth::{hash_password, hash_session_token, new_session_token, verify_password};
use crate::domain::{
    may_administer, may_list_people_of, may_manage_people_of, AccountId, AccountNameError, AccountSummary,
    AdminCursor, AdminPage, AuditActor, AuditKind, AuditObject, CurrentUser, DisplayName, EmailError,
    LinkSent, NewPassword, PasswordError, Role, UserChange, UserEmail, UserId, UserSummary,
};
use crate::events::PortalEvent;
use crate::i18n::Locale;
use crate::mail::accounts::{compose_link, LinkNotice};
use crate::repo::user_links::{self, LinkPurpose};
use crate::repo::users::{self, InsertUserError};
use crate::repo::{accounts, audit, outbox, sessions};

/// How long an invitation's link works.
pub const INVITATION_HOURS: i64 = 72;
/// How long a password reset's link works.
pub const RESET_HOURS: i64 = 1;
/// The page a link opens.
pub const SET_PASSWORD_PATH: &str = "/set-password";

/// Why a change to people or passwords was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeopleError {
    /// Outside what the caller may manage; a missing user or account gets the same answer.
    #[error("forbidden")]
    Forbidden,
    #[error("email: {0}")]
    Email(EmailError),
    #[error("display name: {0}")]
    DisplayName(AccountNameError),
    #[error("email: a user with this email already exists")]
    EmailTaken,
    #[error("password: {0}")]
    Password(PasswordError),
    /// The current password typed is not the user's.
    #[error("current password: wrong")]
    WrongPassword,
    /// The link was used, expired, or never existed.
    #[error("the link is used or expired")]
    LinkUnusable,
    /// Nobody deactivates themselves (an admin would lock the portal out).
    #[error("you cannot deactivate yourself")]
    OwnUser,
    /// The role is not one the account's kind holds (a partner user of a customer).
    #[error("role: not a role of this kind of account")]
    WrongKind,
    /// The account is deactivated: nobody new joins it.
    #[error("account: deactivated")]
    AccountDeactivated,
    /// A deactivated user gets no link.
    #[error("the user is deactivated")]
    UserDeactivated,
    /// A page cursor that is not an email a previous page ended on.
    #[error("after: not a user's email")]
    Cursor,
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(PeopleError);

/// Someone to add as a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub account: AccountId,
}

/// How a new user gets a first password.
pub enum FirstPassword {
    /// An email with a link to set one, in `locale`.
    Invitation { locale: Locale },
    /// One an operator typed at the command line.
    Password(NewPassword),
}

impl From<Invitation> for NewUser {
    fn from(invitation: Invitation) -> Self {
        Self {
            email: invitation.email,
            display_name: invitation.display_name,
            role: invitation.role,
            account: invitation.account,
        }
    }
}

/// Someone to invite.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub account: AccountId,
    /// The invitee's language (their emails; their screens until they choose).
    pub locale: Locale,
}

impl Services<'_> {
    fn link_url(&self, token: &str) -> String {
        format!(
            "{}{SET_PASSWORD_PATH}?token={token}",
            self.settings.public_url.trim_end_matches('/')
        )
    }

    /// Invites someone: a user with no password yet, and an email with a
    /// link to set one (72 hours, once).
    pub async fn invite(
        &self,
        by: &CurrentUser,
        address: Option<String>,
        invitation: Invitation,
    ) -> Result<UserId, PeopleError> {
        let locale = invitation.locale;
        self.create_user(
            Caller::User(by),
            address,
            invitation.into(),
            FirstPassword::Invitation { locale },
        )
        .await
    }

    /// Creates a user: invited by email (a person in the portal, or an
    /// operator) or with a password an operator typed (`server user add`).
    pub async fn create_user(
        &self,
        by: Caller<'_>,
        address: Option<String>,
        user: NewUser,
        first: FirstPassword,
    ) -> Result<UserId, PeopleError> {
        let email = UserEmail::parse(&user.email).map_err(PeopleError::Email)?;
        let display_name = if user.display_name.trim().is_empty() {
            DisplayName::parse(email.as_str())
        } else {
            DisplayName::parse(&user.display_name)
        }
        .map_err(PeopleError::DisplayName)?;
        let (hash, invited_in) = match first {
            // Nothing matches the empty hash: an invitee has no password until the link is used.
            FirstPassword::Invitation { locale } => (String::new(), Some(locale)),
            FirstPassword::Password(password) => (hash_off_thread(password).await?, None),
        };
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let account = accounts::find_account(&mut tx, user.account)
            .await?
            .ok_or(PeopleError::Forbidden)?;
        check_may_give(by, user.role, &account)?;
        if !accounts::account_is_active(&mut tx, account.id).await? {
            return Err(PeopleError::AccountDeactivated);
        }
        let id = users::insert_user(
            &mut tx,
            &email,
            display_name.as_str(),
            user.role,
            account.id,
            &hash,
            now,
        )
        .await
        .map_err(|e| match e {
            InsertUserError::EmailTaken => PeopleError::EmailTaken,
            InsertUserError::Database(e) => e.into(),
        })?;
        let actor = self.actor_at(by, address);
        let object = user_object(id, email.as_str(), account.id);
        let after = json!({ "email": email.as_str(), "display_name": display_name.as_str(), "role": user.role.as_str(), "account": account.name });
        audit::record(
            &mut tx,
            now,
            &actor,
            AuditKind::UserCreated,
            &object,
            None,
            Some(&after),
        )
        .await?;
        if let Some(locale) = invited_in {
            users::update_user_locale(&mut tx, id, locale).await?;
            let inviter = by
                .signed_in()
                .map_or("Licenses & Cloud", |u| u.display_name.as_str());
            self.send_link(
                &mut tx,
                id,
                &email,
                locale,
                LinkNotice::Invitation {
                    inviter,
                    account: &account.name,
                },
                now,
            )
            .await?;
            audit::record(
                &mut tx,
                now,
                &actor,
                AuditKind::InvitationSent,
                &object,
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        self.mail_queued.notify_one();
        Ok(id)
    }

    /// Who a change to people is recorded as made by.
    fn actor_at(&self, by: Caller<'_>, address: Option<String>) -> AuditActor {
        match by {
            Caller::User(user) => AuditActor::user(user.id, &user.email, address),
            Caller::Operator => AuditActor::server(),
        }
    }

    /// Queues an email with a new one-time link for `user`, valid for the
    /// notice's time.
    async fn send_link(
        &self,
        tx: &mut sqlx::AnyConnection,
        user: UserId,
        email: &UserEmail,
        locale: Locale,
        notice: LinkNotice<'_>,
        now: i64,
    ) -> Result<(), PeopleError> {
        let (purpose, hours) = match notice {
            LinkNotice::Invitation { .. } => (LinkPurpose::Invitation, INVITATION_HOURS),
            LinkNotice::PasswordReset => (LinkPurpose::PasswordReset, RESET_HOURS),
        };
        let (token, hash) = new_session_token();
        user_links::insert_link(tx, user, purpose, &hash, now, now + hours * 3600).await?;
        let message = compose_link(notice, locale, email.as_str(), &self.link_url(&token), hours);
        outbox::enqueue_email(tx, &message, now).await?;
        Ok(())
    }

    /// Send invitation (again) to someone who has not set a password yet, or
    /// Reset password for someone who has: an email with a new link, in
    /// their language; earlier links stop working.
    pub async fn send_password_link(
        &self,
        by: &CurrentUser,
        address: Option<String>,
        user: UserId,
    ) -> Result<LinkSent, PeopleError> {
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let (target, account) = managed_user(&mut tx, by, user).await?;
        if target.deactivated_at.is_some() || !accounts::account_is_active(&mut tx, account.id).await? {
            return Err(PeopleError::UserDeactivated);
        }
        let email = UserEmail::parse(&target.email).map_err(PeopleError::Email)?;
        let (_, locale) = users::find_mail_address(&mut tx, user).await?.unwrap_or_default();
        // One live link at a time: the one the admin sends now.
        user_links::spend_links_of(&mut tx, user, now).await?;
        let (notice, kind, sent) = if target.invited {
            (
                LinkNotice::Invitation {
                    inviter: &by.display_name,
                    account: &account.name,
                },
                AuditKind::InvitationSent,
                LinkSent::Invitation,
            )
        } else {
            (
                LinkNotice::PasswordReset,
                AuditKind::PasswordResetRequested,
                LinkSent::PasswordReset,
            )
        };
        self.send_link(&mut tx, user, &email, locale, notice, now).await?;
        audit::record(
            &mut tx,
            now,
            &AuditActor::user(by.id, &by.email, address),
            kind,
            &user_object(user, &target.email, target.account_id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.mail_queued.notify_one();
        Ok(sent)
    }

    /// Edit: a user's name and role (within its account's kind). Nobody
    /// changes their own role.
    pub async fn update_user(
        &self,
        by: &CurrentUser,
        address: Option<String>,
        user: UserId,
        change: &UserChange,
    ) -> Result<(), PeopleError> {
        let display_name = DisplayName::parse(&change.display_name).map_err(PeopleError::DisplayName)?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let (target, account) = managed_user(&mut tx, by, user).await?;
        check_may_give(Caller::User(by), change.role, &account)?;
        if user == by.id && change.role != target.role {
            return Err(PeopleError::OwnUser);
        }
        users::update_user(&mut tx, user, display_name.as_str(), change.role).await?;
        let (before, after) = super::administration::accounts::changed(
            json!({ "display_name": target.display_name, "role": target.role.as_str() }),
            json!({ "display_name": display_name.as_str(), "role": change.role.as_str() }),
        );
        if !after.as_object().is_some_and(serde_json::Map::is_empty) {
            audit::record(
                &mut tx,
                now,
                &AuditActor::user(by.id, &by.email, address),
                AuditKind::UserChanged,
                &user_object(user, &target.email, target.account_id),
                Some(&before),
                Some(&after),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Administration → Users: everyone, by email, those whose email or
    /// name starts with `search`.
    pub async fn user_rows(
        &self,
        by: &CurrentUser,
        search: &str,
        after: Option<AdminCursor>,
    ) -> Result<AdminPage<UserSummary>, PeopleError> {
        if !may_administer(by) {
            return Err(PeopleError::Forbidden);
        }
        let search = search.trim();
        if search.chars().any(char::is_control) {
            return Ok(page_of(Vec::new()));
        }
        let after = after.map(|c| c.key).unwrap_or_default();
        if after.chars().any(char::is_control) {
            return Err(PeopleError::Cursor);
        }
        let mut conn = self.db.read().await?;
        let rows = users::list_user_rows(&mut conn, search, &after, PAGE_READ).await?;
        Ok(page_of(
            rows.into_iter()
                .map(|u| {
                    let cursor = AdminCursor {
                        key: u.email.clone(),
                        id: u.id.0,
                    };
                    (u, cursor)
                })
                .collect(),
        ))
    }

    /// The people of an account, by email, after `after_email`.
    pub async fn people_of(
        &self,
        by: &CurrentUser,
        account: AccountId,
        after_email: Option<&str>,
    ) -> Result<Vec<UserSummary>, PeopleError> {
        let after_email = after_email
            .map(UserEmail::parse)
            .transpose()
            .map_err(|_| PeopleError::Cursor)?;
        let mut conn = self.db.read().await?;
        let account = accounts::find_account(&mut conn, account)
            .await?
            .ok_or(PeopleError::Forbidden)?;
        if !may_list_people_of(by, &account) {
            return Err(PeopleError::Forbidden);
        }
        Ok(users::list_users_of_account(
            &mut conn,
            account.id,
            after_email.as_ref().map(UserEmail::as_str),
            crate::domain::PEOPLE_PAGE as i64,
        )
        .await?)
    }

    /// Deactivates a user (its sessions end at once and its links die) or
    /// reactivates one. Doing it twice changes nothing the second time.
    pub async fn set_user_active(
        &self,
        by: &CurrentUser,
        address: Option<String>,
        user: UserId,
        active: bool,
    ) -> Result<(), PeopleError> {
        if user == by.id {
            return Err(PeopleError::OwnUser);
        }
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let (target, _) = managed_user(&mut tx, by, user).await?;
        let changed = if active {
            users::reactivate_user(&mut tx, user).await?
        } else {
            let changed = users::deactivate_user(&mut tx, user, now).await?;
            sessions::delete_sessions_of(&mut tx, user, None).await?;
            user_links::spend_links_of(&mut tx, user, now).await?;
            changed
        };
        if changed {
            audit::record_standing(
                &mut tx,
                now,
                &AuditActor::user(by.id, &by.email, address),
                (AuditKind::UserDeactivated, AuditKind::UserReactivated),
                &user_object(user, &target.email, target.account_id),
                active,
            )
            .await?;
        }
        tx.commit().await?;
        if changed && !active {
            self.events.publish(PortalEvent::SessionsEnded { user });
        }
        Ok(())
    }

    /// Whether a link from an email still works (the page says so before
    /// the form is filled in).
    pub async fn link_is_usable(&self, token: &str) -> Result<bool, PeopleError> {
        let mut conn = self.db.read().await?;
        Ok(
            user_links::link_is_usable(&mut conn, &hash_session_token(token), self.settings.clock.now())
                .await?,
        )
    }

    /// Sets a password from a link (an invitation or a reset): the link is
    /// spent, so are the user's other links, and every session of the user
    /// ends (whoever had the old password is out).
    pub async fn set_password_from_link(
        &self,
        token: &str,
        password: String,
        confirmation: &str,
        address: Option<String>,
    ) -> Result<(), PeopleError> {
        let password = NewPassword::confirmed(password, confirmation).map_err(PeopleError::Password)?;
        let hash = hash_off_thread(password).await?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let (user, purpose) = user_links::take_link(&mut tx, &hash_session_token(token), now)
            .await?
            .ok_or(PeopleError::LinkUnusable)?;
        let target = users::find_user_row(&mut tx, user)
            .await?
            .ok_or(PeopleError::LinkUnusable)?;
        users::update_password(&mut tx, user, &hash).await?;
        user_links::spend_links_of(&mut tx, user, now).await?;
        sessions::delete_sessions_of(&mut tx, user, None).await?;
        let kind = match purpose {
            LinkPurpose::Invitation => AuditKind::InvitationAccepted,
            LinkPurpose::PasswordReset => AuditKind::PasswordReset,
        };
        audit::record(
            &mut tx,
            now,
            &AuditActor::user(user, &target.email, address),
            kind,
            &user_object(user, &target.email, target.account_id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.events.publish(PortalEvent::SessionsEnded { user });
        Ok(())
    }

    /// Forgot your password: a reset link (1 hour, once) to an active user
    /// with this address; nothing for any other address, and the same
    /// answer either way (the caller throttles).
    pub async fn request_password_reset(
        &self,
        typed_email: &str,
        address: Option<String>,
    ) -> Result<(), PeopleError> {
        let Ok(email) = UserEmail::parse(typed_email) else {
            return Ok(());
        };
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let Some(target) = users::find_user_row_by_email(&mut tx, &email).await? else {
            return Ok(());
        };
        let active_account = accounts::account_is_active(&mut tx, target.account_id).await?;
        if target.deactivated_at.is_some() || !active_account {
            return Ok(());
        }
        let (_, locale) = users::find_mail_address(&mut tx, target.id)
            .await?
            .unwrap_or_default();
        // Earlier links stay good: whoever asks cannot spend the owner's.
        self.send_link(&mut tx, target.id, &email, locale, LinkNotice::PasswordReset, now)
            .await?;
        audit::record(
            &mut tx,
            now,
            &AuditActor {
                user: None,
                label: email.as_str().to_owned(),
                address,
            },
            AuditKind::PasswordResetRequested,
            &user_object(target.id, &target.email, target.account_id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.mail_queued.notify_one();
        Ok(())
    }

    /// Change password: the current one first; the other sessions end, the
    /// one hashed `keep_session` stays.
    pub async fn change_password(
        &self,
        by: &CurrentUser,
        address: Option<String>,
        current: String,
        password: String,
        confirmation: &str,
        keep_session: &str,
    ) -> Result<(), PeopleError> {
        let password = NewPassword::confirmed(password, confirmation).map_err(PeopleError::Password)?;
        let stored = {
            let mut conn = self.db.read().await?;
            users::find_password_hash_of(&mut conn, by.id)
                .await?
                .ok_or(PeopleError::Forbidden)?
        };
        let matches = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
            .await
            .map_err(|e| Fault::internal("password check", e))?;
        if !matches {
            return Err(PeopleError::WrongPassword);
        }
        let hash = hash_off_thread(password).await?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        users::update_password(&mut tx, by.id, &hash).await?;
        user_links::spend_links_of(&mut tx, by.id, now).await?;
        sessions::delete_sessions_of(&mut tx, by.id, Some(keep_session)).await?;
        audit::record(
            &mut tx,
            now,
            &AuditActor::user(by.id, &by.email, address),
            AuditKind::PasswordChanged,
            &user_object(by.id, &by.email, by.account_id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.events.publish(PortalEvent::SessionsEnded { user: by.id });
        Ok(())
    }

    /// Sign out of other sessions: every session of the user but the one
    /// hashed `keep_session`. Returns how many ended.
    pub async fn sign_out_other_sessions(
        &self,
        by: &CurrentUser,
        address: Option<String>,
        keep_session: &str,
    ) -> Result<u64, PeopleError> {
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let ended = sessions::delete_sessions_of(&mut tx, by.id, Some(keep_session)).await?;
        audit::record(
            &mut tx,
            now,
            &AuditActor::user(by.id, &by.email, address),
            AuditKind::SignedOutOtherSessions,
            &user_object(by.id, &by.email, by.account_id),
            None,
            Some(&json!({ "sessions_ended": ended })),
        )
        .await?;
        tx.commit().await?;
        self.events.publish(PortalEvent::SessionsEnded { user: by.id });
        Ok(ended)
    }
}

/// The user `by` acts on, with its account, if `by` manages people of its
/// role there; a missing user gets the same refusal.
async fn managed_user(
    conn: &mut sqlx::AnyConnection,
    by: &CurrentUser,
    user: UserId,
) -> Result<(UserSummary, AccountSummary), PeopleError> {
    let target = users::find_user_row(conn, user)
        .await?
        .ok_or(PeopleError::Forbidden)?;
    let account = accounts::find_account(conn, target.account_id)
        .await?
        .ok_or(PeopleError::Forbidden)?;
    if !may_manage_people_of(by, target.role, &account) {
        return Err(PeopleError::Forbidden);
    }
    Ok((target, account))
}

/// Whether `by` may give `role` to someone of `account`: refused (403)
/// when `by` manages nobody there; a role the account's kind does not hold
/// is a mistake in the form (422).
fn check_may_give(by: Caller<'_>, role: Role, account: &AccountSummary) -> Result<(), PeopleError> {
    let Caller::User(user) = by else {
        return if role.account_kind() == account.kind {
            Ok(())
        } else {
            Err(PeopleError::WrongKind)
        };
    };
    if !may_list_people_of(user, account) {
        return Err(PeopleError::Forbidden);
    }
    if role.account_kind() != account.kind {
        return Err(PeopleError::WrongKind);
    }
    if !may_manage_people_of(user, role, account) {
        return Err(PeopleError::Forbidden);
    }
    Ok(())
}

/// An audit entry's object for a user.
pub(crate) fn user_object(id: UserId, email: &str, account: AccountId) -> AuditObject {
    AuditObject {
        kind: "user",
        id: Some(id.0),
        label: email.to_owned(),
        account: Some(account),
    }
}

/// Argon2 is slow on purpose; it runs off the async threads.
async fn hash_off_thread(password: NewPassword) -> Result<String, PeopleError> {
    Ok(
        tokio::task::spawn_blocking(move || hash_password(password.expose()))
            .await
            .map_err(|e| Fault::internal("password hashing", e))?
            .map_err(|e| Fault::internal("password hashing", e))?,
    )
}
