//! Integration tests against real SQLite files: one test binary, a module per area.

mod bootstrap;
mod drawdowns;
mod email;
mod helpers;
mod license_verify;
mod licenses;
mod live;
mod orders_import;
mod provisioning;
mod repositories;
mod sessions;
mod user_add;
