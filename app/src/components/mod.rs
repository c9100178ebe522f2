//! Pieces shared by several screens.

pub mod account_selector;
pub mod header;
pub mod i18n;
pub mod status;
