//! Cloud licenses and license files through the services, on a real SQLite
//! file: binding keeps the usage ledger's invariant under concurrency, files
//! are leased, signed and verifiable, and a reconfigured or revoked file
//! gives back what it held when its lease ends.

use app::domain::{
    license_reference, AccountId, BindingError, CurrentUser, LicenseFileField, LicenseFileFieldError,
    LicenseFileForm, LicenseFileState, LicenseModel, ListRows, UsableEntitlement,
};
use app::license_file::verify;
use app::repo::Db;
use app::services::LicensingError;

use crate::helpers::{account_id, assert_ledger_invariant, count_rows, user, Portal};

const PARTNER: &str = "partner@example.com";

/// Contoso Pharma after the demo history: it holds all of SO-2026-0042, with
/// 2 Bot Creators and 3 Unattended Bot Runners bound to its Control Room.
pub async fn contoso(p: &Portal) -> (AccountId, CurrentUser) {
    server::demo::walk_history(p.services())
        .await
        .expect("demo history");
    (
        account_id(p.db(), "Contoso Pharma").await,
        user(p.db(), PARTNER).await,
    )
}

/// No entitlement has more in use than it holds, none less than nothing,
/// and no Control Room or file holds a negative quantity; a file that
/// gave its quantities back when its lease ended holds nothing.
pub async fn assert_usage_invariant(db: &Db) {
    let mut conn = db.read().await.expect("conn");
    let broken: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, quantity, in_use FROM (
             SELECT e.id, e.quantity,
                    CAST(coalesce(sum(CASE u.kind WHEN 'assign' THEN u.quantity ELSE -u.quantity END), 0) AS BIGINT) AS in_use
             FROM entitlements e LEFT JOIN usage_entries u ON u.entitlement_id = e.id
             GROUP BY e.id, e.quantity) t
         WHERE in_use < 0 OR in_use > quantity",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("usage");
    assert!(broken.is_empty(), "entitlements over- or under-used: {broken:?}");
    let negative: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
             SELECT sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END) AS held
             FROM usage_entries GROUP BY entitlement_id, service_instance_id, license_file_id) t
         WHERE held < 0",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("targets");
    assert_eq!(negative, 0, "a target gave back more than it was given");
    let ended_holding: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
             SELECT sum(CASE u.kind WHEN 'assign' THEN u.quantity ELSE -u.quantity END) AS held
             FROM usage_entries u JOIN license_files f ON f.id = u.license_file_id
             WHERE f.released_at IS NOT NULL GROUP BY u.license_file_id) t
         WHERE held <> 0",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("files");
    assert_eq!(ended_holding, 0, "a released license file still holds quantities");
    crate::helpers::assert_ledger_check_clean(db).await;
}

fn find<'a>(entitlements: &'a [UsableEntitlement], product: &str) -> &'a UsableEntitlement {
    entitlements
        .iter()
        .find(|e| e.product_name == product)
        .unwrap_or_else(|| panic!("{product} entitlement"))
}

#[tokio::test]
async fn the_demo_history_gives_contoso_a_control_room_with_bound_licenses() {
    let p = Portal::demo().await;
    let (contoso, partner) = contoso(&p).await;
    let view = p
        .services()
        .cloud_licenses(&partner, contoso)
        .await
        .expect("view");
    assert!(view.may_change);
    assert_eq!(view.licenses.len(), 1, "one Control Room");
    let bound: Vec<(String, i64)> = view.licenses[0]
        .bindings
        .iter()
        .map(|b| (b.product_name.clone(), b.quantity))
        .collect();
    assert_eq!(
        bound,
        [
            ("Bot Creator".to_string(), 2),
            ("Unattended Bot Runner".to_string(), 3)
        ]
    );
    let guid = &view.licenses[0].control_room.license_guid;
    assert_eq!(uuid_shape(guid), Some(()), "{guid}");
    assert_eq!(find(&view.entitlements, "Bot Creator").free(), 1);
    assert_eq!(find(&view.entitlements, "IQ Bot pages").free(), 10_000);

    let services = p
        .services()
        .cloud_services(&partner, contoso, ListRows::FIRST)
        .await
        .expect("services");
    let products: Vec<&str> = services
        .instances
        .iter()
        .map(|i| i.product_name.as_str())
        .collect();
    assert_eq!(products, ["Control Room", "IQ Bot server"]);
    assert_ledger_invariant(p.db()).await;
    assert_usage_invariant(p.db()).await;
}

fn uuid_shape(guid: &str) -> Option<()> {
    let parts: Vec<&str> = guid.split('-').collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    (lengths == [8, 4, 4, 4, 12] && guid.chars().all(|c| c == '-' || c.is_ascii_hexdigit())).then_some(())
}

#[tokio::test]
async fn concurrent_binds_never_bind_more_than_is_held_and_unbinding_gives_it_back() {
    let p = Portal::demo().await;
    let (contoso, partner) = contoso(&p).await;
    let view = p
        .services()
        .cloud_licenses(&partner, contoso)
        .await
        .expect("view");
    let control_room = view.licenses[0].control_room.id;
    let pages = find(&view.entitlements, "IQ Bot pages").clone();
    let runners = find(&view.entitlements, "Unattended Bot Runner").clone();
    assert_eq!(runners.free(), 2);

    // 24 binds of 1 runner each at once, against 2 free: exactly 2 succeed.
    let attempts = (0..24).map(|_| {
        let (p, partner) = (&p, partner.clone());
        async move {
            p.services()
                .bind(&partner, contoso, control_room, runners.id, "1")
                .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 2);
    for lost in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(
            lost,
            &LicensingError::InvalidBinding {
                problem: BindingError::MoreThanFree { free: 0 }
            }
        );
    }
    assert_usage_invariant(p.db()).await;

    p.services()
        .bind(&partner, contoso, control_room, pages.id, "2500")
        .await
        .expect("bind pages");
    let after = p
        .services()
        .cloud_licenses(&partner, contoso)
        .await
        .expect("view");
    assert_eq!(find(&after.entitlements, "Unattended Bot Runner").in_use, 5);
    assert_eq!(find(&after.entitlements, "IQ Bot pages").free(), 7_500);

    // The Entitlements view's total and the tab agree: one ledger.
    p.services()
        .unbind(&partner, contoso, control_room, runners.id)
        .await
        .expect("unbind");
    let after = p
        .services()
        .cloud_licenses(&partner, contoso)
        .await
        .expect("view");
    assert_eq!(find(&after.entitlements, "Unattended Bot Runner").in_use, 0);
    assert!(after.licenses[0]
        .bindings
        .iter()
        .all(|b| b.product_name != "Unattended Bot Runner"));
    assert_eq!(
        p.services()
            .unbind(&partner, contoso, control_room, runners.id)
            .await,
        Err(LicensingError::InvalidBinding {
            problem: BindingError::NotBound
        })
    );
    assert_usage_invariant(p.db()).await;
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn only_the_managing_partner_binds_and_only_cloud_entitlements_to_its_own_control_rooms() {
    let p = Portal::demo().await;
    let (contoso, partner) = contoso(&p).await;
    let view = p
        .services()
        .cloud_licenses(&partner, contoso)
        .await
        .expect("view");
    let control_room = view.licenses[0].control_room.id;
    let pages = find(&view.entitlements, "IQ Bot pages").id;
    let before = count_rows(p.db(), "usage_entries").await;

    for email in [
        "customer@example.com",
        "accounting@example.com",
        "other-partner@example.com",
    ] {
        let someone = user(p.db(), email).await;
        assert_eq!(
            p.services()
                .bind(&someone, contoso, control_room, pages, "1")
                .await,
            Err(LicensingError::Forbidden),
            "{email}"
        );
    }
    // A customer user and accounting may look, without changing.
    let customer = user(p.db(), "customer@example.com").await;
    let seen = p
        .services()
        .cloud_licenses(&customer, contoso)
        .await
        .expect("own account");
    assert!(!seen.may_change);
    let tailspin_customer = account_id(p.db(), "Wingtip Toys").await;
    assert_eq!(
        p.services().cloud_licenses(&customer, tailspin_customer).await,
        Err(LicensingError::Forbidden)
    );

    let files = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    let attended = find(&files.entitlements, "Attended Bot Runner").id;
    assert_eq!(
        p.services()
            .bind(&partner, contoso, control_room, attended, "1")
            .await,
        Err(LicensingError::InvalidBinding {
            problem: BindingError::NotCloud
        })
    );
    let fabrikam = account_id(p.db(), "Fabrikam Logistics").await;
    assert_eq!(
        p.services()
            .bind(&partner, fabrikam, control_room, pages, "1")
            .await,
        Err(LicensingError::NotFound),
        "another account's Control Room"
    );
    for bad in ["0", "-1", "x", ""] {
        assert!(matches!(
            p.services()
                .bind(&partner, contoso, control_room, pages, bad)
                .await,
            Err(LicensingError::InvalidBinding {
                problem: BindingError::Quantity(_)
            })
        ));
    }
    assert_eq!(
        count_rows(p.db(), "usage_entries").await,
        before,
        "nothing written"
    );
}

fn file_form(host: &str, quantities: Vec<(app::domain::EntitlementId, &str)>) -> LicenseFileForm {
    LicenseFileForm {
        host_name: host.into(),
        host_id: "00:1A:2B:3C:4D:5E".into(),
        quantities: quantities.into_iter().map(|(e, q)| (e, q.to_string())).collect(),
    }
}

#[tokio::test]
async fn a_license_file_is_leased_signed_and_verifiable_and_an_ended_one_holds_its_quantities_until_its_lease_ends(
) {
    let p = Portal::demo().await;
    let (contoso, partner) = contoso(&p).await;
    let files = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    assert!(files.files.is_empty());
    let attended = find(&files.entitlements, "Attended Bot Runner").clone();
    assert_eq!(attended.license_model, LicenseModel::File);
    assert_eq!(attended.free(), 10);

    let first = p
        .services()
        .configure_license_file(
            &partner,
            contoso,
            &file_form("CR01.contoso.local", vec![(attended.id, "6")]),
            None,
        )
        .await
        .expect("issued");
    let download = p
        .services()
        .license_file_download(&partner, first)
        .await
        .expect("download");
    // Vendor staff read the tab but take no file that licenses an installation.
    let accounting = user(p.db(), "accounting@example.com").await;
    assert_eq!(
        p.services()
            .license_file_download(&accounting, first)
            .await
            .map(|_| ()),
        Err(LicensingError::Forbidden)
    );
    let seen = p
        .services()
        .file_licenses(&accounting, contoso, ListRows::FIRST)
        .await
        .expect("accounting reads the tab");
    assert!(!seen.may_download && !seen.may_change);
    let key = p.settings.license_signing_key.verifying_key();
    let document = verify(&download.signed_text, &key, p.clock().now()).expect("a valid file");
    assert_eq!(document.account, "Contoso Pharma");
    assert_eq!(document.host_name, "cr01.contoso.local");
    assert_eq!(document.products.len(), 1);
    assert_eq!(
        (document.products[0].quantity, document.products[0].term_months),
        (6, 12)
    );
    let lease = p.settings.license_lease.whole_seconds();
    assert!(attended.ends_at > p.clock().now() + lease);
    assert!(
        (p.clock().now() + lease - 5..=p.clock().now() + lease).contains(&document.not_after),
        "valid offline for the lease only, not its entitlement's whole term: {}",
        document.not_after
    );
    assert!(
        download.file_name.ends_with("-cr01.contoso.local.lic"),
        "{}",
        download.file_name
    );

    // The same installation cannot have a second current file.
    let again = p
        .services()
        .configure_license_file(
            &partner,
            contoso,
            &file_form("cr01.contoso.local", vec![(attended.id, "1")]),
            None,
        )
        .await;
    assert_eq!(
        again,
        Err(LicensingError::InvalidFile {
            problems: vec![app::domain::LicenseFileProblem {
                field: LicenseFileField::HostId,
                error: LicenseFileFieldError::HostHasFile
            }]
        })
    );
    // Only 4 free now: 5 is refused, next to its field, and nothing is written.
    let rows = count_rows(p.db(), "license_files").await;
    let over = p
        .services()
        .configure_license_file(
            &partner,
            contoso,
            &file_form("cr02.contoso.local", vec![(attended.id, "5")]),
            None,
        )
        .await;
    assert_eq!(
        over,
        Err(LicensingError::InvalidFile {
            problems: vec![app::domain::LicenseFileProblem {
                field: LicenseFileField::Quantity(attended.id),
                error: LicenseFileFieldError::MoreThanFree { free: 4 }
            }]
        })
    );
    assert_eq!(count_rows(p.db(), "license_files").await, rows);

    // A new version: copies of the old file stay valid offline until their
    // lease ends, so its 6 stay in use; 10 is refused (4 free) and the old
    // file is left as it was.
    let more = p
        .services()
        .configure_license_file(
            &partner,
            contoso,
            &file_form("ignored", vec![(attended.id, "10")]),
            Some(first),
        )
        .await;
    assert_eq!(
        more,
        Err(LicensingError::InvalidFile {
            problems: vec![app::domain::LicenseFileProblem {
                field: LicenseFileField::Quantity(attended.id),
                error: LicenseFileFieldError::MoreThanFree { free: 4 }
            }]
        })
    );
    assert!(p.services().license_file_download(&partner, first).await.is_ok());
    let second = p
        .services()
        .configure_license_file(
            &partner,
            contoso,
            &file_form("ignored", vec![(attended.id, "4")]),
            Some(first),
        )
        .await;
    // A new version stays with its installation, whatever the form says.
    let second = second.expect("reconfigured");
    let text = p
        .services()
        .license_file_download(&partner, second)
        .await
        .expect("download")
        .signed_text;
    assert_eq!(
        verify(&text, &key, p.clock().now()).expect("valid").host_name,
        "cr01.contoso.local"
    );
    let files = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    let states: Vec<(i64, LicenseFileState)> = files.files.iter().map(|f| (f.id.0, f.state)).collect();
    assert_eq!(
        states,
        [
            (second.0, LicenseFileState::Active),
            (first.0, LicenseFileState::Replaced)
        ]
    );
    let replaced = &files.files[1];
    assert_eq!(replaced.quantities_return_at(), Some(replaced.not_after));
    assert_eq!(files.files[0].quantities_return_at(), None);
    assert_eq!(find(&files.entitlements, "Attended Bot Runner").in_use, 10);
    assert_usage_invariant(p.db()).await;
    // The replaced file is gone: not downloaded, not replaced again.
    assert_eq!(
        p.services().license_file_download(&partner, first).await,
        Err(LicensingError::FileEnded)
    );
    assert_eq!(
        p.services()
            .configure_license_file(
                &partner,
                contoso,
                &file_form("cr01", vec![(attended.id, "1")]),
                Some(first)
            )
            .await,
        Err(LicensingError::FileEnded)
    );

    // Renewal: the same file signed again with a fresh lease, nothing more taken.
    let usage_rows = count_rows(p.db(), "usage_entries").await;
    // A minute before its lease ends.
    p.clock().advance(p.settings.license_lease.whole_seconds() - 60);
    p.services()
        .renew_license_file(&partner, contoso, second)
        .await
        .expect("renewed");
    let renewed = p
        .services()
        .license_file_download(&partner, second)
        .await
        .expect("download")
        .signed_text;
    let renewed = verify(&renewed, &key, p.clock().now()).expect("valid");
    assert!(
        renewed.not_after >= p.clock().now() + lease - 5,
        "{}",
        renewed.not_after
    );
    assert_eq!(
        (renewed.license, renewed.products.len()),
        (license_reference(second), 1)
    );
    assert_eq!(renewed.products[0].quantity, 4);
    assert_eq!(count_rows(p.db(), "usage_entries").await, usage_rows);
    assert_eq!(
        p.services().renew_license_file(&partner, contoso, first).await,
        Err(LicensingError::FileEnded),
        "an ended file is not renewed"
    );

    // The customer user downloads its own files; another partner cannot.
    let customer = user(p.db(), "customer@example.com").await;
    assert!(p
        .services()
        .license_file_download(&customer, second)
        .await
        .is_ok());
    let other = user(p.db(), "other-partner@example.com").await;
    assert_eq!(
        p.services().license_file_download(&other, second).await,
        Err(LicensingError::NotFound)
    );
    assert_eq!(
        p.services().renew_license_file(&other, contoso, second).await,
        Err(LicensingError::Forbidden)
    );

    // Issue, download, revoke, issue again: a revoked file holds its
    // quantities until its lease ends, so the loop cannot multiply them.
    p.services()
        .revoke_license_file(&partner, contoso, second)
        .await
        .expect("revoked");
    let files = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    assert_eq!(find(&files.entitlements, "Attended Bot Runner").in_use, 10);
    assert_eq!(files.files[0].state, LicenseFileState::Revoked);
    assert_eq!(
        p.services()
            .configure_license_file(
                &partner,
                contoso,
                &file_form("cr01.contoso.local", vec![(attended.id, "1")]),
                None
            )
            .await,
        Err(LicensingError::InvalidFile {
            problems: vec![app::domain::LicenseFileProblem {
                field: LicenseFileField::Quantity(attended.id),
                error: LicenseFileFieldError::MoreThanFree { free: 0 }
            }]
        })
    );
    assert_eq!(
        p.services().revoke_license_file(&partner, contoso, second).await,
        Err(LicensingError::FileEnded),
        "revoked once"
    );
    assert_eq!(
        p.services().license_file_download(&customer, second).await,
        Err(LicensingError::FileEnded)
    );

    // When their leases end, the sweep gives the quantities back, once.
    assert_eq!(
        p.services().release_lapsed_license_files(p.clock().now()).await,
        Ok(0)
    );
    let after_leases = p.clock().now() + lease + 1;
    assert_eq!(
        p.services().release_lapsed_license_files(after_leases).await,
        Ok(2)
    );
    assert_eq!(
        p.services().release_lapsed_license_files(after_leases).await,
        Ok(0)
    );
    let files = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    assert_eq!(find(&files.entitlements, "Attended Bot Runner").in_use, 0);
    assert!(files.files.iter().all(|f| f.quantities_return_at().is_none()));
    assert_usage_invariant(p.db()).await;
}
