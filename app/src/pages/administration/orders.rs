//! Administration → Orders: the list with each order's lines and balances,
//! New order (lines added one by one), Edit (the date corrected, lines
//! added), Deactivate and Reactivate, and Import orders (CSV) through the
//! same procedure as `server orders import`.

use leptos::prelude::*;

use super::shared::{
    first_page_view, standing_action, AccountPicker, Editing, FormFooter, FormOutcome, ListTable, Pages,
    RowActions, Section, SectionFrame, StandingBadge,
};
use crate::api::administration::{
    create_order, import_orders, list_admin_orders, list_orderable_products, set_order_active, update_order,
};
use crate::components::file_input::read_chosen_file;
use crate::components::form::{FieldError, RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::pager::focus_element;
use crate::components::status::{EmptyState, ErrorNotice};
use crate::domain::{
    AccountKind, AdminField, ImportProblem, ImportSummary, OrderChange, OrderForm, OrderLineForm, OrderRow,
    ProductId, ProductRow, Standing,
};
use crate::error::AppError;
use crate::i18n::{
    admin_rule_text, editing as editing_heading, imported, months, number, order_line, AdminText, CommonText,
    SectionText,
};

/// The section.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let section = Section::<OrderRow>::new();
    let first = section.first_page(|search| list_admin_orders(search, None));
    view! {
        <SectionFrame
            id="orders"
            search_id="orders-search"
            heading=SectionText::Orders
            hint=AdminText::OrdersHint
            new=AdminText::NewOrder
            on_new=Callback::new(move |()| section.open(Editing::New, "order-number"))
            notice=section.notice
            applied=section.applied
            editor=ViewFn::from(move || section.editing.get().map(|open| view! { <OrderEditor open section /> }))
            extra=ViewFn::from(move || view! { <OrdersImport section /> })
            list=ViewFn::from(move || {
                first_page_view("orders", first, move |page| {
                    view! { <OrderList pages=Pages::new(page) section /> }.into_any()
                })
            })
        />
    }
}

#[component]
fn OrderList(pages: Pages<OrderRow>, section: Section<OrderRow>) -> impl IntoView {
    let i18n = use_i18n();
    if pages.rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AdminText::NothingMatches /> }.into_any();
    }
    let actions = RowActions::new(section);
    let row = move |order: OrderRow| {
        let (id, standing) = (order.id, order.standing);
        let subject = order.number.clone();
        let edit = order.clone();
        let lines = order
            .lines
            .iter()
            .map(|l| format!("{} × {}", l.product_name, l.quantity))
            .collect::<Vec<_>>()
            .join(", ");
        let total: i64 = order.lines.iter().map(|l| l.quantity).sum();
        view! {
            <tr>
                <th scope="row">{order.number.clone()}</th>
                <td>{order.partner.clone()}</td>
                <td>{order.ordered_on.clone()}</td>
                <td>{lines}</td>
                <td class="number">{move || number(i18n.locale(), total)}</td>
                <td><StandingBadge standing of_order=true /></td>
                <td class="row-actions">
                    <RowAction
                        action=AdminText::Edit
                        subject=subject.clone()
                        on_click=move || section.open(Editing::Row(edit.clone()), "order-date")
                    />
                    <RowAction
                        action=standing_action(standing)
                        subject
                        busy=actions.busy
                        on_click=move || {
                            let active = standing != Standing::Active;
                            actions.run(async move { set_order_active(id, active).await.map(|()| None) });
                        }
                    />
                </td>
            </tr>
        }
    };
    view! {
        <ListTable
            caption=SectionText::Orders
            columns=vec![AdminText::OrderNumber.into(), AdminText::Partner.into(), AdminText::Date.into(), AdminText::Lines.into(), AdminText::TotalQuantity.into(), CommonText::State.into(), CommonText::Actions.into()]
            pages
            actions
            row=move |r| row(r).into_any()
            applied=section.applied
            read=|search, after| list_admin_orders(search, Some(after))
        />
    }
    .into_any()
}

/// A line of the form as it is typed.
#[derive(Clone, Copy)]
struct LineFields {
    key: usize,
    product: RwSignal<Option<ProductId>>,
    quantity: RwSignal<String>,
    term: RwSignal<String>,
}

impl LineFields {
    fn new(key: usize) -> Self {
        Self {
            key,
            product: RwSignal::new(None),
            quantity: RwSignal::new(String::new()),
            term: RwSignal::new("12".to_string()),
        }
    }

    fn form(self) -> OrderLineForm {
        OrderLineForm {
            product: self.product.get_untracked(),
            quantity: self.quantity.get_untracked(),
            term_months: self.term.get_untracked(),
        }
    }
}

#[component]
fn OrderEditor(open: Editing<OrderRow>, section: Section<OrderRow>) -> impl IntoView {
    let i18n = use_i18n();
    let existing = match &open {
        Editing::New => None,
        Editing::Row(row) => Some(row.clone()),
    };
    let number_typed = RwSignal::new(String::new());
    let partner = RwSignal::new(None);
    let date = RwSignal::new(
        existing
            .as_ref()
            .map(|o| o.ordered_on.clone())
            .unwrap_or_default(),
    );
    let next_key = StoredValue::new(1usize);
    let lines = RwSignal::new(if existing.is_some() {
        Vec::new()
    } else {
        vec![LineFields::new(0)]
    });
    let products = crate::codec::wire_resource(|| (), |_| list_orderable_products());
    let outcome = FormOutcome::new();
    let add_line = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        lines.update(|l| l.push(LineFields::new(key)));
        request_animation_frame(move || focus_element(&format!("order-line-{key}-product")));
    };
    let existing_count = existing.as_ref().map_or(0, |o| o.lines.len());
    let id = existing.as_ref().map(|o| o.id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed: Vec<OrderLineForm> = lines.get_untracked().into_iter().map(LineFields::form).collect();
        let done = move |()| section.changed(Some(i18n.t(AdminText::Saved).to_string()));
        match id {
            None => {
                let form = OrderForm {
                    number: number_typed.get_untracked(),
                    partner: partner.get_untracked(),
                    ordered_on: date.get_untracked(),
                    lines: typed,
                };
                outcome.run(move || async move { create_order(form).await.map(|_| ()) }, done);
            }
            Some(id) => {
                let change = OrderChange {
                    ordered_on: date.get_untracked(),
                    new_lines: typed,
                };
                outcome.run(move || update_order(id, change), done);
            }
        }
    };
    let heading = {
        let number = existing.as_ref().map(|o| o.number.clone());
        move || match &number {
            None => i18n.t(AdminText::NewOrder).to_string(),
            Some(number) => editing_heading(i18n.locale(), number),
        }
    };
    let line_view = move |(place, line): (usize, LineFields)| {
        let key = line.key;
        let place = place + 1;
        let field = u16::try_from(place).unwrap_or(u16::MAX);
        let product_id = format!("order-line-{key}-product");
        let product_problem = outcome.problem(AdminField::Product(field));
        let options = move || {
            products
                .get()
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .map(|p: ProductRow| {
                    let id = p.id;
                    view! {
                        <option value=id.0.to_string() selected=move || line.product.get() == Some(id)>
                            {format!("{} ({})", p.name, p.sku)}
                        </option>
                    }
                })
                .collect_view()
        };
        view! {
            <fieldset class="order-line">
                <legend>{move || order_line(i18n.locale(), existing_count + place)}</legend>
                <div class="field">
                    <label for=product_id.clone()>{move || i18n.t(AdminText::Product)}</label>
                    <select
                        id=product_id.clone()
                        aria-invalid=move || product_problem.get().is_some().then_some("true")
                        aria-describedby=move || product_problem.get().is_some().then(|| format!("order-line-{key}-product-error"))
                        on:change=move |ev| line.product.set(event_target_value(&ev).parse().ok().map(ProductId))
                    >
                        <option value="" selected=move || line.product.get().is_none()>
                            {move || i18n.t(AdminText::Choose)}
                        </option>
                        {options}
                    </select>
                    <FieldError id=format!("order-line-{key}-product-error") message=product_problem />
                </div>
                <LineNumberField key name="quantity" label=AdminText::Quantity value=line.quantity error=outcome.problem(AdminField::Quantity(field)) />
                <LineNumberField key name="term" label=AdminText::TermMonths value=line.term error=outcome.problem(AdminField::Term(field)) />
                <RowAction
                    action=AdminText::RemoveLine
                    subject=order_line(i18n.locale(), existing_count + place)
                    on_click=move || lines.update(|l| l.retain(|f| f.key != key))
                />
            </fieldset>
        }
        .into_any()
    };
    let lines_problem = outcome.problem(AdminField::Lines);
    view! {
        <section class="editor" aria-labelledby="order-editor-heading">
            <h3 id="order-editor-heading">{heading}</h3>
            <form on:submit=save novalidate>
                {existing
                    .is_none()
                    .then(|| {
                        view! {
                            <TextField
                                id="order-number"
                                label=Signal::derive(move || i18n.t(AdminText::OrderNumber).to_string())
                                value=number_typed
                                error=outcome.problem(AdminField::OrderNumber)
                                autocomplete="off"
                            />
                            <AccountPicker
                                id="order-partner"
                                label=AdminText::Partner
                                kind=AccountKind::Partner
                                selected=partner
                                error=outcome.problem(AdminField::Partner)
                            />
                        }
                        .into_any()
                    })}
                {existing.as_ref().map(|o| view! { <ExistingLines order=o.clone() /> }.into_any())}
                <TextField
                    id="order-date"
                    label=Signal::derive(move || i18n.t(AdminText::OrderDate).to_string())
                    value=date
                    error=outcome.problem(AdminField::OrderDate)
                    input_type="date"
                />
                {move || lines.get().into_iter().enumerate().map(line_view).collect_view()}
                <p class="field__error" aria-live="polite">{move || lines_problem.get()}</p>
                <p>
                    <button type="button" class="button" on:click=add_line>{move || i18n.t(AdminText::AddLine)}</button>
                </p>
                <FormFooter outcome on_close=Callback::new(move |()| section.editing.set(None)) />
            </form>
        </section>
    }
    .into_any()
}

/// A number field of an order line, named for its line by the fieldset.
#[component]
fn LineNumberField(
    key: usize,
    name: &'static str,
    label: AdminText,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("order-line-{key}-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.t(label)}</label>
            <input
                id=id.clone()
                type="text"
                inputmode="numeric"
                prop:value=move || value.get()
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby={
                    let error_id = error_id.clone();
                    move || error.get().is_some().then(|| error_id.clone())
                }
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <FieldError id=error_id message=error />
        </div>
    }
}

/// An order's lines as they stand, above the lines Edit adds.
#[component]
fn ExistingLines(order: OrderRow) -> impl IntoView {
    let i18n = use_i18n();
    let rows = order
        .lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let term = line.term_months;
            view! {
                <tr>
                    <td>{move || order_line(i18n.locale(), i + 1)}</td>
                    <td>{line.product_name}</td>
                    <td class="number">{move || number(i18n.locale(), line.quantity)}</td>
                    <td>{move || months(i18n.locale(), term)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="field__hint">{format!("{} — {}", order.number, order.partner)}</p>
        <table class="table">
            <caption class="visually-hidden">{move || i18n.t(AdminText::Lines)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(AdminText::Line)}</th>
                    <th scope="col">{move || i18n.t(AdminText::Product)}</th>
                    <th scope="col">{move || i18n.t(AdminText::Quantity)}</th>
                    <th scope="col">{move || i18n.t(AdminText::TermMonths)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Import orders (CSV): the file is read in the browser and sent whole;
/// every bad row comes back with its line and column, nothing imported.
#[component]
fn OrdersImport(section: Section<OrderRow>) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<ImportSummary, AppError>>);
    let pending = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        outcome.set(None);
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = match read_chosen_file(&ev).await {
                Some(text) => import_orders(text).await,
                None => Err(AppError::InvalidInput { field: "file".into() }),
            };
            if result.is_ok() {
                section.changed(None);
            }
            outcome.set(Some(result));
            pending.set(false);
        });
    };
    let result = move || {
        match outcome.get() {
        None => ().into_any(),
        Some(Ok(summary)) => view! {
            <p class="status" role="status">{move || imported(i18n.locale(), summary.orders, summary.lines)}</p>
        }
        .into_any(),
        Some(Err(AppError::InvalidImport { problems })) => view! { <ImportProblems problems /> }.into_any(),
        Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
    }
    };
    view! {
        <div class="field import">
            <label for="orders-import">{move || i18n.t(AdminText::ImportOrders)}</label>
            <p class="field__hint" id="orders-import-hint">{move || i18n.t(AdminText::ImportHint)}</p>
            <input
                id="orders-import"
                type="file"
                accept=".csv,text/csv"
                aria-describedby="orders-import-hint"
                disabled=move || pending.get()
                on:change=on_change
            />
        </div>
        {result}
    }
}

#[component]
fn ImportProblems(problems: Vec<ImportProblem>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = problems
        .into_iter()
        .map(|p| {
            let rule = p.rule;
            view! {
                <tr>
                    <td class="number">{p.line}</td>
                    <td>{p.column}</td>
                    <td>{move || admin_rule_text(i18n.locale(), &rule)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div role="alert">
            <p class="form-error">{move || i18n.t(AdminText::ImportRefused)}</p>
        </div>
        <table class="table">
            <caption>{move || i18n.t(AdminText::ImportProblems)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(AdminText::Line)}</th>
                    <th scope="col">{move || i18n.t(AdminText::Column)}</th>
                    <th scope="col">{move || i18n.t(AdminText::Problem)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
