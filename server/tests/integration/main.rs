//! Integration tests against real databases: one test binary, a module per
//! area. Each test has a SQLite file of its own, or, with
//! `PORTAL_TEST_POSTGRES_URL` set, a PostgreSQL database of its own.

mod accounting;
mod administration;
mod audit;
mod backup;
mod balances;
mod bootstrap;
mod bulk_drawdowns;
mod crash;
mod delivery;
mod drawdowns;
mod email;
mod exports;
mod fuzz;
mod helpers;
mod license_verify;
mod licenses;
mod list_exports;
mod live;
mod matrix;
mod model;
mod operations;
mod orders_api;
mod orders_import;
mod partner_api;
mod people;
mod processes;
mod provisioning;
mod repositories;
mod schema;
mod sessions;
mod statuses;
mod user_add;
mod webhooks;
