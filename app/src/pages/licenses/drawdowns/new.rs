//! "New partner drawdown request": the form, checked as the user types by
//! the same validation the server runs, with the request's effect shown
//! before saving. `?clone=ID` prefills it from an earlier request.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::drawdowns::{new_drawdown_form, SaveDrawdown};
use crate::components::form::{FieldError, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::{ErrorNotice, Loading};
use crate::domain::{
    matching_customer, DrawdownField, DrawdownFieldError, DrawdownForm, DrawdownFormData, DrawdownId,
    FieldProblem, OrderId, OrderLineId,
};
use crate::error::AppError;
use crate::i18n::{
    available_on_line, existing_customer_notice, field_error, number, prefilled_from, quantity_for,
    CommonText, DrawdownsText,
};
use crate::pages::licenses::use_account_param;

/// The page.
#[component]
pub fn NewDrawdownPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    let query = use_query_map();
    let clone = Memo::new(move |_| {
        query
            .read()
            .get("clone")
            .and_then(|c| c.parse().ok())
            .map(DrawdownId)
    });
    // Not live: a form being filled in must not reset under the user's hands.
    let data = crate::codec::wire_resource(
        move || (account.get(), clone.get()),
        |(account, clone)| async move { new_drawdown_form(account.ok_or(AppError::NotFound)?, clone).await },
    );
    view! {
        <section class="panel" aria-labelledby="new-drawdown-heading">
            <h2 id="new-drawdown-heading">{move || i18n.t(DrawdownsText::NewDrawdownHeading)}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <DrawdownFormView data /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DrawdownFormView(data: DrawdownFormData) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let account = use_account_param();
    let DrawdownFormData {
        partner_id: _,
        cloned_from: clone_source,
        orders,
        customers,
        prefill_order,
        prefill,
    } = data;
    let cloned_id = clone_source.map(|(id, _)| id).unwrap_or(DrawdownId(0));
    let clone_source = clone_source.map(|(_, number)| number);
    let orders = StoredValue::new(orders);
    let customers = StoredValue::new(customers);

    let order = RwSignal::new(prefill_order);
    let customer_account = RwSignal::new(prefill.customer_account.clone());
    let customer_website = RwSignal::new(prefill.customer_website.clone());
    let customer_name = RwSignal::new(prefill.customer_name.clone());
    let customer_email = RwSignal::new(prefill.customer_email.clone());
    // One entry per line of the chosen order; a clone's quantities first.
    let quantities_for =
        move |order: Option<OrderId>, prefill: &[(OrderLineId, String)]| -> Vec<(OrderLineId, String)> {
            orders.with_value(|orders| {
                orders
                    .iter()
                    .find(|o| Some(o.id) == order)
                    .map(|o| {
                        o.lines
                            .iter()
                            .map(|l| {
                                let line = l.availability.line;
                                let value = prefill.iter().find(|(p, _)| *p == line).map(|(_, v)| v.clone());
                                (line, value.unwrap_or_else(|| "0".into()))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
        };
    let quantities = RwSignal::new(quantities_for(prefill_order, &prefill.quantities));

    // Messages show for a field once it was edited, and for all after Save.
    let touched = RwSignal::new(Vec::<DrawdownField>::new());
    let attempted = RwSignal::new(false);
    let server_problems = RwSignal::new(Vec::<FieldProblem>::new());
    let touch = move |field: DrawdownField| {
        server_problems.update(|p| p.retain(|p| p.field != field && p.field != DrawdownField::Quantities));
        touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        })
    };

    let form = Memo::new(move |_| DrawdownForm {
        customer_account: customer_account.get(),
        customer_website: customer_website.get(),
        customer_name: customer_name.get(),
        customer_email: customer_email.get(),
        quantities: quantities.get(),
    });
    let chosen = Memo::new(move |_| {
        let id = order.get();
        orders.with_value(|orders| orders.iter().find(|o| Some(o.id) == id).cloned())
    });
    let problems = Memo::new(move |_| {
        let lines = chosen.get().map(|o| o.availability());
        match form.get().validate(lines.as_deref()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    });
    let error_for = move |field: DrawdownField| {
        Signal::derive(move || {
            let visible = attempted.get()
                || touched.with(|t| t.contains(&field))
                || (field == DrawdownField::Quantities
                    && touched.with(|t| t.iter().any(|f| matches!(f, DrawdownField::Quantity(_)))));
            let local = problems.with(|p| p.iter().find(|(f, _)| *f == field).map(|(_, e)| e.clone()));
            let from_server =
                || server_problems.with(|p| p.iter().find(|p| p.field == field).map(|p| p.error.clone()));
            let error: Option<DrawdownFieldError> = if visible {
                local.or_else(from_server)
            } else {
                from_server()
            };
            error.map(|e| field_error(i18n.locale(), &e))
        })
    };

    let tied = Memo::new(move |_| {
        customers
            .with_value(|c| matching_customer(c, &customer_account.get(), &customer_website.get()).cloned())
    });
    // Picking one of the partner's customers by name fills what is empty.
    let on_account_input = Callback::new(move |()| {
        touch(DrawdownField::CustomerAccount);
        let name = customer_account.get_untracked();
        let picked = customers.with_value(|c| {
            c.iter()
                .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
                .cloned()
        });
        if let Some(c) = picked {
            for (signal, value) in [
                (customer_website, c.website),
                (customer_name, c.contact_name),
                (customer_email, c.contact_email),
            ] {
                if signal.get_untracked().trim().is_empty() {
                    signal.set(value.unwrap_or_default());
                }
            }
        }
    });

    let save = ServerAction::<SaveDrawdown>::new();
    let general_error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok((id, _))) => {
            if let Some(account) = account.get_untracked() {
                navigate(&format!("/licenses/{account}/drawdowns/{id}"), Default::default());
            }
        }
        Some(Err(AppError::InvalidDrawdown { problems })) => {
            server_problems.set(problems);
            general_error.set(Some(AppError::InvalidDrawdown { problems: Vec::new() }));
        }
        Some(Err(error)) => general_error.set(Some(error)),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        general_error.set(None);
        if problems.with_untracked(|p| p.is_empty()) {
            save.dispatch(SaveDrawdown {
                order: order.get_untracked(),
                form: form.get_untracked(),
                cloned_from: clone_source.map(|_| cloned_id),
            });
        } else {
            general_error.set(Some(AppError::InvalidDrawdown { problems: Vec::new() }));
        }
    };
    let on_order = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev).parse().ok().map(OrderId);
        order.set(id);
        quantities.set(quantities_for(id, &[]));
        touch(DrawdownField::Order);
    };
    let order_error = error_for(DrawdownField::Order);
    let quantities_error = error_for(DrawdownField::Quantities);

    view! {
        {clone_source.map(|number| view! { <p class="notice">{move || prefilled_from(i18n.locale(), number)}</p> })}
        <form class="drawdown-form" novalidate on:submit=on_submit>
            {move || general_error.get().map(|error| view! { <ErrorNotice error /> })}
            {view! {
            <div class="field">
                <label for="order">{move || i18n.t(CommonText::Order)}</label>
                <select
                    id="order"
                    aria-invalid=move || order_error.get().is_some().then_some("true")
                    aria-describedby="order-error"
                    on:change=on_order
                >
                    <option value="" selected=move || order.get().is_none()>{move || i18n.t(DrawdownsText::ChooseAnOrder)}</option>
                    {orders
                        .get_value()
                        .into_iter()
                        .map(|o| {
                            let id = o.id;
                            view! {
                                <option value=id.to_string() selected=move || order.get() == Some(id)>
                                    {format!("{} ({})", o.number, o.ordered_on)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldError id="order-error".into() message=order_error />
                {orders.with_value(|o| o.is_empty()).then(|| view! { <p class="field__hint">{move || i18n.t(DrawdownsText::NoOpenOrders)}</p> })}
            </div>
            }.into_any()}
            <datalist id="managed-customers">
                {customers.get_value().into_iter().map(|c| view! { <option value=c.name></option> }).collect_view()}
            </datalist>
            <TextField
                id="customer-account"
                label=Signal::derive(move || i18n.t(DrawdownsText::AssignToCustomerAccount).to_string())
                hint=Signal::derive(move || i18n.t(DrawdownsText::AssignToCustomerAccountHint).to_string())
                value=customer_account
                list="managed-customers"
                autocomplete="off"
                error=error_for(DrawdownField::CustomerAccount)
                on_input=on_account_input
            />
            <TextField
                id="customer-website"
                label=Signal::derive(move || i18n.t(DrawdownsText::CustomerWebsite).to_string())
                value=customer_website
                input_type="url"
                autocomplete="url"
                error=error_for(DrawdownField::CustomerWebsite)
                on_input=Callback::new(move |()| touch(DrawdownField::CustomerWebsite))
            />
            // The live region stays in the page so that screen readers
            // announce the notice it gains; the notice itself only exists
            // when it has something to say.
            <div role="status">
                {move || {
                    let notice = match tied.get() {
                        Some(c) => existing_customer_notice(i18n.locale(), &c.name),
                        None if !customer_account.get().trim().is_empty() => i18n.t(DrawdownsText::NewCustomerNotice).to_string(),
                        None => return None,
                    };
                    Some(view! { <p class="notice">{notice}</p> })
                }}
            </div>
            <TextField
                id="customer-name"
                label=Signal::derive(move || i18n.t(DrawdownsText::CustomerName).to_string())
                value=customer_name
                autocomplete="name"
                error=error_for(DrawdownField::CustomerName)
                on_input=Callback::new(move |()| touch(DrawdownField::CustomerName))
            />
            <TextField
                id="customer-email"
                label=Signal::derive(move || i18n.t(DrawdownsText::CustomerEmail).to_string())
                value=customer_email
                input_type="email"
                autocomplete="email"
                error=error_for(DrawdownField::CustomerEmail)
                on_input=Callback::new(move |()| touch(DrawdownField::CustomerEmail))
            />
            {view! {
            <fieldset class="quantities" aria-describedby="quantities-error">
                <legend>{move || i18n.t(DrawdownsText::RequestedQuantities)}</legend>
                {move || chosen.with(Option::is_none).then(|| view! {
                    <p class="field__hint">{move || i18n.t(DrawdownsText::ChooseOrderForQuantities)}</p>
                })}
                <For
                    each=move || chosen.get().map(|o| o.lines).unwrap_or_default()
                    key=|l| l.availability.line
                    children=move |l| {
                        let line = l.availability.line;
                        let id = format!("quantity-{line}");
                        let hint_id = format!("{id}-hint");
                        let error_id = format!("{id}-error");
                        let error = error_for(DrawdownField::Quantity(line));
                        let product = l.availability.product_name.clone();
                        let available = l.availability.available;
                        let value = move || {
                            quantities.with(|q| q.iter().find(|(l, _)| *l == line).map(|(_, v)| v.clone()).unwrap_or_default())
                        };
                        let described = format!("{hint_id} {error_id}");
                        view! {
                            <div class="field field--quantity">
                                <label for=id.clone()>{move || quantity_for(i18n.locale(), &product)}</label>
                                <input
                                    id=id
                                    type="number"
                                    inputmode="numeric"
                                    min="0"
                                    max=available.to_string()
                                    step="1"
                                    prop:value=value
                                    aria-invalid=move || error.get().is_some().then_some("true")
                                    aria-describedby=described
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        quantities.update(|q| {
                                            if let Some(entry) = q.iter_mut().find(|(l, _)| *l == line) {
                                                entry.1 = v;
                                            }
                                        });
                                        touch(DrawdownField::Quantity(line));
                                    }
                                />
                                <p class="field__hint" id=hint_id>{move || available_on_line(i18n.locale(), available)}</p>
                                <FieldError id=error_id message=error />
                            </div>
                        }
                    }
                />
                <FieldError id="quantities-error".into() message=quantities_error />
            </fieldset>
            }.into_any()}
            <EffectPreview chosen quantities tied />
            <div class="form-actions">
                <button type="submit" class="button button--primary-inline" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { i18n.t(CommonText::Saving) } else { i18n.t(CommonText::Save) }}
                </button>
                {move || account.get().map(|a| view! {
                    <a class="button" href=format!("/licenses/{a}/drawdowns")>{move || i18n.t(DrawdownsText::BackToList)}</a>
                })}
            </div>
        </form>
    }
}

/// What saving, then accepting, would do: each line's availability after
/// the reservation, and what the customer will hold.
#[component]
fn EffectPreview(
    chosen: Memo<Option<crate::domain::OpenOrder>>,
    quantities: RwSignal<Vec<(OrderLineId, String)>>,
    tied: Memo<Option<crate::domain::ManagedCustomer>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let Some(order) = chosen.get() else {
            return Vec::new();
        };
        let held = tied.get().map(|c| c.holdings).unwrap_or_default();
        order
            .lines
            .into_iter()
            .map(|l| {
                let requested = quantities.with(|q| {
                    q.iter()
                        .find(|(line, _)| *line == l.availability.line)
                        .and_then(|(_, v)| crate::domain::Quantity::parse(v).ok())
                        .map(|q| q.get())
                        .unwrap_or(0)
                });
                let already = held
                    .iter()
                    .find(|(p, _)| *p == l.availability.product_name)
                    .map(|(_, q)| *q)
                    .unwrap_or(0);
                (
                    l.availability.product_name,
                    l.availability.available,
                    requested,
                    already + requested,
                )
            })
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || chosen.get().is_some()>
            <div class="table-wrap effect">
                <table class="data-table">
                    <caption>{move || i18n.t(DrawdownsText::EffectHeading)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                            <th scope="col" class="num">{move || i18n.t(DrawdownsText::AvailableNow)}</th>
                            <th scope="col" class="num">{move || i18n.t(DrawdownsText::AvailableAfter)}</th>
                            <th scope="col" class="num">{move || i18n.t(DrawdownsText::CustomerWillHold)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            rows()
                                .into_iter()
                                .map(|(product, available, requested, will_hold)| {
                                    let after = available - requested;
                                    view! {
                                        <tr class:over=after < 0>
                                            <th scope="row">{product}</th>
                                            <td class="num">{number(i18n.locale(), available)}</td>
                                            <td class="num">{number(i18n.locale(), after)}</td>
                                            <td class="num">{number(i18n.locale(), will_hold)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </Show>
    }
    .into_any()
}
