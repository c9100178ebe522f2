//! The model-based concurrency test (issue 14): a seeded generator of
//! random operations — Save (and clone), approve, reject, accept, cancel,
//! expire, bind, unbind, configure and revoke license files, provision — by
//! every kind of user, run in concurrent batches against the real services
//! (on PostgreSQL over two pools, as two server processes would), each
//! answer checked against a small in-memory model of what the operation must
//! do: allowed, or refused and why. After every batch the database must
//! agree with the model: each request's state, its history and the emails
//! it queued (exactly one per step that sends one), each order line's
//! reserved and drawn, each entitlement's use, each license file and
//! instance; the raw ledger invariant holds, and every few batches
//! `server ledger check` is clean.
//!
//! A batch never puts two operations on one resource (a request, an order
//! line, an entitlement, a host, an instance), so each answer is what the
//! model says from the state before the batch; the one race it allows is a
//! Save that fits only if a release in the same batch commits first, which
//! may go either way.
//!
//! `PORTAL_MODEL_OPS` operations (2,000 in the test command; the long run is
//! `PORTAL_MODEL_OPS=10000 cargo test -p server --features app/ssr --test
//! integration model -- --nocapture`), `PORTAL_MODEL_SEED` to replay a seed.
//! A failure prints the seed and the shortest operation list found to
//! reproduce it (each shorter list is run on a fresh database).

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use app::domain::{AccountId, BindingError};
use app::domain::{
    CurrentUser, DrawdownFieldError, DrawdownForm, DrawdownId, DrawdownState, EntitlementId,
    LicenseFileFieldError, LicenseFileForm, LicenseFileId, OrderId, OrderLineId, ProvisioningError,
    ServiceInstanceId, Transition, TransitionError,
};
use app::repo::Db;
use app::services::{DrawdownError, LicensingError, Services};
use futures::FutureExt;
use sqlx::Row;

use crate::balances::ledger_check;
use crate::helpers::{account_id, assert_ledger_invariant, user, Portal};

const EMAILS: [&str; 4] = [
    "partner@example.com",
    "other-partner@example.com",
    "accounting@example.com",
    "customer@example.com",
];
const CUSTOMERS: [&str; 4] = [
    "Contoso Pharma",
    "Fabrikam Logistics",
    "Adventure Works",
    "Litware",
];
const HOSTS: usize = 4;
/// Picks of requests and files below this name a recent one (`resolve`).
const RECENT_PICKS: usize = 1 << 15;
const BATCH: usize = 8;
/// An approval expires after an hour here; a tick moves the clock past it.
const LIFETIME: i64 = 3_600;
const TICK: i64 = LIFETIME + 60;
/// A license file's lease: an ended one gives its quantities back on the
/// second tick after it was signed.
const LEASE: i64 = 5_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Partner,
    OtherPartner,
    Accounting,
    Customer,
}

const EVERYONE: [Who; 4] = [Who::Partner, Who::OtherPartner, Who::Accounting, Who::Customer];

/// One operation. Targets are picks, resolved against what exists when the
/// operation runs (modulo how many there are), so any sub-list of a
/// generated list is a valid list: what shrinking needs.
#[derive(Debug, Clone)]
enum Op {
    Save {
        who: Who,
        line: usize,
        quantity: i64,
        customer: usize,
        clone_of: Option<usize>,
    },
    Change {
        who: Who,
        request: usize,
        transition: Transition,
    },
    /// The clock moves past the approval lifetime; the minute's sweeps run.
    Tick,
    Bind {
        who: Who,
        entitlement: usize,
        quantity: i64,
    },
    Unbind {
        who: Who,
        entitlement: usize,
    },
    Configure {
        who: Who,
        host: usize,
        quantity: i64,
    },
    Revoke {
        who: Who,
        file: usize,
    },
    Provision {
        who: Who,
        instance: usize,
    },
}

/// What an operation answered, as the model names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Done,
    Forbidden,
    NotFound,
    AboveAvailable,
    InvalidForm,
    NotPermitted,
    NotAllowedFrom,
    MoreThanFree,
    NotBound,
    HostHasFile,
    FileEnded,
    NotReady,
    /// Nothing to act on yet (no request, no file): not run.
    Skipped,
    Unexpected(String),
}

/// SplitMix64: small, seeded, the same list from the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Mostly the user whose step it is, sometimes anyone.
fn pick_who(rng: &mut Rng, usual: Who) -> Who {
    if rng.chance(75) {
        usual
    } else {
        EVERYONE[rng.below(4)]
    }
}

fn generate(seed: u64, count: usize) -> Vec<Op> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| match rng.below(100) {
            0..=29 => {
                let who = if rng.chance(80) {
                    Who::Partner
                } else {
                    Who::OtherPartner
                };
                Op::Save {
                    who: pick_who(&mut rng, who),
                    line: rng.below(64),
                    quantity: if rng.chance(10) {
                        1 + rng.below(60) as i64
                    } else {
                        1 + rng.below(3) as i64
                    },
                    customer: rng.below(CUSTOMERS.len()),
                    clone_of: rng.chance(20).then(|| rng.below(RECENT_PICKS * 2)),
                }
            }
            30..=65 => {
                let transition = [
                    Transition::Approve,
                    Transition::Approve,
                    Transition::Reject,
                    Transition::Accept,
                    Transition::Accept,
                    Transition::Cancel,
                    Transition::Expire,
                ][rng.below(7)];
                let usual = match transition {
                    Transition::Approve | Transition::Reject => Who::Accounting,
                    _ => Who::Partner,
                };
                Op::Change {
                    who: pick_who(&mut rng, usual),
                    request: rng.below(RECENT_PICKS * 10 / 7),
                    transition,
                }
            }
            66 => Op::Tick,
            67..=74 => Op::Bind {
                who: pick_who(&mut rng, Who::Partner),
                entitlement: rng.below(64),
                quantity: 1 + rng.below(4) as i64,
            },
            75..=80 => Op::Unbind {
                who: pick_who(&mut rng, Who::Partner),
                entitlement: rng.below(64),
            },
            81..=88 => Op::Configure {
                who: pick_who(&mut rng, Who::Partner),
                host: rng.below(HOSTS),
                quantity: 1 + rng.below(4) as i64,
            },
            89..=95 => Op::Revoke {
                who: pick_who(&mut rng, Who::Partner),
                file: rng.below(RECENT_PICKS * 10 / 7),
            },
            _ => Op::Provision {
                who: pick_who(&mut rng, Who::Partner),
                instance: rng.below(64),
            },
        })
        .collect()
}

#[derive(Debug, Clone)]
struct LineM {
    id: OrderLineId,
    order: OrderId,
    partner: AccountId,
    quantity: i64,
    reserved: i64,
    drawn: i64,
}

impl LineM {
    fn available(&self) -> i64 {
        self.quantity - self.reserved - self.drawn
    }
}

#[derive(Debug, Clone)]
struct RequestM {
    id: DrawdownId,
    partner: AccountId,
    lines: Vec<(usize, i64)>,
    state: DrawdownState,
    history: i64,
    emails: i64,
}

#[derive(Debug, Clone)]
struct EntitlementM {
    id: EntitlementId,
    quantity: i64,
    in_use: i64,
    bound: i64,
}

#[derive(Debug, Clone)]
struct FileM {
    id: LicenseFileId,
    host: Option<usize>,
    quantity: i64,
    active: bool,
    not_after: i64,
    released: bool,
}

/// What the portal must hold, by the model.
#[derive(Debug, Clone)]
struct Model {
    northwind: AccountId,
    contoso: AccountId,
    control_room: ServiceInstanceId,
    lines: Vec<LineM>,
    requests: Vec<RequestM>,
    cloud: Vec<EntitlementM>,
    file_entitlement: EntitlementM,
    files: Vec<FileM>,
    instances: Vec<(ServiceInstanceId, String)>,
}

impl Model {
    fn partner_of(&self, who: Who, tailspin: AccountId) -> Option<AccountId> {
        match who {
            Who::Partner => Some(self.northwind),
            Who::OtherPartner => Some(tailspin),
            _ => None,
        }
    }
}

/// The model's reading of an operation before it runs: what it touches
/// (for batching) and the answers it may give.
struct Plan {
    keys: Vec<String>,
    allowed: Vec<Outcome>,
}

struct World<'a> {
    p: &'a Portal,
    second: Option<Db>,
    users: Vec<CurrentUser>,
    tailspin: AccountId,
}

impl World<'_> {
    fn user(&self, who: Who) -> &CurrentUser {
        &self.users[EVERYONE.iter().position(|w| *w == who).expect("a user")]
    }

    /// The services of one of the two pools: requests come through both.
    fn services(&self, n: usize) -> Services<'_> {
        match &self.second {
            Some(db) if n % 2 == 1 => self.p.services_on(db),
            _ => self.p.services(),
        }
    }
}

fn drawdown_outcome<T>(result: &Result<T, DrawdownError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Done,
        Err(DrawdownError::Forbidden) => Outcome::Forbidden,
        Err(DrawdownError::Invalid { problems })
            if problems
                .iter()
                .any(|p| matches!(p.error, DrawdownFieldError::AboveAvailable { .. })) =>
        {
            Outcome::AboveAvailable
        }
        Err(DrawdownError::Invalid { .. }) => Outcome::InvalidForm,
        Err(DrawdownError::Refused {
            refusal: TransitionError::NotPermitted { .. },
        }) => Outcome::NotPermitted,
        Err(DrawdownError::Refused {
            refusal: TransitionError::NotAllowedFrom { .. },
        }) => Outcome::NotAllowedFrom,
        Err(other) => Outcome::Unexpected(format!("{other:?}")),
    }
}

fn licensing_outcome<T>(result: &Result<T, LicensingError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Done,
        Err(LicensingError::Forbidden) => Outcome::Forbidden,
        Err(LicensingError::NotFound) => Outcome::NotFound,
        Err(LicensingError::FileEnded) => Outcome::FileEnded,
        Err(LicensingError::InvalidBinding {
            problem: BindingError::MoreThanFree { .. },
        }) => Outcome::MoreThanFree,
        Err(LicensingError::InvalidBinding {
            problem: BindingError::NotBound,
        }) => Outcome::NotBound,
        Err(LicensingError::InvalidFile { problems })
            if problems
                .iter()
                .any(|p| matches!(p.error, LicenseFileFieldError::MoreThanFree { .. })) =>
        {
            Outcome::MoreThanFree
        }
        Err(LicensingError::InvalidFile { problems })
            if problems
                .iter()
                .any(|p| matches!(p.error, LicenseFileFieldError::HostHasFile)) =>
        {
            Outcome::HostHasFile
        }
        Err(LicensingError::InvalidProvisioning {
            problem: ProvisioningError::NotReady(_),
        }) => Outcome::NotReady,
        Err(other) => Outcome::Unexpected(format!("{other:?}")),
    }
}

/// The model's own table of the procedure (not the domain's function, which
/// is what it checks): who takes each step, and from where.
fn step_rule(transition: Transition) -> (Option<Who>, &'static [DrawdownState]) {
    use DrawdownState::*;
    match transition {
        Transition::Approve | Transition::Reject => (Some(Who::Accounting), &[Submitted]),
        Transition::Accept => (None, &[Approved]),
        Transition::Cancel => (None, &[Submitted, Approved]),
        // Only the portal itself expires a request.
        Transition::Expire => (Some(Who::Customer), &[Approved]),
    }
}

/// The emails a step queues: Save tells accounting; approve, reject and
/// expire tell the partner; accept tells the customer's contact and the
/// partner; a partner's own cancel tells nobody.
fn emails_of(transition: Transition) -> i64 {
    match transition {
        Transition::Accept => 2,
        Transition::Cancel => 0,
        _ => 1,
    }
}

/// A licensing step: only the customer's managing partner may take it;
/// then the first refusal whose condition holds, else done.
fn partner_only(who: Who, refusals: &[(bool, Outcome)]) -> Outcome {
    if who != Who::Partner {
        return Outcome::Forbidden;
    }
    refusals
        .iter()
        .find(|(holds, _)| *holds)
        .map_or(Outcome::Done, |(_, refusal)| refusal.clone())
}

fn plan(m: &Model, op: &Op, tailspin: AccountId, batch_releases: &BTreeMap<usize, i64>) -> Plan {
    let one = |o| vec![o];
    match op {
        Op::Save {
            who,
            line,
            quantity,
            clone_of,
            ..
        } => {
            let l = line % m.lines.len();
            let keys = vec![format!("line {l}")];
            let line = &m.lines[l];
            // The form is checked against the order first, then the source
            // of a clone.
            let allowed = match m.partner_of(*who, tailspin) {
                None => one(Outcome::Forbidden),
                Some(p) if p != line.partner => one(Outcome::InvalidForm),
                Some(p) => {
                    let foreign_source = clone_of
                        .filter(|_| !m.requests.is_empty())
                        .is_some_and(|c| m.requests[c % m.requests.len()].partner != p);
                    let passed = if foreign_source {
                        Outcome::Forbidden
                    } else {
                        Outcome::Done
                    };
                    let may_release = batch_releases.get(&l).copied().unwrap_or(0);
                    if *quantity <= line.available() {
                        one(passed)
                    } else if *quantity <= line.available() + may_release {
                        vec![passed, Outcome::AboveAvailable]
                    } else {
                        one(Outcome::AboveAvailable)
                    }
                }
            };
            Plan { keys, allowed }
        }
        Op::Change {
            who,
            request,
            transition,
        } => {
            if m.requests.is_empty() {
                return Plan {
                    keys: vec![],
                    allowed: one(Outcome::Skipped),
                };
            }
            let r = request % m.requests.len();
            let req = &m.requests[r];
            let sees = match who {
                Who::Accounting => true,
                Who::Customer => false,
                partner => m.partner_of(*partner, tailspin) == Some(req.partner),
            };
            let role = if *who == Who::Accounting {
                Some(Who::Accounting)
            } else {
                None
            };
            let (takes, from) = step_rule(*transition);
            let allowed = if !sees {
                Outcome::Forbidden
            } else if takes != role {
                Outcome::NotPermitted
            } else if !from.contains(&req.state) {
                Outcome::NotAllowedFrom
            } else {
                Outcome::Done
            };
            Plan {
                keys: vec![format!("request {r}")],
                allowed: one(allowed),
            }
        }
        Op::Tick => Plan {
            keys: vec!["everything".into()],
            allowed: one(Outcome::Done),
        },
        Op::Bind {
            who,
            entitlement,
            quantity,
        } => {
            let e = &m.cloud[entitlement % m.cloud.len()];
            Plan {
                keys: vec![format!("entitlement {}", e.id.0)],
                allowed: one(partner_only(
                    *who,
                    &[(*quantity > e.quantity - e.in_use, Outcome::MoreThanFree)],
                )),
            }
        }
        Op::Unbind { who, entitlement } => {
            let e = &m.cloud[entitlement % m.cloud.len()];
            Plan {
                keys: vec![format!("entitlement {}", e.id.0)],
                allowed: one(partner_only(*who, &[(e.bound == 0, Outcome::NotBound)])),
            }
        }
        Op::Configure { who, host, quantity } => {
            let e = &m.file_entitlement;
            let allowed = partner_only(
                *who,
                &[
                    (*quantity > e.quantity - e.in_use, Outcome::MoreThanFree),
                    (
                        m.files.iter().any(|f| f.active && f.host == Some(*host)),
                        Outcome::HostHasFile,
                    ),
                ],
            );
            Plan {
                keys: vec!["file entitlement".into(), format!("host {host}")],
                allowed: one(allowed),
            }
        }
        Op::Revoke { who, file } => {
            if m.files.is_empty() {
                return Plan {
                    keys: vec![],
                    allowed: one(Outcome::Skipped),
                };
            }
            let f = &m.files[file % m.files.len()];
            let allowed = partner_only(*who, &[(!f.active, Outcome::FileEnded)]);
            let host = f
                .host
                .map_or_else(|| format!("file {}", f.id.0), |h| format!("host {h}"));
            Plan {
                keys: vec![host],
                allowed: one(allowed),
            }
        }
        Op::Provision { who, instance } => {
            let (id, state) = &m.instances[instance % m.instances.len()];
            let allowed = partner_only(*who, &[(state != "ready", Outcome::NotReady)]);
            Plan {
                keys: vec![format!("instance {}", id.0)],
                allowed: one(allowed),
            }
        }
    }
}

/// What an operation did: its answer and, for one that creates, the id.
struct Ran {
    outcome: Outcome,
    created: Option<i64>,
}

async fn run_op(w: &World<'_>, m: &Model, op: &Op, n: usize, serial: usize) -> Ran {
    let s = w.services(n);
    let done = |outcome, created| Ran { outcome, created };
    match op {
        Op::Save {
            who,
            line,
            quantity,
            customer,
            clone_of,
        } => {
            let line = &m.lines[line % m.lines.len()];
            let customer = CUSTOMERS[*customer];
            let form = DrawdownForm {
                customer_account: customer.into(),
                customer_website: format!("https://{}.example", customer.to_lowercase().replace(' ', "-")),
                customer_name: "Jordan Lee".into(),
                customer_email: "jordan@customer.example".into(),
                quantities: vec![(line.id, quantity.to_string())],
            };
            let source = clone_of
                .filter(|_| !m.requests.is_empty())
                .map(|c| m.requests[c % m.requests.len()].id);
            let result = s.save(w.user(*who), Some(line.order), &form, source).await;
            let created = result.as_ref().ok().map(|saved| saved.id.0);
            done(drawdown_outcome(&result), created)
        }
        Op::Change {
            who,
            request,
            transition,
        } => {
            if m.requests.is_empty() {
                return done(Outcome::Skipped, None);
            }
            let id = m.requests[request % m.requests.len()].id;
            let result = s
                .change(w.user(*who), id, *transition, Some("checked by the model"))
                .await;
            done(drawdown_outcome(&result), None)
        }
        Op::Tick => {
            // Run apart from every other operation: see `batches`.
            w.p.clock().advance(TICK);
            let expired = s.expire_due().await;
            let released = s.release_lapsed_license_files(w.p.clock().now()).await;
            match (expired, released) {
                (Ok(e), Ok(r)) => done(Outcome::Done, Some((e as i64) << 32 | r as i64)),
                (e, r) => done(Outcome::Unexpected(format!("{e:?} {r:?}")), None),
            }
        }
        Op::Bind {
            who,
            entitlement,
            quantity,
        } => {
            let e = &m.cloud[entitlement % m.cloud.len()];
            let result = s
                .bind(
                    w.user(*who),
                    m.contoso,
                    m.control_room,
                    e.id,
                    &quantity.to_string(),
                )
                .await;
            done(licensing_outcome(&result), None)
        }
        Op::Unbind { who, entitlement } => {
            let e = &m.cloud[entitlement % m.cloud.len()];
            let result = s.unbind(w.user(*who), m.contoso, m.control_room, e.id).await;
            done(licensing_outcome(&result), None)
        }
        Op::Configure { who, host, quantity } => {
            let form = LicenseFileForm {
                host_name: format!("model{host}.contoso.local"),
                host_id: format!("MODEL-HOST-{host}"),
                quantities: vec![(m.file_entitlement.id, quantity.to_string())],
            };
            let result = s
                .configure_license_file(w.user(*who), m.contoso, &form, None)
                .await;
            let created = result.as_ref().ok().map(|id| id.0);
            done(licensing_outcome(&result), created)
        }
        Op::Revoke { who, file } => {
            if m.files.is_empty() {
                return done(Outcome::Skipped, None);
            }
            let f = &m.files[file % m.files.len()];
            let result = s.revoke_license_file(w.user(*who), m.contoso, f.id).await;
            done(licensing_outcome(&result), None)
        }
        Op::Provision { who, instance } => {
            let (id, _) = m.instances[instance % m.instances.len()];
            let tenant = format!("model-{serial}");
            let result = s.provision(w.user(*who), m.contoso, id, "us-east", &tenant).await;
            done(licensing_outcome(&result), None)
        }
    }
}

/// Applies what an operation did to the model.
fn apply(m: &mut Model, op: &Op, ran: &Ran, now: i64) -> Result<(), String> {
    if ran.outcome != Outcome::Done {
        return Ok(());
    }
    match op {
        Op::Save {
            who, line, quantity, ..
        } => {
            let l = line % m.lines.len();
            m.lines[l].reserved += quantity;
            let partner = m.lines[l].partner;
            let _ = who;
            m.requests.push(RequestM {
                id: DrawdownId(ran.created.ok_or("a saved request without an id")?),
                partner,
                lines: vec![(l, *quantity)],
                state: DrawdownState::Submitted,
                history: 1,
                emails: 1,
            });
        }
        Op::Change {
            request, transition, ..
        } => {
            let r = request % m.requests.len();
            change_request(m, r, *transition);
        }
        Op::Tick => {
            let counts = ran.created.unwrap_or(0);
            let (expired, released) = (counts >> 32, counts & 0xffff_ffff);
            let approved: Vec<usize> = (0..m.requests.len())
                .filter(|r| m.requests[*r].state == DrawdownState::Approved)
                .collect();
            if expired != approved.len() as i64 {
                return Err(format!(
                    "a tick expired {expired} requests, {} were approved",
                    approved.len()
                ));
            }
            for r in approved {
                change_request(m, r, Transition::Expire);
            }
            let mut lapsed = 0;
            for f in m
                .files
                .iter_mut()
                .filter(|f| !f.active && !f.released && f.not_after <= now)
            {
                f.released = true;
                m.file_entitlement.in_use -= f.quantity;
                lapsed += 1;
            }
            if released != lapsed {
                return Err(format!(
                    "a tick released {released} license files, {lapsed} had lapsed"
                ));
            }
        }
        Op::Bind {
            entitlement,
            quantity,
            ..
        } => {
            let n = m.cloud.len();
            let e = &mut m.cloud[entitlement % n];
            e.in_use += quantity;
            e.bound += quantity;
        }
        Op::Unbind { entitlement, .. } => {
            let n = m.cloud.len();
            let e = &mut m.cloud[entitlement % n];
            e.in_use -= e.bound;
            e.bound = 0;
        }
        Op::Configure { host, quantity, .. } => {
            m.file_entitlement.in_use += quantity;
            m.files.push(FileM {
                id: LicenseFileId(ran.created.ok_or("a file without an id")?),
                host: Some(*host),
                quantity: *quantity,
                active: true,
                not_after: now + LEASE,
                released: false,
            });
        }
        Op::Revoke { file, .. } => {
            let n = m.files.len();
            m.files[file % n].active = false;
        }
        Op::Provision { instance, .. } => {
            let n = m.instances.len();
            m.instances[instance % n].1 = "provisioning".into();
        }
    }
    Ok(())
}

fn change_request(m: &mut Model, r: usize, transition: Transition) {
    let to = transition.target();
    let lines = m.requests[r].lines.clone();
    for (l, q) in lines {
        match transition {
            Transition::Reject | Transition::Cancel | Transition::Expire => m.lines[l].reserved -= q,
            Transition::Accept => {
                m.lines[l].reserved -= q;
                m.lines[l].drawn += q;
            }
            Transition::Approve => {}
        }
    }
    let req = &mut m.requests[r];
    req.state = to;
    req.history += 1;
    req.emails += emails_of(transition);
}

/// Consecutive operations with no resource in common, at most `BATCH`; a
/// tick alone.
fn batches(m: &Model, ops: &[Op], tailspin: AccountId) -> usize {
    let mut keys: Vec<String> = Vec::new();
    let mut n = 0;
    for op in ops.iter().take(BATCH) {
        let planned = plan(m, &resolve(m, op), tailspin, &BTreeMap::new());
        let tick = matches!(op, Op::Tick);
        if (tick && n > 0)
            || planned
                .keys
                .iter()
                .any(|k| keys.contains(k) || k == "everything" && n > 0)
        {
            break;
        }
        keys.extend(planned.keys);
        n += 1;
        if tick {
            break;
        }
    }
    n.max(1)
}

/// The operation with its picks turned into indices of what exists now.
/// The lists only grow, so an index stays what it names while a batch's
/// results are applied.
fn resolve(m: &Model, op: &Op) -> Op {
    let within = |pick: usize, len: usize| if len == 0 { pick } else { pick % len };
    // Most steps are on what was just made, as people work: a pick below
    // `RECENT_PICKS` names one of the last eight.
    let recent = |pick: usize, len: usize| match len {
        0 => pick,
        _ if pick < RECENT_PICKS => len - 1 - pick % len.min(8),
        _ => pick % len,
    };
    let mut op = op.clone();
    match &mut op {
        Op::Save { line, clone_of, .. } => {
            *line = within(*line, m.lines.len());
            *clone_of = clone_of.map(|c| recent(c, m.requests.len()));
        }
        Op::Change { request, .. } => *request = recent(*request, m.requests.len()),
        Op::Bind { entitlement, .. } | Op::Unbind { entitlement, .. } => {
            *entitlement = within(*entitlement, m.cloud.len())
        }
        Op::Revoke { file, .. } => *file = recent(*file, m.files.len()),
        Op::Provision { instance, .. } => *instance = within(*instance, m.instances.len()),
        Op::Tick | Op::Configure { .. } => {}
    }
    op
}

/// Releases each line may get from the batch's rejects and cancels.
fn releases_in(m: &Model, batch: &[Op]) -> BTreeMap<usize, i64> {
    let mut out = BTreeMap::new();
    for op in batch {
        if let Op::Change {
            request,
            transition: Transition::Reject | Transition::Cancel,
            ..
        } = op
        {
            if m.requests.is_empty() {
                continue;
            }
            for (l, q) in &m.requests[request % m.requests.len()].lines {
                *out.entry(*l).or_insert(0) += q;
            }
        }
    }
    out
}

async fn read_model(p: &Portal) -> Model {
    let db = p.db();
    let mut conn = db.read().await.expect("conn");
    let northwind = account_id(db, "Northwind Partners").await;
    let contoso = account_id(db, "Contoso Pharma").await;
    let lines = sqlx::query(
        "SELECT ol.id, ol.order_id, o.partner_id, ol.quantity, ol.reserved, ol.drawn
         FROM order_lines ol JOIN orders o ON o.id = ol.order_id ORDER BY ol.id",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("lines")
    .iter()
    .map(|r| LineM {
        id: OrderLineId(r.get(0)),
        order: OrderId(r.get(1)),
        partner: AccountId(r.get(2)),
        quantity: r.get(3),
        reserved: r.get(4),
        drawn: r.get(5),
    })
    .collect::<Vec<_>>();
    let mut requests = Vec::new();
    for r in sqlx::query("SELECT id, partner_id, state FROM drawdown_requests ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .expect("requests")
    {
        let id: i64 = r.get(0);
        let state: String = r.get(2);
        let request_lines: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT order_line_id, quantity FROM drawdown_request_lines WHERE drawdown_request_id = $1",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .expect("request lines");
        requests.push(RequestM {
            id: DrawdownId(id),
            partner: AccountId(r.get(1)),
            lines: request_lines
                .into_iter()
                .map(|(line, q)| (lines.iter().position(|l| l.id.0 == line).expect("a line"), q))
                .collect(),
            state: DrawdownState::parse(&state).expect("a state"),
            history: 0,
            emails: 0,
        });
    }
    drop(conn);
    let found = read_requests(db).await;
    for r in &mut requests {
        let (_, history, emails, _) = found[&r.id.0];
        r.history = history;
        r.emails = emails;
    }
    let mut conn = db.read().await.expect("conn");
    let control_room: i64 = sqlx::query_scalar(
        "SELECT si.id FROM service_instances si JOIN products p ON p.id = si.product_id
         WHERE si.account_id = $1 AND p.holds_cloud_licenses = 1 ORDER BY si.id LIMIT 1",
    )
    .bind(contoso.0)
    .fetch_one(&mut *conn)
    .await
    .expect("Contoso's Control Room");
    let entitlements = |model: &'static str| {
        sqlx::query(
            "SELECT e.id, e.quantity, e.in_use,
                 CAST(coalesce((SELECT sum(h.quantity) FROM usage_holdings h
                                WHERE h.entitlement_id = e.id AND h.service_instance_id = $3), 0) AS BIGINT)
             FROM entitlements e JOIN products p ON p.id = e.product_id
             WHERE e.account_id = $1 AND p.license_model = $2 ORDER BY e.id",
        )
        .bind(contoso.0)
        .bind(model)
        .bind(control_room)
    };
    let to_model = |r: &sqlx::any::AnyRow| EntitlementM {
        id: EntitlementId(r.get(0)),
        quantity: r.get(1),
        in_use: r.get(2),
        bound: r.get(3),
    };
    let cloud: Vec<EntitlementM> = entitlements("cloud")
        .fetch_all(&mut *conn)
        .await
        .expect("cloud")
        .iter()
        .map(to_model)
        .collect();
    let file = entitlements("file").fetch_all(&mut *conn).await.expect("file");
    assert_eq!(file.len(), 1, "the demo gives Contoso one file entitlement");
    let instances: Vec<(ServiceInstanceId, String)> = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, state FROM service_instances WHERE account_id = $1 ORDER BY id",
    )
    .bind(contoso.0)
    .fetch_all(&mut *conn)
    .await
    .expect("instances")
    .into_iter()
    .map(|(id, s)| (ServiceInstanceId(id), s))
    .collect();
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM license_files")
        .fetch_one(&mut *conn)
        .await
        .expect("files");
    assert_eq!(files, 0, "the model starts with no license file");
    assert!(!cloud.is_empty() && !instances.is_empty() && !lines.is_empty());
    Model {
        northwind,
        contoso,
        control_room: ServiceInstanceId(control_room),
        lines,
        requests,
        cloud,
        file_entitlement: to_model(&file[0]),
        files: Vec::new(),
        instances,
    }
}

/// Each stored request: (state, history entries, emails queued, the last
/// history entry's state).
async fn read_requests(db: &Db) -> BTreeMap<i64, (String, i64, i64, String)> {
    let mut conn = db.read().await.expect("conn");
    sqlx::query_as::<_, (i64, String, i64, i64, String)>(
        "SELECT r.id, r.state,
            (SELECT count(*) FROM drawdown_history h WHERE h.drawdown_request_id = r.id),
            (SELECT count(*) FROM outbox o WHERE o.drawdown_request_id = r.id),
            coalesce((SELECT h.to_state FROM drawdown_history h WHERE h.drawdown_request_id = r.id
                      ORDER BY h.id DESC LIMIT 1), '')
         FROM drawdown_requests r",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("requests")
    .into_iter()
    .map(|(id, state, history, emails, last)| (id, (state, history, emails, last)))
    .collect()
}

/// Everything the model says against what the database holds.
async fn compare(db: &Db, m: &Model) -> Result<(), String> {
    let stored = read_requests(db).await;
    if stored.len() != m.requests.len() {
        return Err(format!(
            "{} requests stored, the model has {}",
            stored.len(),
            m.requests.len()
        ));
    }
    for r in &m.requests {
        let want = (
            r.state.as_str().to_string(),
            r.history,
            r.emails,
            r.state.as_str().to_string(),
        );
        let got = stored.get(&r.id.0).cloned();
        if got.as_ref() != Some(&want) {
            return Err(format!(
                "request {}: stored (state, history, emails, last history) {got:?}, model {want:?}",
                r.id.0
            ));
        }
    }
    let mut conn = db.read().await.expect("conn");
    let lines: BTreeMap<i64, (i64, i64)> =
        sqlx::query_as::<_, (i64, i64, i64)>("SELECT id, reserved, drawn FROM order_lines")
            .fetch_all(&mut *conn)
            .await
            .expect("lines")
            .into_iter()
            .map(|(id, r, d)| (id, (r, d)))
            .collect();
    for l in &m.lines {
        if lines.get(&l.id.0) != Some(&(l.reserved, l.drawn)) {
            return Err(format!(
                "order line {}: stored (reserved, drawn) {:?}, model {:?}",
                l.id.0,
                lines.get(&l.id.0),
                (l.reserved, l.drawn)
            ));
        }
    }
    for e in m.cloud.iter().chain([&m.file_entitlement]) {
        let in_use: i64 = sqlx::query_scalar("SELECT in_use FROM entitlements WHERE id = $1")
            .bind(e.id.0)
            .fetch_one(&mut *conn)
            .await
            .expect("entitlement");
        if in_use != e.in_use {
            return Err(format!(
                "entitlement {}: {in_use} in use, model {}",
                e.id.0, e.in_use
            ));
        }
    }
    let files: BTreeMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT id, state FROM license_files")
            .fetch_all(&mut *conn)
            .await
            .expect("files")
            .into_iter()
            .collect();
    let want: BTreeMap<i64, String> = m
        .files
        .iter()
        .map(|f| (f.id.0, if f.active { "active" } else { "revoked" }.to_string()))
        .collect();
    if files != want {
        return Err(format!("license files stored {files:?}, model {want:?}"));
    }
    for (id, state) in &m.instances {
        let stored: String = sqlx::query_scalar("SELECT state FROM service_instances WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *conn)
            .await
            .expect("instance");
        if &stored != state {
            return Err(format!("instance {}: {stored}, model {state}", id.0));
        }
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Report {
    operations: usize,
    batches: usize,
    outcomes: BTreeMap<String, usize>,
    invariant_checks: usize,
    ledger_checks: usize,
}

fn kind(op: &Op) -> &'static str {
    match op {
        Op::Save { clone_of: None, .. } => "save",
        Op::Save { .. } => "clone",
        Op::Change { transition, .. } => match transition {
            Transition::Approve => "approve",
            Transition::Reject => "reject",
            Transition::Accept => "accept",
            Transition::Cancel => "cancel",
            Transition::Expire => "expire (by a user)",
        },
        Op::Tick => "tick (expire, release leases)",
        Op::Bind { .. } => "bind",
        Op::Unbind { .. } => "unbind",
        Op::Configure { .. } => "configure file",
        Op::Revoke { .. } => "revoke file",
        Op::Provision { .. } => "provision",
    }
}

/// Runs `ops` on a fresh demo portal; the first disagreement, with the
/// index of the operation whose batch showed it.
async fn run(ops: &[Op]) -> Result<Report, (usize, String)> {
    let mut p = Portal::demo().await;
    p.settings.approval_lifetime = time::Duration::seconds(LIFETIME);
    p.settings.license_lease = time::Duration::seconds(LEASE);
    server::demo::walk_history(p.services())
        .await
        .expect("the demo history");
    let postgres = p.t.url.starts_with("postgres");
    let second = if postgres { Some(p.t.reopen().await) } else { None };
    let mut users = Vec::new();
    for email in EMAILS {
        users.push(user(p.db(), email).await);
    }
    let w = World {
        tailspin: account_id(p.db(), "Tailspin Integrators").await,
        p: &p,
        second,
        users,
    };
    let mut m = read_model(&p).await;
    let mut report = Report::default();
    let mut at = 0;
    while at < ops.len() {
        let n = batches(&m, &ops[at..], w.tailspin);
        let batch: Vec<Op> = ops[at..at + n].iter().map(|op| resolve(&m, op)).collect();
        let batch = &batch[..];
        let releases = releases_in(&m, batch);
        let plans: Vec<Plan> = batch
            .iter()
            .map(|op| plan(&m, op, w.tailspin, &releases))
            .collect();
        let runs = futures::future::join_all(
            batch
                .iter()
                .enumerate()
                .map(|(i, op)| run_op(&w, &m, op, i, at + i)),
        )
        .await;
        let now = p.clock().now();
        for (i, (op, ran)) in batch.iter().zip(&runs).enumerate() {
            if !plans[i].allowed.contains(&ran.outcome) {
                return Err((
                    at + i,
                    format!(
                        "{op:?} answered {:?}; the model allows {:?}",
                        ran.outcome, plans[i].allowed
                    ),
                ));
            }
            *report
                .outcomes
                .entry(format!("{}: {:?}", kind(op), ran.outcome))
                .or_default() += 1;
            apply(&mut m, op, ran, now).map_err(|e| (at + i, e))?;
            if let (Op::Tick, Some(counts)) = (op, ran.created) {
                *report
                    .outcomes
                    .entry("tick: requests expired".into())
                    .or_default() += (counts >> 32) as usize;
                *report
                    .outcomes
                    .entry("tick: license files released".into())
                    .or_default() += (counts & 0xffff_ffff) as usize;
            }
        }
        compare(p.db(), &m).await.map_err(|e| (at + n - 1, e))?;
        let invariant = AssertUnwindSafe(assert_ledger_invariant(p.db()))
            .catch_unwind()
            .await;
        invariant.map_err(|panic| (at + n - 1, panic_text(&panic)))?;
        report.invariant_checks += 1;
        report.batches += 1;
        if report.batches % 50 == 0 || at + n == ops.len() {
            let (clean, text) = ledger_check(&p.t.url);
            if !clean {
                return Err((at + n - 1, format!("server ledger check: {text}")));
            }
            report.ledger_checks += 1;
        }
        at += n;
    }
    report.operations = ops.len();
    Ok(report)
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// Removes chunks of `ops` while the run still fails (ddmin), within
/// `budget`: the shortest failing list found.
async fn shrink(mut ops: Vec<Op>, budget: Duration) -> (Vec<Op>, String) {
    let started = Instant::now();
    let mut why = match run(&ops).await {
        Err((at, why)) => {
            ops.truncate(at + 1);
            why
        }
        Ok(_) => return (ops, "did not fail again (a race): the whole list".into()),
    };
    let mut chunks = 2;
    while ops.len() > 1 && started.elapsed() < budget {
        let size = ops.len().div_ceil(chunks);
        let mut removed = false;
        for start in (0..ops.len()).step_by(size) {
            let mut shorter = ops.clone();
            shorter.drain(start..(start + size).min(ops.len()));
            if let Err((at, w)) = run(&shorter).await {
                shorter.truncate(at + 1);
                ops = shorter;
                why = w;
                removed = true;
                break;
            }
            if started.elapsed() >= budget {
                break;
            }
        }
        if removed {
            chunks = (chunks - 1).max(2);
        } else if size == 1 {
            break;
        } else {
            chunks = (chunks * 2).min(ops.len());
        }
    }
    (ops, why)
}

#[tokio::test]
async fn random_operations_from_every_user_at_once_keep_the_portal_as_the_model_says() {
    let count: usize = std::env::var("PORTAL_MODEL_OPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let seed: u64 = std::env::var("PORTAL_MODEL_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("time")
                .as_nanos() as u64
        });
    let engine = match std::env::var(crate::helpers::POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    };
    eprintln!("model test on {engine}: {count} operations, PORTAL_MODEL_SEED={seed}");
    let ops = generate(seed, count);
    let started = Instant::now();
    match run(&ops).await {
        Ok(report) => {
            let elapsed = started.elapsed();
            let refused: usize = report
                .outcomes
                .iter()
                .filter(|(k, _)| !k.ends_with("Done"))
                .map(|(_, n)| n)
                .sum();
            eprintln!(
                "model test on {engine}: {} operations in {} concurrent batches, {} refused, {} invariant checks, {} ledger checks, {:.1} s ({:.0} operations/s)",
                report.operations,
                report.batches,
                refused,
                report.invariant_checks,
                report.ledger_checks,
                elapsed.as_secs_f64(),
                report.operations as f64 / elapsed.as_secs_f64()
            );
            for (outcome, n) in &report.outcomes {
                eprintln!("  {outcome}: {n}");
            }
            // Each kind of operation was tried, and each was both done and refused.
            for k in [
                "save",
                "approve",
                "reject",
                "accept",
                "cancel",
                "bind",
                "configure file",
                "revoke file",
            ] {
                assert!(
                    report.outcomes.keys().any(|o| o == &format!("{k}: Done")),
                    "no {k} was done: {:?}",
                    report.outcomes
                );
            }
        }
        Err((at, why)) => {
            eprintln!("model test failed at operation {at} of seed {seed}: {why}; shrinking");
            let (shortest, why) = shrink(ops[..=at].to_vec(), Duration::from_secs(180)).await;
            panic!(
                "PORTAL_MODEL_SEED={seed}: {why}\nshortest list found ({} operations):\n{}",
                shortest.len(),
                shortest
                    .iter()
                    .map(|op| format!("  {op:?}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}
