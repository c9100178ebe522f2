//! One module per screen.

pub mod account;
pub mod administration;
pub mod guard;
pub mod home;
pub mod licenses;
pub mod not_found;
pub mod screens;
pub mod sign_in;
