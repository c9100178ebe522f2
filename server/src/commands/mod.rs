//! Admin commands run on the server binary.

pub mod orders_import;
pub mod user_add;
