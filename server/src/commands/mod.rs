//! Admin commands run on the server binary.

pub mod account_add;
pub mod backup;
pub mod mail;
pub mod orders_import;
pub mod product_add;
pub mod user_add;
