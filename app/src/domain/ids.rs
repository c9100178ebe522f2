//! Typed database ids, so an account id can never be passed where an order
//! line id is expected. `i64` everywhere: the browser is 32-bit, `usize` is not.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id_type!(
    /// A partner, customer or vendor account.
    AccountId,
    /// A person who signs in.
    UserId,
    /// A catalog product.
    ProductId,
    /// A partner's order from the vendor.
    OrderId,
    /// One product line of an order.
    OrderLineId,
    /// A partner drawdown request.
    DrawdownId,
    /// What an account holds of one product from one source.
    EntitlementId,
    /// A Control Room or IQ Bot server of an account (a `service` product unit).
    ServiceInstanceId,
    /// A signed license file for one Control Room installation.
    LicenseFileId,
    /// One attempt to have a service instance provisioned.
    ProvisioningJobId,
    /// A token a partner's or the vendor's systems call the API with.
    ApiTokenId,
);
