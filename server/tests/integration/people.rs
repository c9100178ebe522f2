//! People and passwords through the services, on a real database with a
//! stopped clock: invitations and reset links expire and work once, a
//! deactivated user is refused and its sessions end, every change leaves one
//! audit entry in its own transaction and a refused one none.

use app::domain::{AuditKind, Role, UserId};
use app::i18n::Locale;
use app::repo::audit::{self, AuditFilter};
use app::services::people::Invitation;
use app::services::PeopleError;
use app::throttle::SignInThrottle;

use crate::helpers::{account_id, count_rows, user, Portal};

const GOOD: &str = "walnut ferry lamp 42";

/// The one-time link of the last email sent to `to`.
pub(crate) async fn emailed_token(p: &Portal, to: &str) -> String {
    let body: String =
        sqlx::query_scalar("SELECT text_body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1")
            .bind(to)
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("an email to the recipient");
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..]
        .split_whitespace()
        .next()
        .expect("token")
        .to_string()
}

async fn sign_in(p: &Portal, email: &str, password: &str) -> Result<(UserId, String), app::error::AppError> {
    app::auth::sign_in(
        p.db(),
        &p.settings,
        &SignInThrottle::new(),
        "192.0.2.1",
        email,
        password,
    )
    .await
}

async fn kinds(p: &Portal) -> Vec<AuditKind> {
    let mut conn = p.db().read().await.expect("conn");
    let mut entries = audit::list_entries(&mut conn, &AuditFilter::default(), None, 1000)
        .await
        .expect("audit");
    entries.reverse();
    entries.into_iter().map(|e| e.kind).collect()
}

fn invitation(email: &str, role: Role, account: app::domain::AccountId) -> Invitation {
    Invitation {
        email: email.into(),
        display_name: "Robin Colleague".into(),
        role,
        account,
        locale: Locale::Fr,
    }
}

#[tokio::test]
async fn an_invitation_link_sets_a_password_once_within_72_hours() {
    let p = Portal::demo().await;
    let admin = user(p.db(), "partner@example.com").await;
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let s = p.services();
    let invited = s
        .invite(
            &admin,
            Some("192.0.2.9".into()),
            invitation("robin@northwind.example", Role::PartnerUser, northwind),
        )
        .await
        .expect("invited");
    // In the invitee's language, naming who invited them.
    let (subject, locale): (String, String) =
        sqlx::query_as("SELECT subject, locale FROM outbox WHERE recipient = 'robin@northwind.example'")
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("invitation email");
    assert_eq!(locale, "fr");
    assert!(subject.contains("Northwind Partners"), "{subject}");
    // No password until the link is used.
    assert!(sign_in(&p, "robin@northwind.example", "").await.is_err());
    let token = emailed_token(&p, "robin@northwind.example").await;
    assert!(s.link_is_usable(&token).await.expect("check"));
    // A weak password is refused and the link stays usable.
    assert_eq!(
        s.set_password_from_link(&token, "password1234".into(), "password1234", None)
            .await,
        Err(PeopleError::Password(app::domain::PasswordError::TooCommon))
    );
    s.set_password_from_link(&token, GOOD.into(), GOOD, None)
        .await
        .expect("password set");
    let (signed_in, _) = sign_in(&p, "robin@northwind.example", GOOD)
        .await
        .expect("signs in");
    assert_eq!(signed_in, invited);
    // Once only.
    assert!(!s.link_is_usable(&token).await.expect("check"));
    assert_eq!(
        s.set_password_from_link(
            &token,
            "another long passphrase".into(),
            "another long passphrase",
            None
        )
        .await,
        Err(PeopleError::LinkUnusable)
    );
    // A second invitation's link dies after 72 hours.
    s.invite(
        &admin,
        None,
        invitation("late@northwind.example", Role::PartnerUser, northwind),
    )
    .await
    .expect("invited");
    let late = emailed_token(&p, "late@northwind.example").await;
    p.clock().advance(72 * 3600 - 1);
    assert!(s.link_is_usable(&late).await.expect("check"));
    p.clock().advance(1);
    assert!(!s.link_is_usable(&late).await.expect("check"));
    assert_eq!(
        s.set_password_from_link(&late, GOOD.into(), GOOD, None).await,
        Err(PeopleError::LinkUnusable)
    );
    assert_eq!(
        kinds(&p).await,
        [
            AuditKind::UserCreated,
            AuditKind::InvitationSent,
            AuditKind::SignInFailed,
            AuditKind::InvitationAccepted,
            AuditKind::SignIn,
            AuditKind::UserCreated,
            AuditKind::InvitationSent,
        ]
    );
}

#[tokio::test]
async fn a_reset_link_answers_alike_for_any_address_works_once_within_an_hour_and_ends_every_session() {
    let p = Portal::demo().await;
    let s = p.services();
    let (_, session) = sign_in(&p, "partner@example.com", "demo")
        .await
        .expect("signed in");
    let outbox_before = count_rows(p.db(), "outbox").await;
    // An unknown address: the same Ok, and nothing sent or recorded.
    s.request_password_reset("nobody@example.com", None)
        .await
        .expect("same answer");
    s.request_password_reset("not an address", None)
        .await
        .expect("same answer");
    assert_eq!(count_rows(p.db(), "outbox").await, outbox_before);
    s.request_password_reset(" Partner@Example.com ", Some("192.0.2.7".into()))
        .await
        .expect("sent");
    assert_eq!(count_rows(p.db(), "outbox").await, outbox_before + 1);
    let token = emailed_token(&p, "partner@example.com").await;
    p.clock().advance(3600);
    assert!(!s.link_is_usable(&token).await.expect("check"), "an hour at most");
    s.request_password_reset("partner@example.com", None)
        .await
        .expect("sent");
    let token = emailed_token(&p, "partner@example.com").await;
    p.clock().advance(3599);
    s.set_password_from_link(&token, GOOD.into(), GOOD, None)
        .await
        .expect("reset");
    assert_eq!(
        s.set_password_from_link(&token, GOOD.into(), GOOD, None).await,
        Err(PeopleError::LinkUnusable)
    );
    // The old password and the old session are gone; the new one works.
    assert!(sign_in(&p, "partner@example.com", "demo").await.is_err());
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        format!("portal_session={session}").parse().expect("cookie"),
    );
    assert!(
        app::auth::user_from_headers(p.db(), &p.settings, &headers, app::auth::Activity::User)
            .await
            .is_err()
    );
    sign_in(&p, "partner@example.com", GOOD)
        .await
        .expect("new password");
}

#[tokio::test]
async fn a_deactivated_user_is_refused_at_once_and_can_be_reactivated() {
    let p = Portal::demo().await;
    let s = p.services();
    let admin = user(p.db(), "other-partner@example.com").await;
    let tailspin = account_id(p.db(), "Tailspin Integrators").await;
    let colleague = s
        .invite(
            &admin,
            None,
            invitation("sam@tailspin.example", Role::PartnerUser, tailspin),
        )
        .await
        .expect("invited");
    let token = emailed_token(&p, "sam@tailspin.example").await;
    s.set_password_from_link(&token, GOOD.into(), GOOD, None)
        .await
        .expect("set");
    let (_, session) = sign_in(&p, "sam@tailspin.example", GOOD).await.expect("signs in");
    let mut events = p.events.subscribe();
    s.set_user_active(&admin, None, colleague, false)
        .await
        .expect("deactivated");
    // Its stream hears that its sessions ended.
    assert_eq!(
        events.recv().await.expect("event"),
        app::events::PortalEvent::SessionsEnded { user: colleague }
    );
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        format!("portal_session={session}").parse().expect("cookie"),
    );
    assert!(
        app::auth::user_from_headers(p.db(), &p.settings, &headers, app::auth::Activity::User)
            .await
            .is_err()
    );
    assert!(sign_in(&p, "sam@tailspin.example", GOOD).await.is_err());
    // A second click changes nothing and records nothing.
    let entries = count_rows(p.db(), "audit_log").await;
    s.set_user_active(&admin, None, colleague, false)
        .await
        .expect("no-op");
    assert_eq!(count_rows(p.db(), "audit_log").await, entries);
    s.set_user_active(&admin, None, colleague, true)
        .await
        .expect("reactivated");
    sign_in(&p, "sam@tailspin.example", GOOD)
        .await
        .expect("signs in again");
    // Nobody deactivates themselves.
    assert_eq!(
        s.set_user_active(&admin, None, admin.id, false).await,
        Err(PeopleError::OwnUser)
    );
}

#[tokio::test]
async fn who_may_invite_and_deactivate_whom_and_a_refusal_writes_nothing() {
    let p = Portal::demo().await;
    let s = p.services();
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let contoso = account_id(p.db(), "Contoso Pharma").await;
    let tailspin = account_id(p.db(), "Tailspin Integrators").await;
    let northwind_admin = user(p.db(), "partner@example.com").await;
    let accounting = user(p.db(), "accounting@example.com").await;
    let customer = user(p.db(), "customer@example.com").await;
    let tailspin_admin = user(p.db(), "other-partner@example.com").await;
    let rows = |p: &Portal| {
        let db = p.db().clone();
        async move {
            (
                count_rows(&db, "users").await,
                count_rows(&db, "audit_log").await,
                count_rows(&db, "outbox").await,
                count_rows(&db, "user_links").await,
            )
        }
    };
    let before = rows(&p).await;
    let refused = [
        (&tailspin_admin, Role::PartnerUser, northwind),
        (&tailspin_admin, Role::CustomerUser, contoso),
        (&accounting, Role::PartnerUser, northwind),
        (&customer, Role::CustomerUser, contoso),
        (&northwind_admin, Role::PartnerUser, tailspin),
    ];
    for (by, role, account) in refused {
        assert_eq!(
            s.invite(by, None, invitation("x@example.org", role, account))
                .await,
            Err(PeopleError::Forbidden),
            "{} inviting a {role:?}",
            by.email
        );
    }
    // A role that does not fit the account, asked by someone who manages
    // people there: a mistake in the form (422), not a refusal of who asks.
    for role in [Role::CustomerUser, Role::Accounting] {
        assert_eq!(
            s.invite(
                &northwind_admin,
                None,
                invitation("x@example.org", role, northwind)
            )
            .await,
            Err(PeopleError::WrongKind),
            "{role:?} of a partner"
        );
    }
    // A taken address: refused, and nothing of it written.
    assert_eq!(
        s.invite(
            &northwind_admin,
            None,
            invitation("customer@example.com", Role::CustomerUser, contoso)
        )
        .await,
        Err(PeopleError::EmailTaken)
    );
    assert_eq!(rows(&p).await, before, "a refusal writes nothing");
    // A partner user invites a customer user of a customer its partner manages.
    let new_partner_user = s
        .invite(
            &northwind_admin,
            None,
            invitation("pu@northwind.example", Role::PartnerUser, northwind),
        )
        .await
        .expect("invited");
    let token = emailed_token(&p, "pu@northwind.example").await;
    s.set_password_from_link(&token, GOOD.into(), GOOD, None)
        .await
        .expect("set");
    let partner_user = user(p.db(), "pu@northwind.example").await;
    s.invite(
        &partner_user,
        None,
        invitation("it@contoso.example", Role::CustomerUser, contoso),
    )
    .await
    .expect("a partner user invites a customer user");
    assert_eq!(
        s.invite(
            &partner_user,
            None,
            invitation("pu2@northwind.example", Role::PartnerUser, northwind)
        )
        .await,
        Err(PeopleError::Forbidden)
    );
    assert_eq!(
        s.set_user_active(&partner_user, None, northwind_admin.id, false)
            .await,
        Err(PeopleError::Forbidden)
    );
    assert_eq!(
        s.set_user_active(&tailspin_admin, None, new_partner_user, false)
            .await,
        Err(PeopleError::Forbidden)
    );
    assert_eq!(
        s.people_of(&partner_user, northwind, None).await.err(),
        Some(PeopleError::Forbidden)
    );
    let listed = s
        .people_of(&northwind_admin, northwind, None)
        .await
        .expect("list");
    assert!(listed
        .iter()
        .any(|u| u.email == "pu@northwind.example" && !u.invited));
    // A page cursor is an email a page ended on; anything else (a NUL that
    // PostgreSQL cannot even compare, found by the fuzz test) is refused.
    assert_eq!(
        s.people_of(&northwind_admin, northwind, Some("a\0b@x.example"))
            .await
            .err(),
        Some(PeopleError::Cursor)
    );
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_keeps_only_this_session() {
    let p = Portal::demo().await;
    let s = p.services();
    let (_, here) = sign_in(&p, "accounting@example.com", "demo").await.expect("here");
    let (_, elsewhere) = sign_in(&p, "accounting@example.com", "demo")
        .await
        .expect("elsewhere");
    let me = user(p.db(), "accounting@example.com").await;
    let here_hash = app::auth::hash_session_token(&here);
    assert_eq!(
        s.change_password(&me, None, "wrong".into(), GOOD.into(), GOOD, &here_hash)
            .await,
        Err(PeopleError::WrongPassword)
    );
    assert_eq!(
        s.change_password(&me, None, "demo".into(), GOOD.into(), "typo", &here_hash)
            .await,
        Err(PeopleError::Password(app::domain::PasswordError::Mismatch))
    );
    s.change_password(&me, None, "demo".into(), GOOD.into(), GOOD, &here_hash)
        .await
        .expect("changed");
    let signed_in = |token: String| {
        let p = &p;
        async move {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                http::header::COOKIE,
                format!("portal_session={token}").parse().expect("cookie"),
            );
            app::auth::user_from_headers(p.db(), &p.settings, &headers, app::auth::Activity::User)
                .await
                .is_ok()
        }
    };
    assert!(signed_in(here.clone()).await);
    assert!(!signed_in(elsewhere).await);
    let (_, third) = sign_in(&p, "accounting@example.com", GOOD)
        .await
        .expect("new password");
    assert_eq!(s.sign_out_other_sessions(&me, None, &here_hash).await, Ok(1));
    assert!(signed_in(here).await);
    assert!(!signed_in(third).await);
    let recorded = kinds(&p).await;
    assert!(
        recorded.ends_with(&[
            AuditKind::PasswordChanged,
            AuditKind::SignIn,
            AuditKind::SignedOutOtherSessions
        ]),
        "{recorded:?}"
    );
    assert!(recorded.contains(&AuditKind::SignIn));
}
