//! One module per screen.

pub mod guard;
pub mod home;
pub mod licenses;
pub mod not_found;
pub mod sign_in;
