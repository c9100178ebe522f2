//! Administration → Products: the catalog, New product, Edit, Deactivate
//! and Reactivate.

use leptos::prelude::*;

use super::shared::{
    first_page_view, standing_action, Editing, FormFooter, FormOutcome, ListTable, Pages, RowActions,
    Section, SectionFrame, StandingBadge,
};
use crate::api::administration::{create_product, list_admin_products, set_product_active, update_product};
use crate::components::form::{FieldError, RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::EmptyState;
use crate::domain::{AdminField, LicenseModel, ProductForm, ProductId, ProductRow, Standing};
use crate::error::AppError;
use crate::i18n::{editing as editing_heading, model_text, AdminText, CommonText, SectionText};

const MODELS: [LicenseModel; 3] = [LicenseModel::Cloud, LicenseModel::File, LicenseModel::Service];

/// The section.
#[component]
pub fn ProductsPage() -> impl IntoView {
    let section = Section::<ProductRow>::new();
    let first = section.first_page(|search| list_admin_products(search, None));
    view! {
        <SectionFrame
            id="products"
            search_id="products-search"
            heading=SectionText::Products
            hint=AdminText::ProductsHint
            new=AdminText::NewProduct
            on_new=Callback::new(move |()| section.open(Editing::New, "product-sku"))
            notice=section.notice
            applied=section.applied
            editor=ViewFn::from(move || section.editing.get().map(|open| view! { <ProductEditor open section /> }))
            list=ViewFn::from(move || {
                first_page_view("products", first, move |page| {
                    view! { <ProductList pages=Pages::new(page) section /> }.into_any()
                })
            })
        />
    }
}

#[component]
fn ProductList(pages: Pages<ProductRow>, section: Section<ProductRow>) -> impl IntoView {
    let i18n = use_i18n();
    if pages.rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AdminText::NothingMatches /> }.into_any();
    }
    let actions = RowActions::new(section);
    let row = move |product: ProductRow| {
        let (id, standing) = (product.id, product.standing);
        let name = product.name.clone();
        let edit = product.clone();
        let model = model_text(product.model);
        view! {
            <tr>
                <td>{product.sku.clone()}</td>
                <th scope="row">{product.name.clone()}</th>
                <td>{move || i18n.t(model)}</td>
                <td><StandingBadge standing /></td>
                <td class="row-actions">
                    <RowAction
                        action=AdminText::Edit
                        subject=name.clone()
                        on_click=move || section.open(Editing::Row(edit.clone()), "product-sku")
                    />
                    <RowAction
                        action=standing_action(standing)
                        subject=name
                        busy=actions.busy
                        on_click=move || {
                            let active = standing != Standing::Active;
                            actions.run(async move { set_product_active(id, active).await.map(|()| None) });
                        }
                    />
                </td>
            </tr>
        }
    };
    view! {
        <ListTable
            caption=SectionText::Products
            columns=vec![AdminText::Sku.into(), AdminText::Name.into(), AdminText::LicenseModel.into(), CommonText::State.into(), CommonText::Actions.into()]
            pages
            actions
            row=move |r| row(r).into_any()
            applied=section.applied
            read=|search, after| list_admin_products(search, Some(after))
        />
    }
    .into_any()
}

#[component]
fn ProductEditor(open: Editing<ProductRow>, section: Section<ProductRow>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, form, title) = match open {
        Editing::New => (
            None,
            ProductForm {
                sku: String::new(),
                name: String::new(),
                model: LicenseModel::Cloud,
                control_room: false,
            },
            None,
        ),
        Editing::Row(row) => (Some(row.id), row.form(), Some(row.name)),
    };
    let heading = move || match &title {
        None => i18n.t(AdminText::NewProduct).to_string(),
        Some(name) => editing_heading(i18n.locale(), name),
    };
    let sku = RwSignal::new(form.sku);
    let name = RwSignal::new(form.name);
    let model = RwSignal::new(form.model);
    let control_room = RwSignal::new(form.control_room);
    let outcome = FormOutcome::new();
    let model_problem = outcome.problem(AdminField::LicenseModel);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ProductForm {
            sku: sku.get_untracked(),
            name: name.get_untracked(),
            model: model.get_untracked(),
            control_room: control_room.get_untracked(),
        };
        outcome.run(
            move || save_product(id, form),
            move |()| section.changed(Some(i18n.t(AdminText::Saved).to_string())),
        );
    };
    view! {
        <section class="editor" aria-labelledby="product-editor-heading">
            <h3 id="product-editor-heading">{heading}</h3>
            <form on:submit=save novalidate>
                <TextField
                    id="product-sku"
                    label=Signal::derive(move || i18n.t(AdminText::Sku).to_string())
                    value=sku
                    error=outcome.problem(AdminField::Sku)
                    autocomplete="off"
                />
                <TextField
                    id="product-name"
                    label=Signal::derive(move || i18n.t(AdminText::Name).to_string())
                    value=name
                    error=outcome.problem(AdminField::Name)
                    autocomplete="off"
                />
                <div class="field">
                    <label for="product-model">{move || i18n.t(AdminText::LicenseModel)}</label>
                    <select
                        id="product-model"
                        aria-invalid=move || model_problem.get().is_some().then_some("true")
                        aria-describedby=move || model_problem.get().is_some().then_some("product-model-error")
                        on:change=move |ev| {
                            if let Some(m) = LicenseModel::parse(&event_target_value(&ev)) {
                                model.set(m);
                            }
                        }
                    >
                        {MODELS
                            .iter()
                            .map(|m| {
                                let m = *m;
                                view! {
                                    <option value=m.as_str() selected=move || model.get() == m>
                                        {move || i18n.t(model_text(m))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldError id="product-model-error".into() message=model_problem />
                </div>
                <div class="field field--check">
                    <input
                        id="product-control-room"
                        type="checkbox"
                        prop:checked=move || control_room.get()
                        on:change=move |ev| control_room.set(event_target_checked(&ev))
                    />
                    <label for="product-control-room">{move || i18n.t(AdminText::ControlRoom)}</label>
                </div>
                <FormFooter outcome on_close=Callback::new(move |()| section.editing.set(None)) />
            </form>
        </section>
    }
    .into_any()
}

async fn save_product(id: Option<ProductId>, form: ProductForm) -> Result<(), AppError> {
    match id {
        None => create_product(form).await.map(|_| ()),
        Some(id) => update_product(id, form).await,
    }
}
