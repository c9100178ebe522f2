//! The Webhooks tab (SPEC, "Partner API and webhooks"): a partner admin's
//! endpoints, each with its events, its signing secret, Remove, and its
//! delivery log with Redeliver; Add an endpoint. The server decides who may.

use leptos::prelude::*;

use super::use_account_param;
use crate::api::webhooks::{
    list_webhook_endpoints, CreateWebhookEndpoint, DisableWebhookEndpoint, RedeliverWebhook,
};
use crate::components::form::{RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::{mark_live, EmptyState, ErrorNotice, Loading};
use crate::domain::{AccountId, WebhookEndpointLog, WebhookEvent};
use crate::error::AppError;
use crate::i18n::{date_time, delivery_state_text, of_subject, AccountText, ApiText, CommonText};

/// The tab's content.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    let changed = RwSignal::new(0u32);
    let endpoints = crate::codec::wire_resource(
        move || (account.get(), changed.get()),
        |(account, _)| async move {
            match account {
                Some(account) => list_webhook_endpoints(account).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let body = move || {
        Suspend::new(async move {
            let listed = endpoints.await;
            let Some(account) = account.get_untracked() else {
                return view! { <Loading /> }.into_any();
            };
            let content = match listed {
                Ok(logs) if logs.is_empty() => view! {
                    <EmptyState title=ApiText::NoEndpoints />
                    <AddForm account changed />
                }
                .into_any(),
                Ok(logs) => view! {
                    {logs.into_iter().map(|log| view! { <Endpoint log account changed /> }).collect_view()}
                    <AddForm account changed />
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            };
            mark_live("webhooks-tab".to_string());
            content
        })
    };
    view! {
        <section class="panel" id="webhooks-tab" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">{move || i18n.t(AccountText::Webhooks)}</h2>
            <p class="panel__hint">{move || i18n.t(ApiText::WebhooksHint)}</p>
            <Transition fallback=Loading>{body}</Transition>
        </section>
    }
}

#[component]
fn Endpoint(log: WebhookEndpointLog, account: AccountId, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let remove = ServerAction::<DisableWebhookEndpoint>::new();
    let redeliver = ServerAction::<RedeliverWebhook>::new();
    let (seen_remove, seen_redeliver) = (
        remove.version().get_untracked(),
        redeliver.version().get_untracked(),
    );
    Effect::new(move |_| {
        let removed = remove.version().get() > seen_remove && matches!(remove.value().get(), Some(Ok(())));
        let resent =
            redeliver.version().get() > seen_redeliver && matches!(redeliver.value().get(), Some(Ok(())));
        if removed || resent {
            changed.update(|n| *n += 1);
        }
    });
    let endpoint = log.endpoint;
    let id = endpoint.id;
    let url = endpoint.url.clone();
    let active = endpoint.disabled_at.is_none();
    let events = endpoint
        .events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let heading_id = format!("endpoint-{id}");
    let labelled_by = heading_id.clone();
    let secret_label = {
        let url = url.clone();
        move || of_subject(i18n.locale(), ApiText::SigningSecret, &url)
    };
    let deliveries_label = {
        let url = url.clone();
        move || of_subject(i18n.locale(), ApiText::Deliveries, &url)
    };
    let rows = log
        .deliveries
        .into_iter()
        .map(|d| {
            let state = delivery_state_text(d.state);
            let created = d.created_at;
            let subject = format!("{} {}", d.event_type, d.message_id);
            let delivery = d.id;
            let answer = match (d.last_status, d.last_error) {
                (Some(status), _) => status.to_string(),
                (None, Some(error)) => error,
                (None, None) => String::new(),
            };
            view! {
                <tr>
                    <td><code>{d.event_type}</code></td>
                    <td>{move || date_time(i18n.locale(), created)}</td>
                    <td>{move || i18n.t(state)}</td>
                    <td>{d.attempts}</td>
                    <td>{answer}</td>
                    <td>
                        {active
                            .then(|| {
                                view! {
                                    <RowAction
                                        action=ApiText::Redeliver
                                        subject=subject.clone()
                                        busy=Signal::derive(move || redeliver.pending().get())
                                        on_click=move || {
                                            redeliver.dispatch(RedeliverWebhook { account, endpoint: id, delivery });
                                        }
                                    />
                                }
                            })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let error = move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| redeliver.value().get().and_then(Result::err))
            .map(|e| view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> })
    };
    view! {
        <section class="endpoint" aria-labelledby=labelled_by>
            <h3 id=heading_id>
                <code>{url.clone()}</code>
                {(!active).then(|| view! { " · " {move || i18n.t(ApiText::Removed)} })}
            </h3>
            <p>{move || i18n.t(ApiText::Events)} ": " <code>{events}</code></p>
            {active
                .then(|| {
                    let subject = url.clone();
                    view! {
                        <div class="field">
                            <label for=format!("secret-{id}")>{secret_label}</label>
                            <input id=format!("secret-{id}") class="secret" type="text" readonly prop:value=endpoint.secret />
                        </div>
                        <p>
                            <RowAction
                                action=ApiText::Remove
                                subject
                                busy=Signal::derive(move || remove.pending().get())
                                on_click=move || {
                                    remove.dispatch(DisableWebhookEndpoint { account, endpoint: id });
                                }
                            />
                        </p>
                    }
                })}
            <table class="table">
                <caption>{deliveries_label}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(ApiText::Event)}</th>
                        <th scope="col">{move || i18n.t(ApiText::Queued)}</th>
                        <th scope="col">{move || i18n.t(CommonText::State)}</th>
                        <th scope="col">{move || i18n.t(ApiText::Attempts)}</th>
                        <th scope="col">{move || i18n.t(ApiText::LastAnswer)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {error}
        </section>
    }
}

#[component]
fn AddForm(account: AccountId, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateWebhookEndpoint>::new();
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(WebhookEvent::ALL.to_vec());
    let seen = action.version().get_untracked();
    Effect::new(move |_| {
        if action.version().get() > seen && matches!(action.value().get(), Some(Ok(_))) {
            url.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    let url_problem = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::InvalidInput { field })) if field == "url" => {
            Some(i18n.t(ApiText::UrlInvalid).to_string())
        }
        Some(Err(AppError::InvalidInput { field })) if field == "url_address" => {
            Some(i18n.t(ApiText::UrlInternal).to_string())
        }
        _ => None,
    });
    let events_problem = move || match action.value().get() {
        Some(Err(AppError::InvalidInput { field })) if field == "events" => {
            Some(view! { <p class="field__error" role="alert">{move || i18n.t(ApiText::EventsRequired)}</p> })
        }
        _ => None,
    };
    let other = move || match action.value().get() {
        Some(Err(AppError::InvalidInput { field })) if field == "endpoints" => Some(
            view! { <p class="form-error" role="alert">{move || i18n.t(ApiText::TooManyEndpoints)}</p> }
                .into_any(),
        ),
        Some(Err(AppError::InvalidInput { .. })) | Some(Ok(_)) | None => None,
        Some(Err(e)) => Some(
            view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> }.into_any(),
        ),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(CreateWebhookEndpoint {
            account,
            url: url.get_untracked(),
            events: chosen
                .get_untracked()
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
        });
    };
    view! {
        <section aria-labelledby="add-endpoint-heading">
            <h3 id="add-endpoint-heading">{move || i18n.t(ApiText::AddEndpoint)}</h3>
            <form on:submit=submit>
                <TextField
                    id="endpoint-url"
                    label=Signal::derive(move || i18n.t(ApiText::EndpointUrl).to_string())
                    value=url
                    error=url_problem
                    input_type="url"
                    autocomplete="off"
                />
                <fieldset class="field">
                    <legend>{move || i18n.t(ApiText::Events)}</legend>
                    {WebhookEvent::ALL
                        .into_iter()
                        .map(|event| {
                            let id = format!("event-{}", event.as_str().replace('.', "-"));
                            let label_for = id.clone();
                            view! {
                                <label class="checkbox" for=label_for>
                                    <input
                                        id=id
                                        type="checkbox"
                                        prop:checked=move || chosen.with(|c| c.contains(&event))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|c| {
                                                c.retain(|e| *e != event);
                                                if on {
                                                    c.push(event);
                                                }
                                            });
                                        }
                                    />
                                    <code>{event.as_str()}</code>
                                </label>
                            }
                        })
                        .collect_view()}
                    {events_problem}
                </fieldset>
                {other}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || i18n.t(ApiText::Add)}
                </button>
            </form>
        </section>
    }
}
