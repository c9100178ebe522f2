//! Pieces shared by several screens.

pub mod account_selector;
pub mod file_input;
pub mod form;
pub mod header;
pub mod i18n;
pub mod live;
pub mod pager;
pub mod status;
