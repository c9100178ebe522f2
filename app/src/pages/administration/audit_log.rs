//! Administration → Audit log (SPEC, "Audit log"): every change, newest
//! first, filtered by actor, account, kind and dates, and the same entries
//! as a CSV export.

use leptos::prelude::*;

use crate::api::audit::audit_log;
use crate::components::form::TextField;
use crate::components::i18n::use_i18n;
use crate::components::status::{mark_live, EmptyState, ErrorNotice, Loading};
use crate::domain::{AuditEntry, AuditKind, AuditPage, AuditQuery};
use crate::error::AppError;
use crate::i18n::{audit_export_href, audit_kind_text, date_time, AuditText, CommonText, SectionText};

/// The screen.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let (actor, account, from, until) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let kind = RwSignal::new(None::<AuditKind>);
    let applied = RwSignal::new(AuditQuery::default());
    let first = crate::codec::wire_resource(move || applied.get(), |query| audit_log(query, None));
    let date_problem = move |field: &'static str| {
        Signal::derive(move || match first.get() {
            Some(Err(AppError::InvalidInput { field: f })) if f == field => {
                Some(i18n.t(AuditText::BadDate).to_string())
            }
            _ => None,
        })
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        applied.set(AuditQuery {
            actor: actor.get_untracked(),
            account: account.get_untracked(),
            kind: kind.get_untracked(),
            from: from.get_untracked(),
            until: until.get_untracked(),
        });
    };
    let entries = move || {
        Suspend::new(async move {
            match first.await {
                Ok(page) => {
                    let list = view! { <EntryList page query=applied.get_untracked() /> }.into_any();
                    mark_live("audit-log-tab".to_string());
                    list
                }
                // Shown next to its field.
                Err(AppError::InvalidInput { .. }) => ().into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" id="audit-log-tab" aria-labelledby="audit-log-heading">
            <h2 id="audit-log-heading">{move || i18n.t(SectionText::AuditLog)}</h2>
            <p class="panel__hint">{move || i18n.t(AuditText::AuditLogHint)}</p>
            <form class="filters" aria-label=move || i18n.t(AuditText::AuditFilters) on:submit=apply>
                <TextField
                    id="audit-actor"
                    label=Signal::derive(move || i18n.t(AuditText::Actor).to_string())
                    hint=Signal::derive(move || i18n.t(AuditText::ActorHint).to_string())
                    value=actor
                    error=Signal::derive(|| None::<String>)
                />
                <TextField
                    id="audit-account"
                    label=Signal::derive(move || i18n.t(AuditText::Account).to_string())
                    value=account
                    error=Signal::derive(|| None::<String>)
                />
                <div class="field">
                    <label for="audit-kind">{move || i18n.t(AuditText::Kind)}</label>
                    <select
                        id="audit-kind"
                        on:change=move |ev| kind.set(AuditKind::parse(&event_target_value(&ev)))
                    >
                        <option value="" selected=move || kind.get().is_none()>
                            {move || i18n.t(AuditText::AllKinds)}
                        </option>
                        {AuditKind::ALL
                            .iter()
                            .map(|k| {
                                let k = *k;
                                view! {
                                    <option value=k.as_str() selected=move || kind.get() == Some(k)>
                                        {move || i18n.t(audit_kind_text(k))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <TextField
                    id="audit-from"
                    label=Signal::derive(move || i18n.t(AuditText::From).to_string())
                    value=from
                    error=date_problem("from")
                    input_type="date"
                />
                <TextField
                    id="audit-until"
                    label=Signal::derive(move || i18n.t(AuditText::Until).to_string())
                    value=until
                    error=date_problem("until")
                    input_type="date"
                />
                <div class="filters__actions">
                    <button type="submit" class="button button--primary">
                        {move || i18n.t(AuditText::ApplyFilters)}
                    </button>
                    <a class="button" href=move || audit_export_href(&applied.get()) download="audit-log.csv">
                        {move || i18n.t(AuditText::ExportCsv)}
                    </a>
                </div>
            </form>
            <Transition fallback=Loading>{entries}</Transition>
        </section>
    }
}

#[component]
fn EntryList(page: AuditPage, query: AuditQuery) -> impl IntoView {
    let i18n = use_i18n();
    if page.entries.is_empty() {
        return view! { <EmptyState title=AuditText::NoEntries /> }.into_any();
    }
    let rows = RwSignal::new(page.entries);
    let next = RwSignal::new(page.next);
    let loading = RwSignal::new(false);
    let load_more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        let query = query.clone();
        loading.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(page) = audit_log(query, Some(after)).await {
                next.set(page.next);
                rows.update(|r| r.extend(page.entries));
            }
            loading.set(false);
        });
    };
    let row = move |entry: AuditEntry| {
        let at = entry.at;
        let what = audit_kind_text(entry.kind);
        view! {
            <tr>
                <td>{move || date_time(i18n.locale(), at)}</td>
                <td>{entry.actor}</td>
                <td>{entry.address.unwrap_or_default()}</td>
                <td>{move || i18n.t(what)}</td>
                <td>{entry.object_label}</td>
                <td>{entry.account_name.unwrap_or_default()}</td>
                <td class="audit-change">{entry.before.unwrap_or_default()}</td>
                <td class="audit-change">{entry.after.unwrap_or_default()}</td>
            </tr>
        }
    };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(SectionText::AuditLog)>
            <table class="table">
                <caption class="visually-hidden">{move || i18n.t(SectionText::AuditLog)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(AuditText::When)}</th>
                        <th scope="col">{move || i18n.t(AuditText::Actor)}</th>
                        <th scope="col">{move || i18n.t(AuditText::Address)}</th>
                        <th scope="col">{move || i18n.t(AuditText::What)}</th>
                        <th scope="col">{move || i18n.t(AuditText::Object)}</th>
                        <th scope="col">{move || i18n.t(AuditText::Account)}</th>
                        <th scope="col">{move || i18n.t(AuditText::Before)}</th>
                        <th scope="col">{move || i18n.t(AuditText::After)}</th>
                    </tr>
                </thead>
                <tbody>{move || rows.get().into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <p class="pager" hidden=move || next.get().is_none()>
            <button type="button" class="button" disabled=move || loading.get() on:click=load_more>
                {move || i18n.t(CommonText::LoadMore)}
            </button>
        </p>
    }
    .into_any()
}
