//! The File licenses tab (the legacy path): the account's license files,
//! each for one Control Room installation, to download, reconfigure or
//! revoke; and the form that issues one from free file-model entitlements.

use leptos::prelude::*;

use super::usage_table::{UsageNotice, UsageTable};
use super::{use_account_param, TabPanel};
use crate::api::licenses::{
    file_licenses, license_file_download_path, ConfigureLicenseFile, RenewLicenseFile, RevokeLicenseFile,
};
use crate::components::form::{FieldError, RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::pager::{LoadMoreRows, ShownRows};
use crate::components::status::{EmptyState, ErrorNotice};
use crate::domain::{
    license_reference, AccountId, AccountKind, EntitlementId, FileLicensesView, LicenseFileField,
    LicenseFileForm, LicenseFileProblem, LicenseFileState, LicenseFileSummary, UsableEntitlement,
};
use crate::error::AppError;
use crate::i18n::{
    action_on, date_time, file_renewed, file_state_text, license_file_error, months, number,
    quantities_return_on, quantity_for, CommonText, LicensesText,
};

/// The form being filled: a new file, or a new version of one.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Editing {
    New,
    Replace(LicenseFileSummary),
}

/// What the form holds; above the part that re-renders on live updates.
#[derive(Clone, Copy)]
struct FileForm {
    editing: RwSignal<Option<Editing>>,
    host_name: RwSignal<String>,
    host_id: RwSignal<String>,
    quantities: RwSignal<Vec<(EntitlementId, String)>>,
    /// Problems found in the browser, or sent back by the server.
    problems: RwSignal<Vec<LicenseFileProblem>>,
}

impl FileForm {
    fn open(self, editing: Editing) {
        let (host_name, host_id, quantities) = match &editing {
            Editing::New => (String::new(), String::new(), Vec::new()),
            Editing::Replace(file) => (
                file.host_name.clone(),
                file.host_id.clone(),
                file.lines
                    .iter()
                    .map(|l| (l.entitlement, l.quantity.to_string()))
                    .collect(),
            ),
        };
        self.host_name.set(host_name);
        self.host_id.set(host_id);
        self.quantities.set(quantities);
        self.problems.set(Vec::new());
        self.editing.set(Some(editing));
    }

    fn problem(self, field: LicenseFileField) -> Option<crate::domain::LicenseFileFieldError> {
        self.problems
            .get()
            .into_iter()
            .find(|p| p.field == field)
            .map(|p| p.error)
    }
}

/// The tab.
#[component]
pub fn FileLicensesPage() -> impl IntoView {
    let account = use_account_param();
    let live = use_live_changes().of_account(account);
    let configure = ServerAction::<ConfigureLicenseFile>::new();
    let revoke = ServerAction::<RevokeLicenseFile>::new();
    let renew = ServerAction::<RenewLicenseFile>::new();
    let form = FileForm {
        editing: RwSignal::new(None),
        host_name: RwSignal::new(String::new()),
        host_id: RwSignal::new(String::new()),
        quantities: RwSignal::new(Vec::new()),
        problems: RwSignal::new(Vec::new()),
    };
    let rows = ShownRows::new();
    Effect::new(move |_| match configure.value().get() {
        Some(Ok(_)) => form.editing.set(None),
        Some(Err(AppError::InvalidLicenseFile { problems })) => form.problems.set(problems),
        _ => {}
    });
    let data = crate::codec::wire_resource(
        move || {
            (
                account.get(),
                live.get(),
                configure.version().get(),
                revoke.version().get(),
                renew.version().get(),
                rows.for_account(account.get()),
            )
        },
        |(account, .., asked)| async move { file_licenses(account.ok_or(AppError::NotFound)?, asked).await },
    );
    view! { <TabPanel name="file-licenses" data=data content=move |view| view! { <FileLicenses view configure revoke renew form rows /> } /> }
}

#[component]
fn FileLicenses(
    view: FileLicensesView,
    configure: ServerAction<ConfigureLicenseFile>,
    revoke: ServerAction<RevokeLicenseFile>,
    renew: ServerAction<RenewLicenseFile>,
    form: FileForm,
    rows: ShownRows,
) -> impl IntoView {
    let i18n = use_i18n();
    let FileLicensesView {
        account,
        may_change,
        may_download,
        files,
        more_files,
        entitlements,
    } = view;
    let account_id = account.id;
    let other_error = move || {
        configure
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::InvalidLicenseFile { .. }))
            .or_else(|| revoke.value().get().and_then(Result::err))
            .or_else(|| renew.value().get().and_then(Result::err))
    };
    // Said once the renewed file is there to download again.
    let renewed = move || {
        renew
            .value()
            .get()
            .and_then(Result::ok)
            .map(|file| file_renewed(i18n.locale(), &license_reference(file)))
    };
    let may_configure = may_change && !entitlements.is_empty();
    let form_view = {
        let entitlements = entitlements.clone();
        move || {
            form.editing.get().map(|editing| {
                view! { <LicenseFileFormView account=account_id editing entitlements=entitlements.clone() configure form /> }
            })
        }
    };
    view! {
        <h2 id="file-licenses-heading">
            {move || i18n.t(LicensesText::FileLicenses)}
            <span class="panel__subject">{account.name.clone()}</span>
        </h2>
        <p class="panel__hint">{move || i18n.t(LicensesText::FileLicensesHint)}</p>
        <UsageNotice is_partner_account=account.kind == AccountKind::Partner may_change />
        <div aria-live="polite">{move || other_error().map(|error| view! { <ErrorNotice error /> })}</div>
        <p class="status" role="status">{renewed}</p>
        {may_configure
            .then(|| {
                view! {
                    <div class="form-actions">
                        <button
                            type="button"
                            class="button button--primary-inline"
                            on:click=move |_| form.open(Editing::New)
                        >
                            {move || i18n.t(LicensesText::ConfigureLicenseFile)}
                        </button>
                    </div>
                }
            })}
        {form_view}
        {if files.is_empty() {
            view! { <EmptyState title=LicensesText::NoLicenseFiles /> }.into_any()
        } else {
            let shown = files.len();
            view! {
                <FilesTable account=account_id files may_change may_download revoke renew form />
                <LoadMoreRows rows shown more=more_files row_id=file_row_id counted=LicensesText::FilesShown />
            }
            .into_any()
        }}
        <UsageTable entitlements caption=LicensesText::FileEntitlements empty=LicensesText::NoFileEntitlements />
    }
    .into_any()
}

#[component]
fn FilesTable(
    account: AccountId,
    files: Vec<LicenseFileSummary>,
    may_change: bool,
    /// Vendor staff read the files but take none (`domain::access`).
    may_download: bool,
    revoke: ServerAction<RevokeLicenseFile>,
    renew: ServerAction<RenewLicenseFile>,
    form: FileForm,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption>{move || i18n.t(LicensesText::LicenseFilesCaption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(LicensesText::License)}</th>
                        <th scope="col">{move || i18n.t(LicensesText::Host)}</th>
                        <th scope="col">{move || i18n.t(LicensesText::Products)}</th>
                        <th scope="col">{move || i18n.t(LicensesText::Issued)}</th>
                        <th scope="col">{move || i18n.t(LicensesText::ValidUntil)}</th>
                        <th scope="col">{move || i18n.t(CommonText::State)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {files
                        .into_iter()
                        .enumerate()
                        .map(|(index, file)| {
                            let reference = license_reference(file.id);
                            let active = file.state == LicenseFileState::Active;
                            let products = file
                                .lines
                                .iter()
                                .map(|l| (l.product_name.clone(), l.quantity, l.term_months))
                                .collect::<Vec<_>>();
                            let file_id = file.id;
                            let for_edit = file.clone();
                            let returns_at = file.quantities_return_at();
                            let (download_label, renew_label, reconfigure_label, revoke_label) = (
                                reference.clone(),
                                reference.clone(),
                                reference.clone(),
                                reference.clone(),
                            );
                            view! {
                                <tr>
                                    <th scope="row" id=file_row_id(index) tabindex="-1">{reference.clone()}</th>
                                    <td class="wrap">{file.host_name.clone()} <br /> <small>{file.host_id.clone()}</small></td>
                                    <td class="wrap">
                                        {products
                                            .into_iter()
                                            .map(|(name, quantity, term)| {
                                                view! {
                                                    <div>
                                                        {move || {
                                                            format!(
                                                                "{name}: {} ({})",
                                                                number(i18n.locale(), quantity),
                                                                months(i18n.locale(), term),
                                                            )
                                                        }}
                                                    </div>
                                                }
                                            })
                                            .collect_view()}
                                    </td>
                                    <td>{move || date_time(i18n.locale(), file.issued_at)}</td>
                                    <td>{move || date_time(i18n.locale(), file.not_after)}</td>
                                    <td class="wrap">
                                        <span class=format!("badge badge--{}", file.state.as_str())>
                                            {move || file_state_text(i18n.locale(), file.state)}
                                        </span>
                                        {returns_at
                                            .map(|at| {
                                                view! {
                                                    <br />
                                                    <small>{move || quantities_return_on(i18n.locale(), at)}</small>
                                                }
                                            })}
                                    </td>
                                    <td>
                                        <div class="row-actions">
                                            {(may_download && active)
                                                .then(|| {
                                                    view! {
                                                        <a
                                                            class="button"
                                                            href=license_file_download_path(file_id)
                                                            download=format!("{reference}.lic")
                                                            aria-label=move || action_on(i18n.locale(), LicensesText::Download, &download_label)
                                                            rel="external"
                                                        >
                                                            {move || i18n.t(LicensesText::Download)}
                                                        </a>
                                                    }
                                                })}
                                            {(may_change && active)
                                                .then(|| {
                                                    view! {
                                                        <RowAction
                                                            action=LicensesText::Renew
                                                            subject=renew_label
                                                            busy=renew.pending()
                                                            on_click=move || {
                                                                renew.dispatch(RenewLicenseFile { account, file: file_id });
                                                            }
                                                        />
                                                        <RowAction
                                                            action=LicensesText::Reconfigure
                                                            subject=reconfigure_label
                                                            on_click=move || form.open(Editing::Replace(for_edit.clone()))
                                                        />
                                                        <RowAction
                                                            action=LicensesText::Revoke
                                                            subject=revoke_label
                                                            class="button button--danger"
                                                            busy=revoke.pending()
                                                            on_click=move || {
                                                                revoke.dispatch(RevokeLicenseFile { account, file: file_id });
                                                            }
                                                        />
                                                    }
                                                })}
                                        </div>
                                    </td>
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
}

/// The header cell of the file at `index` in the table, for the focus.
fn file_row_id(index: usize) -> String {
    format!("license-file-{index}")
}

/// Issue or reconfigure: host name and id, a quantity per file-model
/// entitlement. Checked in the browser with the server's own rules first.
#[component]
fn LicenseFileFormView(
    account: AccountId,
    editing: Editing,
    entitlements: Vec<UsableEntitlement>,
    configure: ServerAction<ConfigureLicenseFile>,
    form: FileForm,
) -> impl IntoView {
    let i18n = use_i18n();
    // Reconfiguring gives the old file's quantities back first: count them free.
    let (replaces, offered) = match &editing {
        Editing::New => (None, entitlements),
        Editing::Replace(file) => (
            Some(file.id),
            entitlements
                .into_iter()
                .map(|mut e| {
                    let held: i64 = file
                        .lines
                        .iter()
                        .filter(|l| l.entitlement == e.id)
                        .map(|l| l.quantity)
                        .sum();
                    e.in_use -= held;
                    e
                })
                .collect(),
        ),
    };
    let offered = StoredValue::new(offered);
    let fixed_host = replaces.is_some();
    let heading = if fixed_host {
        LicensesText::ReconfigureLicenseFile
    } else {
        LicensesText::ConfigureLicenseFile
    };
    let current = move || LicenseFileForm {
        host_name: form.host_name.get_untracked(),
        host_id: form.host_id.get_untracked(),
        quantities: offered.with_value(|offered| {
            let typed = form.quantities.get_untracked();
            offered
                .iter()
                .map(|e| {
                    let text = typed
                        .iter()
                        .find(|(id, _)| *id == e.id)
                        .map(|(_, t)| t.clone())
                        .unwrap_or_default();
                    (e.id, text)
                })
                .collect()
        }),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = current();
        match offered.with_value(|offered| typed.validate(offered)) {
            Err(problems) => form.problems.set(problems),
            Ok(_) => {
                form.problems.set(Vec::new());
                configure.dispatch(ConfigureLicenseFile {
                    account,
                    form: typed,
                    replaces,
                });
            }
        }
    };
    let message = move |field: LicenseFileField| {
        Signal::derive(move || form.problem(field).map(|e| license_file_error(i18n.locale(), &e)))
    };
    let set_quantity = move |id: EntitlementId, text: String| {
        form.quantities
            .update(|q| match q.iter_mut().find(|(e, _)| *e == id) {
                Some(entry) => entry.1 = text,
                None => q.push((id, text)),
            });
    };
    let quantity_fields = offered.with_value(|offered| {
        offered
            .iter()
            .map(|e| {
                let id = e.id;
                let input_id = format!("file-quantity-{id}");
                let error_id = format!("{input_id}-error");
                let hint_id = format!("{input_id}-hint");
                let (name, term, source, free) = (e.product_name.clone(), e.term_months, e.source.clone(), e.free());
                let label_name = name.clone();
                view! {
                    <div class="field field--quantity">
                        <label for=input_id.clone()>{move || quantity_for(i18n.locale(), &label_name)}</label>
                        <p class="field__hint" id=hint_id.clone()>
                            {move || {
                                format!(
                                    "{} · {source} · {} {}",
                                    months(i18n.locale(), term),
                                    number(i18n.locale(), free),
                                    i18n.t(LicensesText::Free).to_lowercase(),
                                )
                            }}
                        </p>
                        <input
                            id=input_id.clone()
                            type="number"
                            min="0"
                            inputmode="numeric"
                            prop:value=move || {
                                form.quantities
                                    .get()
                                    .into_iter()
                                    .find(|(e, _)| *e == id)
                                    .map(|(_, t)| t)
                                    .unwrap_or_default()
                            }
                            aria-invalid=move || form.problem(LicenseFileField::Quantity(id)).is_some().then_some("true")
                            aria-describedby=format!("{hint_id} {error_id}")
                            on:input=move |ev| set_quantity(id, event_target_value(&ev))
                        />
                        <FieldError id=error_id message=message(LicenseFileField::Quantity(id)) />
                    </div>
                }
            })
            .collect_view()
    });
    view! {
        <form class="license-form" on:submit=submit novalidate aria-labelledby="license-form-heading">
            <h3 id="license-form-heading">{move || i18n.t(heading)}</h3>
            {fixed_host.then(|| view! { <p class="notice">{move || i18n.t(LicensesText::ReconfigureHint)}</p> })}
            {if fixed_host {
                view! {
                    <dl class="facts">
                        <dt>{move || i18n.t(LicensesText::HostName)}</dt>
                        <dd>{move || form.host_name.get()}</dd>
                        <dt>{move || i18n.t(LicensesText::HostId)}</dt>
                        <dd>{move || form.host_id.get()}</dd>
                    </dl>
                }
                    .into_any()
            } else {
                view! {
                    <TextField
                        id="host-name"
                        label=Signal::derive(move || i18n.t(LicensesText::HostName).to_string())
                        value=form.host_name
                        error=message(LicenseFileField::HostName)
                    />
                    <TextField
                        id="host-id"
                        label=Signal::derive(move || i18n.t(LicensesText::HostId).to_string())
                        hint=Signal::derive(move || i18n.t(LicensesText::HostIdHint).to_string())
                        value=form.host_id
                        error=message(LicenseFileField::HostId)
                    />
                }
                    .into_any()
            }}
            <fieldset class="quantities">
                <legend>{move || i18n.t(LicensesText::Products)}</legend>
                {quantity_fields}
                <FieldError id="file-quantities-error".into() message=message(LicenseFileField::Quantities) />
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="button button--primary-inline" disabled=move || configure.pending().get()>
                    {move || i18n.t(LicensesText::IssueLicenseFile)}
                </button>
                <button type="button" class="button" on:click=move |_| form.editing.set(None)>
                    {move || i18n.t(CommonText::Close)}
                </button>
            </div>
        </form>
    }
    .into_any()
}
