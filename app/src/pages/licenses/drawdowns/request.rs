//! One request's page: what it asks, where it stands, its history, and the
//! steps the signed-in user may take from here.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::decision::Figures;
use crate::api::accounting::drawdown_decision_panel;
use crate::api::drawdowns::{drawdown, ChangeDrawdown};
use crate::components::form::FieldError;
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::status::{ErrorNotice, Loading, StateBadge};
use crate::domain::{
    may_weigh_drawdowns, Actor, CurrentUser, DecisionPanel, DrawdownDetail, DrawdownId, DrawdownState,
    OrderId, Transition,
};
use crate::error::AppError;
use crate::i18n::{
    date_time, months, number, reason_error, reminder_text, request_heading, state_text, AccountingText,
    CommonText, DrawdownsText, EntitlementsText,
};
use crate::pages::licenses::use_account_param;
use crate::Session;

/// The page.
#[component]
pub fn DrawdownPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("request")
            .and_then(|r| r.parse().ok())
            .map(DrawdownId)
    });
    let changed = use_live_changes().of_request(id.into());
    let change = ServerAction::<ChangeDrawdown>::new();
    // Lives above the re-rendered page: what accounting types survives a refetch.
    let reason = RwSignal::new(String::new());
    Effect::new(move |_| {
        id.track();
        reason.set(String::new());
    });
    let detail = crate::codec::wire_resource(
        move || (id.get(), changed.get(), change.version().get()),
        |(id, _, _)| async move { drawdown(id.ok_or(AppError::NotFound)?).await },
    );
    let session = expect_context::<Session>();
    // Accounting's Decision panel: read beside the request (not under it,
    // so the page hydrates from both at once), again whenever a request on
    // the same order moves.
    let order = RwSignal::new(None::<OrderId>);
    let order_changes = use_live_changes().of_order(order.into());
    let panel = crate::codec::wire_resource(
        move || (id.get(), order_changes.get(), change.version().get()),
        move |(id, _, _)| async move {
            let weighs = session
                .user
                .await
                .ok()
                .flatten()
                .is_some_and(|u| may_weigh_drawdowns(&u));
            match id {
                Some(id) if weighs => drawdown_decision_panel(id).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                let panel = panel.await.transpose();
                match (detail.await, user) {
                    (Ok(detail), Some(user)) => {
                        if order.get_untracked() != Some(detail.order_id) {
                            order.set(Some(detail.order_id));
                        }
                        view! { <Request detail user change reason panel /> }.into_any()
                    }
                    (Err(error), _) => view! { <ErrorNotice error /> }.into_any(),
                    (Ok(_), None) => view! { <ErrorNotice error=AppError::NotSignedIn /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Request(
    detail: DrawdownDetail,
    user: CurrentUser,
    change: ServerAction<ChangeDrawdown>,
    reason: RwSignal<String>,
    /// The Decision panel, for accounting and vendor admins.
    panel: Option<Result<DecisionPanel, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let s = detail.summary.clone();
    let number_text = s.number;
    view! {
        <section class="panel" aria-labelledby="request-heading">
            <div class="panel__head">
                <h2 id="request-heading">{move || request_heading(i18n.locale(), number_text)}</h2>
                <StateBadge state=s.state />
            </div>
            {detail
                .reason
                .clone()
                .filter(|_| s.state == DrawdownState::Rejected)
                .map(|reason| {
                    view! {
                        <div class="reason" role="note">
                            <strong>{move || i18n.t(DrawdownsText::ReasonGiven)}</strong>
                            <p>{reason}</p>
                        </div>
                    }
                })}
            <dl class="facts">
                <dt>{move || i18n.t(CommonText::State)}</dt>
                <dd>{move || i18n.t(state_text(s.state))}</dd>
                <dt>{move || i18n.t(CommonText::Partner)}</dt>
                <dd>{s.partner_name.clone()}</dd>
                <dt>{move || i18n.t(CommonText::Order)}</dt>
                <dd>{s.order_number.clone()}</dd>
                <dt>{move || i18n.t(DrawdownsText::CustomerAccount)}</dt>
                <dd>{s.customer_name.clone()}</dd>
                <dt>{move || i18n.t(DrawdownsText::CustomerWebsite)}</dt>
                <dd>{detail.customer_website.clone()}</dd>
                <dt>{move || i18n.t(DrawdownsText::CustomerContact)}</dt>
                <dd>{format!("{} <{}>", detail.contact_name, detail.contact_email)}</dd>
                <dt>{move || i18n.t(DrawdownsText::RequestedBy)}</dt>
                <dd>{detail.requested_by_name.clone()}</dd>
                {detail
                    .cloned_from
                    .map(|(id, n)| {
                        view! {
                            <dt>{move || i18n.t(DrawdownsText::ClonedFrom)}</dt>
                            <dd>
                                <a href=format!("/licenses/{}/drawdowns/{id}", s.partner_id)>{n.to_string()}</a>
                            </dd>
                        }
                    })}
            </dl>
            <div class="table-wrap">
                <table class="data-table">
                    <caption>{move || i18n.t(DrawdownsText::RequestedQuantities)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                            <th scope="col">{move || i18n.t(EntitlementsText::Term)}</th>
                            <th scope="col" class="num">{move || i18n.t(CommonText::Quantity)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {detail
                            .lines
                            .iter()
                            .cloned()
                            .map(|l| {
                                let statement = format!("/licenses/{}/statements/{}", s.partner_id, l.order_line);
                                let product = l.product_name.clone();
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <a
                                                href=statement
                                                aria-label=move || format!("{} — {}", i18n.t(AccountingText::Statement), product)
                                            >
                                                {l.product_name}
                                            </a>
                                        </th>
                                        <td>{move || months(i18n.locale(), l.term_months)}</td>
                                        <td class="num">{move || number(i18n.locale(), l.quantity)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <Actions detail=detail.clone() user change reason panel />
            <History detail />
        </section>
    }
}

/// The buttons for what this user may do now.
#[component]
fn Actions(
    detail: DrawdownDetail,
    user: CurrentUser,
    change: ServerAction<ChangeDrawdown>,
    reason: RwSignal<String>,
    panel: Option<Result<DecisionPanel, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let account = use_account_param();
    let id = detail.summary.id;
    let state = detail.summary.state;
    let actor = Actor::of(user.role);
    let own = actor == Some(Actor::Partner) && user.account_id == detail.summary.partner_id;
    let may = |t: Transition| actor == Some(t.actor()) && t.from_states().contains(&state);
    let (accept, cancel) = (own && may(Transition::Accept), own && may(Transition::Cancel));
    let decide = may(Transition::Approve);
    let partner = detail.summary.partner_id;
    let figures = panel.map(|panel| match panel {
        Ok(panel) => view! { <Figures panel partner /> }.into_any(),
        Err(error) => view! { <ErrorNotice error /> }.into_any(),
    });
    let run = move |transition: Transition| {
        let reason = reason.get_untracked();
        change.dispatch(ChangeDrawdown {
            id,
            transition,
            reason: (!reason.trim().is_empty()).then_some(reason),
        });
    };
    let error = move || change.value().get().and_then(Result::err);
    let reason_problem = Signal::derive(move || match error() {
        Some(AppError::InvalidReason { problem }) => Some(reason_error(i18n.locale(), &problem)),
        _ => None,
    });
    let other_error = move || error().filter(|e| !matches!(e, AppError::InvalidReason { .. }));
    let busy = move || change.pending().get();
    let step = move |transition: Transition, label: DrawdownsText, class: &'static str| {
        view! {
            <button type="button" class=class disabled=busy on:click=move |_| run(transition)>
                {move || i18n.t(label)}
            </button>
        }
    };
    let clone = move |_| {
        let partner = account.get_untracked().unwrap_or(user.account_id);
        navigate(
            &format!("/licenses/{partner}/drawdowns/new?clone={id}"),
            Default::default(),
        );
    };
    view! {
        <div class="actions">
            <div aria-live="polite">{move || other_error().map(|error| view! { <ErrorNotice error /> })}</div>
            {figures
                .map(|figures| {
                    view! {
                        <section class="decision" id="decision" aria-labelledby="decision-heading">
                            <h3 id="decision-heading">{move || i18n.t(DrawdownsText::Decision)}</h3>
                            {figures}
                            {decide.then(|| view! {
                            <div class="field">
                                <label for="reason">{move || i18n.t(DrawdownsText::Reason)}</label>
                                <p class="field__hint" id="reason-hint">{move || i18n.t(DrawdownsText::ReasonHint)}</p>
                                <textarea
                                    id="reason"
                                    rows="3"
                                    aria-describedby="reason-hint reason-error"
                                    aria-invalid=move || reason_problem.get().is_some().then_some("true")
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))
                                ></textarea>
                                <FieldError id="reason-error".into() message=reason_problem />
                            </div>
                            <div class="form-actions">
                                {step(Transition::Approve, DrawdownsText::Approve, "button button--primary-inline")}
                                {step(Transition::Reject, DrawdownsText::Reject, "button button--danger")}
                            </div>
                            })}
                        </section>
                    }
                })}
            <div class="form-actions">
                {accept.then(|| step(Transition::Accept, DrawdownsText::Accept, "button button--primary-inline"))}
                {cancel.then(|| step(Transition::Cancel, DrawdownsText::CancelRequest, "button button--danger"))}
                {own
                    .then(|| {
                        view! {
                            <button type="button" class="button" on:click=clone>
                                {move || i18n.t(DrawdownsText::Clone)}
                            </button>
                        }
                    })}
            </div>
        </div>
    }
    .into_any()
}

/// Every state the request went through.
#[component]
fn History(detail: DrawdownDetail) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3 id="history-heading">{move || i18n.t(DrawdownsText::History)}</h3>
        <div class="table-wrap">
            <table class="data-table" aria-labelledby="history-heading">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CommonText::When)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Who)}</th>
                        <th scope="col">{move || i18n.t(CommonText::From)}</th>
                        <th scope="col">{move || i18n.t(CommonText::To)}</th>
                        <th scope="col">{move || i18n.t(DrawdownsText::Reason)}</th>
                    </tr>
                </thead>
                <tbody>
                    {detail
                        .history
                        .into_iter()
                        .map(|h| {
                            let who = h.actor_name.clone();
                            view! {
                                <tr>
                                    <td>{move || date_time(i18n.locale(), h.at)}</td>
                                    <td>{move || who.clone().unwrap_or_else(|| i18n.t(CommonText::TheServer).to_string())}</td>
                                    <td>
                                        {move || match h.from {
                                            Some(from) => i18n.t(state_text(from)),
                                            None => i18n.t(CommonText::Created),
                                        }}
                                    </td>
                                    <td>{move || i18n.t(state_text(h.to))}</td>
                                    <td class="wrap">
                                        {move || match h.reminder {
                                            Some(kind) => i18n.t(reminder_text(kind)).to_string(),
                                            None => h.reason.clone().unwrap_or_default(),
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
