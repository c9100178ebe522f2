//! The Cloud services tab: the account's Control Rooms and IQ Bot servers
//! with their state and address; the managing partner provisions a Ready
//! one and retries a Failed one. States change by themselves on screen as
//! the provisioner reports.

use leptos::prelude::*;

use super::usage_table::UsageNotice;
use super::{use_account_param, TabPanel};
use crate::api::licenses::{cloud_services, ProvisionInstance, RetryProvisioning};
use crate::components::form::{FieldError, RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::pager::{LoadMoreRows, ShownRows};
use crate::components::status::{EmptyState, ErrorNotice, InstanceBadge};
use crate::domain::{
    AccountId, AccountKind, CloudServicesView, InstanceState, ProvisioningError, Region, ServiceInstance,
    ServiceInstanceId, TenantName,
};
use crate::error::AppError;
use crate::i18n::{
    action_on, provisioning_error, region_text, tenant_error, CloudServicesText, CommonText, LicensesText,
};

/// The provisioning form; above the part that re-renders on live updates.
#[derive(Clone, Copy)]
struct ProvisionForm {
    /// The instance being provisioned, and its name for the heading.
    instance: RwSignal<Option<(ServiceInstanceId, String)>>,
    region: RwSignal<String>,
    tenant: RwSignal<String>,
    /// The tenant name's problem, or a refusal of the whole request.
    problem: RwSignal<Option<ProvisioningError>>,
    /// No region chosen (checked beside the tenant name, so both show).
    no_region: RwSignal<bool>,
}

/// The tab.
#[component]
pub fn CloudServicesPage() -> impl IntoView {
    let account = use_account_param();
    let live = use_live_changes().of_account(account);
    let provision = ServerAction::<ProvisionInstance>::new();
    let retry = ServerAction::<RetryProvisioning>::new();
    let form = ProvisionForm {
        instance: RwSignal::new(None),
        region: RwSignal::new(String::new()),
        tenant: RwSignal::new(String::new()),
        problem: RwSignal::new(None),
        no_region: RwSignal::new(false),
    };
    let rows = ShownRows::new();
    Effect::new(move |_| match provision.value().get() {
        Some(Ok(())) => form.instance.set(None),
        Some(Err(AppError::InvalidProvisioning {
            problem: ProvisioningError::NoRegion,
        })) => form.no_region.set(true),
        Some(Err(AppError::InvalidProvisioning { problem })) => form.problem.set(Some(problem)),
        _ => {}
    });
    let data = crate::codec::wire_resource(
        move || {
            (
                account.get(),
                live.get(),
                provision.version().get(),
                retry.version().get(),
                rows.for_account(account.get()),
            )
        },
        |(account, .., asked)| async move { cloud_services(account.ok_or(AppError::NotFound)?, asked).await },
    );
    view! { <TabPanel name="cloud-services" data=data content=move |view| view! { <CloudServices view provision retry form rows /> } /> }
}

#[component]
fn CloudServices(
    view: CloudServicesView,
    provision: ServerAction<ProvisionInstance>,
    retry: ServerAction<RetryProvisioning>,
    form: ProvisionForm,
    rows: ShownRows,
) -> impl IntoView {
    let i18n = use_i18n();
    let CloudServicesView {
        account,
        may_change,
        instances,
        more_instances,
    } = view;
    let account_id = account.id;
    let other_error = move || {
        provision
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::InvalidProvisioning { .. }))
            .or_else(|| retry.value().get().and_then(Result::err))
    };
    view! {
        <h2 id="cloud-services-heading">
            {move || i18n.t(CloudServicesText::CloudServices)}
            <span class="panel__subject">{account.name.clone()}</span>
        </h2>
        <p class="panel__hint">{move || i18n.t(CloudServicesText::CloudServicesHint)}</p>
        <UsageNotice is_partner_account=account.kind == AccountKind::Partner may_change />
        <div aria-live="polite">{move || other_error().map(|error| view! { <ErrorNotice error /> })}</div>
        {if instances.is_empty() {
            view! { <EmptyState title=CloudServicesText::NoServices /> }.into_any()
        } else {
            let shown = instances.len();
            view! {
                <InstancesTable account=account_id instances may_change retry form />
                <LoadMoreRows rows shown more=more_instances row_id=instance_row_id counted=CloudServicesText::InstancesShown />
            }
            .into_any()
        }}
        {move || {
            form.instance
                .get()
                .filter(|_| may_change)
                .map(|(instance, name)| view! { <ProvisionFormView account=account_id instance name provision form /> })
        }}
    }
    .into_any()
}

/// The header cell of the instance at `index` in the table, for the focus.
fn instance_row_id(index: usize) -> String {
    format!("service-instance-{index}")
}

#[component]
fn InstancesTable(
    account: AccountId,
    instances: Vec<ServiceInstance>,
    may_change: bool,
    retry: ServerAction<RetryProvisioning>,
    form: ProvisionForm,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption>{move || i18n.t(CloudServicesText::ServicesCaption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CloudServicesText::Service)}</th>
                        <th scope="col">{move || i18n.t(LicensesText::LicenseGuid)}</th>
                        <th scope="col">{move || i18n.t(CommonText::State)}</th>
                        <th scope="col">{move || i18n.t(CloudServicesText::Region)}</th>
                        <th scope="col">{move || i18n.t(CloudServicesText::Tenant)}</th>
                        <th scope="col">{move || i18n.t(CloudServicesText::Address)}</th>
                        {may_change.then(|| view! { <th scope="col">{move || i18n.t(CommonText::Actions)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {instances
                        .into_iter()
                        .enumerate()
                        .map(|(index, instance)| {
                            let id = instance.id;
                            // Named by product and the start of its GUID: two Control Rooms differ.
                            let name = format!("{} {}", instance.product_name, &instance.license_guid[..8]);
                            let (provision_name, retry_name) = (name.clone(), name.clone());
                            let state = instance.state;
                            // What the provisioner said stays with the operators (the
                            // server log, the instance's row): it may name their systems.
                            let failed = state == InstanceState::Failed;
                            view! {
                                <tr>
                                    <th scope="row" id=instance_row_id(index) tabindex="-1">{instance.product_name.clone()}</th>
                                    <td><code>{instance.license_guid.clone()}</code></td>
                                    <td class="wrap">
                                        <InstanceBadge state />
                                        {failed.then(|| view! { <div><small>{move || i18n.t(CloudServicesText::ProvisioningFailedHint)}</small></div> })}
                                    </td>
                                    <td>{move || instance.region.map(|r| region_text(i18n.locale(), r))}</td>
                                    <td>{instance.tenant_name.clone()}</td>
                                    <td>
                                        {instance
                                            .url
                                            .clone()
                                            .filter(|_| state == InstanceState::Active)
                                            .map(|url| view! { <a href=url.clone() rel="external noopener" target="_blank">{url.clone()}</a> })}
                                    </td>
                                    {may_change
                                        .then(|| {
                                            view! {
                                                <td>
                                                    {(state == InstanceState::Ready)
                                                        .then(|| {
                                                            view! {
                                                                <RowAction
                                                                    action=CloudServicesText::Provision
                                                                    subject=provision_name.clone()
                                                                    class="button button--primary-inline"
                                                                    on_click=move || {
                                                                        form.problem.set(None);
                                                                        form.no_region.set(false);
                                                                        form.tenant.set(String::new());
                                                                        form.instance.set(Some((id, provision_name.clone())));
                                                                    }
                                                                />
                                                            }
                                                        })}
                                                    {(state == InstanceState::Failed)
                                                        .then(|| {
                                                            view! {
                                                                <RowAction
                                                                    action=CloudServicesText::Retry
                                                                    subject=retry_name
                                                                    busy=retry.pending()
                                                                    on_click=move || {
                                                                        retry.dispatch(RetryProvisioning { account, instance: id });
                                                                    }
                                                                />
                                                            }
                                                        })}
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
}

/// Region and tenant name for one Ready instance, checked as typed.
#[component]
fn ProvisionFormView(
    account: AccountId,
    instance: ServiceInstanceId,
    name: String,
    provision: ServerAction<ProvisionInstance>,
    form: ProvisionForm,
) -> impl IntoView {
    let i18n = use_i18n();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (region, tenant) = (form.region.get_untracked(), form.tenant.get_untracked());
        let problem = TenantName::parse(&tenant).err().map(ProvisioningError::from);
        let no_region = Region::parse(&region).is_none();
        form.problem.set(problem.clone());
        form.no_region.set(no_region);
        if problem.is_none() && !no_region {
            provision.dispatch(ProvisionInstance {
                account,
                instance,
                region,
                tenant,
            });
        }
    };
    let tenant_problem = Signal::derive(move || match form.problem.get() {
        Some(ProvisioningError::Tenant(e)) => Some(tenant_error(i18n.locale(), &e)),
        _ => None,
    });
    let region_problem = Signal::derive(move || {
        form.no_region
            .get()
            .then(|| provisioning_error(i18n.locale(), &ProvisioningError::NoRegion))
    });
    let other_problem = move || match form.problem.get() {
        Some(p @ ProvisioningError::NotReady(_)) => Some(provisioning_error(i18n.locale(), &p)),
        _ => None,
    };
    view! {
        <form class="license-form" on:submit=submit novalidate aria-labelledby="provision-heading">
            <h3 id="provision-heading">{move || action_on(i18n.locale(), CloudServicesText::Provision, &name)}</h3>
            <p class="form-error" role="alert">{other_problem}</p>
            <div class="field">
                <label for="provision-region">{move || i18n.t(CloudServicesText::Region)}</label>
                <select
                    id="provision-region"
                    prop:value=move || form.region.get()
                    aria-invalid=move || region_problem.get().is_some().then_some("true")
                    aria-describedby="provision-region-error"
                    on:change=move |ev| {
                        form.region.set(event_target_value(&ev));
                        form.no_region.set(false);
                    }
                >
                    <option value="">{move || i18n.t(CloudServicesText::ChooseRegion)}</option>
                    {Region::ALL
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str()>{move || region_text(i18n.locale(), r)}</option> })
                        .collect_view()}
                </select>
                <FieldError id="provision-region-error".into() message=region_problem />
            </div>
            <TextField
                id="tenant-name"
                label=Signal::derive(move || i18n.t(CloudServicesText::TenantName).to_string())
                hint=Signal::derive(move || i18n.t(CloudServicesText::TenantNameHint).to_string())
                value=form.tenant
                error=tenant_problem
            />
            <div class="form-actions">
                <button type="submit" class="button button--primary-inline" disabled=move || provision.pending().get()>
                    {move || i18n.t(CloudServicesText::StartProvisioning)}
                </button>
                <button type="button" class="button" on:click=move |_| form.instance.set(None)>
                    {move || i18n.t(CommonText::Close)}
                </button>
            </div>
        </form>
    }
    .into_any()
}
