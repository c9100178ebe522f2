//! The product's vocabulary: values that can only hold what the business
//! rules allow, shared by the browser and the server. No Leptos, no SQL.

pub mod access;
pub mod account;
pub mod accounting;
pub mod administration;
pub mod api_token;
pub mod audit;
pub mod audit_query;
pub mod balance;
pub mod drawdown;
pub mod drawdown_import;
pub mod drawdown_views;
pub mod entitlement;
pub mod holding_statement;
pub mod ids;
pub mod licensing;
pub mod order;
pub mod password;
pub mod statement;
pub mod user;
pub mod webhook;

pub use access::*;
pub use account::*;
pub use accounting::*;
pub use administration::*;
pub use api_token::*;
pub use audit::*;
pub use audit_query::*;
pub use balance::*;
pub use drawdown::*;
pub use drawdown_import::*;
pub use drawdown_views::*;
pub use entitlement::*;
pub use holding_statement::*;
pub use ids::*;
pub use licensing::*;
pub use order::*;
pub use password::*;
pub use statement::*;
pub use user::*;
pub use webhook::*;
