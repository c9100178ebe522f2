//! The Cloud licenses tab: each Control Room of the account with its license
//! GUID (and a copy button) and the cloud entitlements bound to it; the
//! managing partner binds and unbinds.

use leptos::prelude::*;

use super::usage_table::{UsageNotice, UsageTable};
use super::{use_account_param, TabPanel};
use crate::api::licenses::{cloud_licenses, BindEntitlement, UnbindEntitlement};
use crate::components::form::{FieldError, RowAction};
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::status::{EmptyState, ErrorNotice, InstanceBadge};
use crate::domain::{
    AccountKind, BindingError, CloudLicense, CloudLicensesView, EntitlementId, Quantity, ServiceInstanceId,
};
use crate::error::AppError;
use crate::i18n::{binding_error, months, number, CommonText, EntitlementsText, LicensesText};

/// What the bind form holds; kept above the part that re-renders on live
/// updates, so a refetch does not wipe what the partner is typing.
#[derive(Clone, Copy)]
struct BindForm {
    control_room: RwSignal<String>,
    entitlement: RwSignal<String>,
    quantity: RwSignal<String>,
    /// A problem found before sending.
    problem: RwSignal<Option<BindingError>>,
}

/// The tab.
#[component]
pub fn CloudLicensesPage() -> impl IntoView {
    let account = use_account_param();
    let live = use_live_changes().of_account(account);
    let bind = ServerAction::<BindEntitlement>::new();
    let unbind = ServerAction::<UnbindEntitlement>::new();
    let form = BindForm {
        control_room: RwSignal::new(String::new()),
        entitlement: RwSignal::new(String::new()),
        quantity: RwSignal::new(String::new()),
        problem: RwSignal::new(None),
    };
    // A bind that went through clears the quantity.
    Effect::new(move |_| {
        if let Some(Ok(())) = bind.value().get() {
            form.quantity.set(String::new());
        }
    });
    let data = crate::codec::wire_resource(
        move || {
            (
                account.get(),
                live.get(),
                bind.version().get(),
                unbind.version().get(),
            )
        },
        |(account, ..)| async move { cloud_licenses(account.ok_or(AppError::NotFound)?).await },
    );
    view! { <TabPanel name="cloud-licenses" data=data content=move |view| view! { <CloudLicenses view bind unbind form /> } /> }
}

#[component]
fn CloudLicenses(
    view: CloudLicensesView,
    bind: ServerAction<BindEntitlement>,
    unbind: ServerAction<UnbindEntitlement>,
    form: BindForm,
) -> impl IntoView {
    let i18n = use_i18n();
    let CloudLicensesView {
        account,
        may_change,
        licenses,
        entitlements,
    } = view;
    let account_id = account.id;
    let error = move || {
        bind.value()
            .get()
            .and_then(Result::err)
            .or_else(|| unbind.value().get().and_then(Result::err))
    };
    let other_error = move || error().filter(|e| !matches!(e, AppError::InvalidBinding { .. }));
    let binding_problem = move || {
        form.problem.get().or_else(|| match error() {
            Some(AppError::InvalidBinding { problem }) => Some(problem),
            _ => None,
        })
    };
    let bind_form = (may_change && !licenses.is_empty() && !entitlements.is_empty()).then(|| {
        view! {
            <BindFormView
                account=account_id
                licenses=licenses.clone()
                entitlements=entitlements.clone()
                bind
                form
                problem=Signal::derive(binding_problem)
            />
        }
    });
    view! {
        <h2 id="cloud-licenses-heading">
            {move || i18n.t(LicensesText::CloudLicenses)}
            <span class="panel__subject">{account.name.clone()}</span>
        </h2>
        <p class="panel__hint">{move || i18n.t(LicensesText::CloudLicensesHint)}</p>
        <UsageNotice is_partner_account=account.kind == AccountKind::Partner may_change />
        <div aria-live="polite">{move || other_error().map(|error| view! { <ErrorNotice error /> })}</div>
        {if licenses.is_empty() {
            view! { <EmptyState title=LicensesText::NoControlRooms hint=LicensesText::NoControlRoomsHint /> }.into_any()
        } else {
            licenses
                .into_iter()
                .map(|license| view! { <ControlRoom account=account_id license may_change unbind /> })
                .collect_view()
                .into_any()
        }}
        {bind_form}
        <UsageTable entitlements caption=LicensesText::CloudEntitlements empty=LicensesText::NoCloudEntitlements />
    }
    .into_any()
}

/// One Control Room: its GUID, a copy button, what is bound to it.
#[component]
fn ControlRoom(
    account: crate::domain::AccountId,
    license: CloudLicense,
    may_change: bool,
    unbind: ServerAction<UnbindEntitlement>,
) -> impl IntoView {
    let i18n = use_i18n();
    let CloudLicense {
        control_room,
        bindings,
    } = license;
    let heading_id = format!("control-room-{}", control_room.id);
    let guid = control_room.license_guid.clone();
    let name = match &control_room.tenant_name {
        Some(tenant) => format!("{} · {tenant}", control_room.product_name),
        None => control_room.product_name.clone(),
    };
    let not_provisioned = control_room.tenant_name.is_none();
    view! {
        <article class="control-room" aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone()>
                {name} " " <InstanceBadge state=control_room.state />
                {not_provisioned
                    .then(|| view! { <span class="panel__subject">{move || i18n.t(LicensesText::NotProvisioned)}</span> })}
            </h3>
            <div class="guid">
                <span>{move || i18n.t(LicensesText::LicenseGuid)}</span>
                <code>{guid.clone()}</code>
                <CopyButton text=guid />
            </div>
            {if bindings.is_empty() {
                view! { <p class="status">{move || i18n.t(LicensesText::NothingBound)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption>{move || i18n.t(LicensesText::BoundEntitlements)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                                    <th scope="col">{move || i18n.t(EntitlementsText::Term)}</th>
                                    <th scope="col" class="num">{move || i18n.t(CommonText::Quantity)}</th>
                                    {may_change
                                        .then(|| {
                                            view! {
                                                <th scope="col">
                                                    <span class="visually-hidden">{move || i18n.t(CommonText::Actions)}</span>
                                                </th>
                                            }
                                        })}
                                </tr>
                            </thead>
                            <tbody>
                                {bindings
                                    .into_iter()
                                    .map(|b| {
                                        let product = b.product_name.clone();
                                        let entitlement = b.entitlement;
                                        let control_room = control_room.id;
                                        view! {
                                            <tr>
                                                <th scope="row">{b.product_name}</th>
                                                <td>{move || months(i18n.locale(), b.term_months)}</td>
                                                <td class="num">{move || number(i18n.locale(), b.quantity)}</td>
                                                {may_change
                                                    .then(|| {
                                                        view! {
                                                            <td>
                                                                <RowAction
                                                                    action=LicensesText::Unbind
                                                                    subject=product.clone()
                                                                    class="button button--danger"
                                                                    busy=unbind.pending()
                                                                    on_click=move || {
                                                                        unbind
                                                                            .dispatch(UnbindEntitlement {
                                                                                account,
                                                                                control_room,
                                                                                entitlement,
                                                                            });
                                                                    }
                                                                />
                                                            </td>
                                                        }
                                                    })}
                                            </tr>
                                        }
                                        .into_any()
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </article>
    }
    .into_any()
}

/// Copies `text` and says so on the button for a few seconds.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let i18n = use_i18n();
    // None: not tried; Some(ok).
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = text.clone();
        copy_to_clipboard(text, move |ok| {
            copied.set(Some(ok));
            set_timeout(move || copied.set(None), std::time::Duration::from_secs(3));
        });
    };
    view! {
        <button type="button" class="button" on:click=copy>
            {move || match copied.get() {
                Some(true) => i18n.t(CommonText::Copied),
                _ => i18n.t(LicensesText::CopyLicenseGuid),
            }}
        </button>
        <span class="guid__copied" role="status">
            {move || (copied.get() == Some(false)).then(|| i18n.t(CommonText::CopyFailed))}
        </span>
    }
}

#[cfg(feature = "hydrate")]
fn copy_to_clipboard(text: String, done: impl FnOnce(bool) + 'static) {
    let Some(window) = web_sys::window() else {
        return done(false);
    };
    let promise = window.navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

#[cfg(not(feature = "hydrate"))]
fn copy_to_clipboard(_text: String, _done: impl FnOnce(bool) + 'static) {}

/// Bind: a Control Room, a cloud entitlement, a quantity.
#[component]
fn BindFormView(
    account: crate::domain::AccountId,
    licenses: Vec<CloudLicense>,
    entitlements: Vec<crate::domain::UsableEntitlement>,
    bind: ServerAction<BindEntitlement>,
    form: BindForm,
    problem: Signal<Option<BindingError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The first choice by default, so one Control Room needs no picking.
    let first = |value: RwSignal<String>, id: Option<String>| {
        let known = |v: &str| !v.is_empty();
        if !known(&value.get_untracked()) {
            if let Some(id) = id {
                value.set(id);
            }
        }
    };
    first(
        form.control_room,
        licenses.first().map(|l| l.control_room.id.to_string()),
    );
    first(
        form.entitlement,
        entitlements
            .iter()
            .find(|e| e.free() > 0)
            .map(|e| e.id.to_string()),
    );
    let free_of = {
        let entitlements = entitlements.clone();
        move |id: &str| {
            entitlements
                .iter()
                .find(|e| e.id.to_string() == id)
                .map(|e| e.free())
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let quantity = form.quantity.get_untracked();
        let checked = Quantity::parse_positive(&quantity)
            .map_err(BindingError::Quantity)
            .and_then(|q| match free_of(&form.entitlement.get_untracked()) {
                Some(free) if q.get() > free => Err(BindingError::MoreThanFree { free }),
                _ => Ok(q),
            });
        form.problem.set(checked.as_ref().err().cloned());
        let (Ok(_), Ok(control_room), Ok(entitlement)) = (
            checked,
            form.control_room.get_untracked().parse::<i64>(),
            form.entitlement.get_untracked().parse::<i64>(),
        ) else {
            return;
        };
        bind.dispatch(BindEntitlement {
            account,
            control_room: ServiceInstanceId(control_room),
            entitlement: EntitlementId(entitlement),
            quantity,
        });
    };
    let quantity_problem = Signal::derive(move || problem.get().map(|p| binding_error(i18n.locale(), &p)));
    view! {
        <form class="use-form" on:submit=submit novalidate>
            <div class="field">
                <label for="bind-control-room">{move || i18n.t(LicensesText::ControlRoomToBindTo)}</label>
                <select
                    id="bind-control-room"
                    prop:value=move || form.control_room.get()
                    on:change=move |ev| form.control_room.set(event_target_value(&ev))
                >
                    {licenses
                        .iter()
                        .map(|l| {
                            let label = match &l.control_room.tenant_name {
                                Some(t) => format!("{} · {t}", l.control_room.product_name),
                                None => format!("{} · {}", l.control_room.product_name, &l.control_room.license_guid[..8]),
                            };
                            view! { <option value=l.control_room.id.to_string()>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="bind-entitlement">{move || i18n.t(LicensesText::EntitlementToBind)}</label>
                <select
                    id="bind-entitlement"
                    prop:value=move || form.entitlement.get()
                    on:change=move |ev| form.entitlement.set(event_target_value(&ev))
                >
                    {entitlements
                        .iter()
                        .map(|e| {
                            let (name, term, source, free) = (
                                e.product_name.clone(),
                                e.term_months,
                                e.source.clone(),
                                e.free(),
                            );
                            view! {
                                <option value=e.id.to_string()>
                                    {move || {
                                        format!(
                                            "{name} · {} · {source} · {} {}",
                                            months(i18n.locale(), term),
                                            number(i18n.locale(), free),
                                            i18n.t(LicensesText::Free).to_lowercase(),
                                        )
                                    }}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field field--quantity">
                <label for="bind-quantity">{move || i18n.t(LicensesText::QuantityToBind)}</label>
                <input
                    id="bind-quantity"
                    type="number"
                    min="1"
                    inputmode="numeric"
                    prop:value=move || form.quantity.get()
                    aria-invalid=move || quantity_problem.get().is_some().then_some("true")
                    aria-describedby="bind-quantity-error"
                    on:input=move |ev| {
                        form.quantity.set(event_target_value(&ev));
                        form.problem.set(None);
                    }
                />
                <FieldError id="bind-quantity-error".into() message=quantity_problem />
            </div>
            <div class="form-actions">
                <button type="submit" class="button button--primary-inline" disabled=move || bind.pending().get()>
                    {move || i18n.t(LicensesText::Bind)}
                </button>
            </div>
        </form>
    }
    .into_any()
}
