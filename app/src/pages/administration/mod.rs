//! The Administration area of vendor admins (SPEC, "Administration"): one
//! tab per section. The server refuses everyone else whatever the browser
//! shows; the area only says so.

pub mod accounts;
pub mod audit_log;
pub mod orders;
pub mod products;
pub mod shared;
pub mod users;

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use super::guard::RequireUser;
use crate::components::i18n::use_i18n;
use crate::components::status::EmptyState;
use crate::domain::Role;
use crate::i18n::SectionText;

/// The sections, in the order of the tabs: path and name.
const SECTIONS: [(&str, SectionText); 6] = [
    ("/administration/partners", SectionText::Partners),
    ("/administration/customers", SectionText::Customers),
    ("/administration/users", SectionText::Users),
    ("/administration/products", SectionText::Products),
    ("/administration/orders", SectionText::Orders),
    ("/administration/audit-log", SectionText::AuditLog),
];

/// `/administration/…`: the area's heading and its sections.
#[component]
pub fn AdministrationArea() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <RequireUser children=move |user| {
            if user.role != Role::VendorAdmin {
                return view! { <EmptyState title=SectionText::AdministratorsOnly /> }.into_any();
            }
            view! {
                <div class="area-head">
                    <h1>{move || i18n.t(SectionText::Administration)}</h1>
                </div>
                <nav class="tabs" aria-label=move || i18n.t(SectionText::AdministrationSections)>
                    {SECTIONS
                        .iter()
                        .map(|(href, name)| {
                            let name = *name;
                            view! { <A href=*href>{move || i18n.t(name)}</A> }
                        })
                        .collect_view()}
                </nav>
                <Outlet />
            }
            .into_any()
        } />
    }
}

/// `/administration`: its first section.
#[component]
pub fn AdministrationHome() -> impl IntoView {
    view! { <Redirect path="/administration/partners" /> }
}
