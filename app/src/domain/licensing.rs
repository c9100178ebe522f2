//! Putting held entitlements to use (SPEC, "Licenses and cloud services"):
//! cloud entitlements bound to a Control Room's license GUID, file-model
//! entitlements configured into a signed license file for one installation,
//! and service instances provisioned in the vendor's cloud.
//!
//! What is in use comes from the usage ledger, so every view that shows a
//! free quantity agrees with every other.

use serde::{Deserialize, Serialize};

use super::{
    AccountSummary, EntitlementId, LicenseFileId, LicenseModel, ProductId, Quantity, QuantityError,
    ServiceInstanceId,
};

/// One entitlement an account may put to use, and how much of it is in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsableEntitlement {
    pub id: EntitlementId,
    pub product_id: ProductId,
    pub product_name: String,
    pub license_model: LicenseModel,
    pub term_months: i64,
    /// The accepted drawdown request it came from (PDR-000001).
    pub source: String,
    /// When its term ends (Unix seconds): its start plus its term.
    pub ends_at: i64,
    pub quantity: i64,
    pub in_use: i64,
}

impl UsableEntitlement {
    /// What can still be bound or configured.
    pub fn free(&self) -> i64 {
        self.quantity - self.in_use
    }
}

/// Where a service instance stands in the vendor's cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    /// Held, not yet asked for.
    Ready,
    /// Asked for; the provisioner is at work.
    Provisioning,
    /// Running at its URL.
    Active,
    /// The provisioner gave up; it can be retried.
    Failed,
}

impl InstanceState {
    pub const ALL: [InstanceState; 4] = [Self::Ready, Self::Provisioning, Self::Active, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// The vendor cloud's regions an instance can run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    EuCentral,
    UsEast,
    ApSoutheast,
}

impl Region {
    pub const ALL: [Region; 3] = [Self::EuCentral, Self::UsEast, Self::ApSoutheast];

    /// The code stored, sent to the provisioner and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EuCentral => "eu-central",
            Self::UsEast => "us-east",
            Self::ApSoutheast => "ap-southeast",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Why a tenant name is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum TenantNameError {
    #[error("enter a tenant name")]
    Empty,
    #[error("a tenant name has {min} to {max} characters")]
    Length { min: u32, max: u32 },
    #[error("use only lowercase letters, digits and hyphens")]
    Characters,
    #[error("start with a letter and end with a letter or digit")]
    Ends,
    #[error("this tenant name is taken; choose another")]
    Taken,
}

/// The first label of an instance's address (`contoso-prod`): unique in the
/// vendor's cloud, so the server checks it again against every instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantName(String);

impl TenantName {
    pub const MIN: u32 = 3;
    pub const MAX: u32 = 40;

    /// Reads a typed name. Letters are lowercased: the name is a DNS label,
    /// where case means nothing.
    pub fn parse(input: &str) -> Result<Self, TenantNameError> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(TenantNameError::Empty);
        }
        if !(Self::MIN as usize..=Self::MAX as usize).contains(&s.len()) {
            return Err(TenantNameError::Length {
                min: Self::MIN,
                max: Self::MAX,
            });
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(TenantNameError::Characters);
        }
        let starts_with_letter = s.starts_with(|c: char| c.is_ascii_lowercase());
        if !starts_with_letter || s.ends_with('-') {
            return Err(TenantNameError::Ends);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantName {
    type Error = TenantNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TenantName> for String {
    fn from(t: TenantName) -> Self {
        t.0
    }
}

/// Why a host name is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum HostNameError {
    #[error("enter the Control Room's host name")]
    Empty,
    #[error("a host name has at most 253 characters")]
    TooLong,
    #[error("a host name is made of letters, digits and hyphens, in labels of 1 to 63 separated by dots")]
    Format,
}

/// The host name of a Control Room installation (`cr01.contoso.local`), as
/// RFC 1123 allows it. Stored lowercase: DNS ignores case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostName(String);

impl HostName {
    pub fn parse(input: &str) -> Result<Self, HostNameError> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(HostNameError::Empty);
        }
        if s.len() > 253 {
            return Err(HostNameError::TooLong);
        }
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !s.split('.').all(label_ok) {
            return Err(HostNameError::Format);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HostName {
    type Error = HostNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<HostName> for String {
    fn from(h: HostName) -> Self {
        h.0
    }
}

/// Why a host id is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum HostIdError {
    #[error("enter the Control Room's host id")]
    Empty,
    #[error("a host id has at most {max} characters")]
    TooLong { max: u32 },
    #[error("a host id is made of letters, digits, hyphens, colons, dots and underscores")]
    Characters,
}

/// The machine id a Control Room reports for its host (a MAC address, a
/// machine GUID). Compared without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostId(String);

impl HostId {
    pub const MAX: u32 = 64;

    pub fn parse(input: &str) -> Result<Self, HostIdError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(HostIdError::Empty);
        }
        if s.len() > Self::MAX as usize {
            return Err(HostIdError::TooLong { max: Self::MAX });
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || "-:._".contains(c)) {
            return Err(HostIdError::Characters);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HostId {
    type Error = HostIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<HostId> for String {
    fn from(h: HostId) -> Self {
        h.0
    }
}

/// A Control Room or IQ Bot server of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInstance {
    pub id: ServiceInstanceId,
    pub product_name: String,
    /// Whether cloud entitlements bind to it (a Control Room).
    pub holds_cloud_licenses: bool,
    /// Its license GUID: what a Control Room presents to fetch its licenses.
    pub license_guid: String,
    pub state: InstanceState,
    pub region: Option<Region>,
    pub tenant_name: Option<String>,
    /// Where it runs, once active.
    pub url: Option<String>,
    pub changed_at: i64,
}

/// Quantity of one entitlement bound to one Control Room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub entitlement: EntitlementId,
    pub product_name: String,
    pub term_months: i64,
    pub quantity: i64,
}

/// A Control Room with its license GUID and what is bound to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudLicense {
    pub control_room: ServiceInstance,
    pub bindings: Vec<Binding>,
}

/// The Cloud licenses tab of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudLicensesView {
    pub account: AccountSummary,
    /// Whether the viewer may bind and unbind (a partner of the account).
    pub may_change: bool,
    pub licenses: Vec<CloudLicense>,
    /// The account's cloud-model entitlements.
    pub entitlements: Vec<UsableEntitlement>,
}

/// Why a binding is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum BindingError {
    #[error("{0}")]
    Quantity(QuantityError),
    #[error("only {free} free to bind")]
    MoreThanFree { free: i64 },
    #[error("only cloud entitlements bind to a Control Room")]
    NotCloud,
    #[error("nothing of this entitlement is bound to this Control Room")]
    NotBound,
}

/// Whether a license file is the one to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseFileState {
    /// The installation's current file; it holds its quantities and is
    /// renewed for a new lease.
    Active,
    /// A newer file for the same installation took its place; it holds its
    /// quantities until its lease ends.
    Replaced,
    /// Withdrawn; it holds its quantities until its lease ends.
    Revoked,
}

impl LicenseFileState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Replaced => "replaced",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Replaced, Self::Revoked]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// A product line of a license file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseFileLine {
    pub entitlement: EntitlementId,
    pub product_name: String,
    pub term_months: i64,
    pub quantity: i64,
}

/// A license file as the File licenses tab lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseFileSummary {
    pub id: LicenseFileId,
    pub host_name: String,
    pub host_id: String,
    pub state: LicenseFileState,
    pub issued_at: i64,
    /// When its entitlements end: the last day a renewal reaches.
    pub expires_at: i64,
    /// When the lease of its latest copy ends: a Control Room refuses the
    /// file from then on.
    pub not_after: i64,
    /// Whether an ended file has given its quantities back.
    pub released: bool,
    pub lines: Vec<LicenseFileLine>,
}

impl LicenseFileSummary {
    /// When an ended file's quantities come back to the account; `None`
    /// for the current file and for one that gave them back.
    pub fn quantities_return_at(&self) -> Option<i64> {
        (self.state != LicenseFileState::Active && !self.released).then_some(self.not_after)
    }
}

/// The end of the lease of a license file signed at `signed_at`: the
/// configured lease later, but never past the end of its entitlements.
pub fn lease_end(signed_at: i64, lease_seconds: i64, entitlements_end: i64) -> i64 {
    signed_at.saturating_add(lease_seconds).min(entitlements_end)
}

/// The File licenses tab of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLicensesView {
    pub account: AccountSummary,
    pub may_change: bool,
    pub may_download: bool,
    /// Active files first, newest first: the first `ListRows` of them.
    pub files: Vec<LicenseFileSummary>,
    /// Whether the account has files after those.
    pub more_files: bool,
    /// The account's file-model entitlements.
    pub entitlements: Vec<UsableEntitlement>,
}

/// The Cloud services tab of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudServicesView {
    pub account: AccountSummary,
    pub may_change: bool,
    /// Control Rooms first, then by product and age: the first `ListRows`.
    pub instances: Vec<ServiceInstance>,
    /// Whether the account has instances after those.
    pub more_instances: bool,
}

/// How many rows of an account's license files or service instances a tab
/// shows: a page's worth to start with, a page more at each Load more.
/// These lists grow by the account's own activity, not with the portal's
/// history, so the tab reads them again from the start, in index order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct ListRows(u32);

impl ListRows {
    /// Rows in one page.
    pub const PAGE: u32 = 50;
    /// The most rows one read returns.
    pub const MAX: u32 = 5_000;
    /// The first page.
    pub const FIRST: Self = Self(Self::PAGE);

    /// One page more than `shown`, within `MAX`.
    pub fn after(shown: usize) -> Self {
        let shown = u32::try_from(shown).unwrap_or(Self::MAX);
        Self(shown.saturating_add(Self::PAGE).min(Self::MAX))
    }

    pub fn get(self) -> usize {
        self.0 as usize
    }
}

impl TryFrom<u32> for ListRows {
    type Error = &'static str;
    fn try_from(rows: u32) -> Result<Self, Self::Error> {
        if (1..=Self::MAX).contains(&rows) {
            Ok(Self(rows))
        } else {
            Err("rows must be between 1 and 5000")
        }
    }
}

impl From<ListRows> for u32 {
    fn from(rows: ListRows) -> Self {
        rows.0
    }
}

/// A field of the license file form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseFileField {
    HostName,
    HostId,
    Quantity(EntitlementId),
    /// The quantities as a whole ("choose at least one").
    Quantities,
}

/// What is wrong with one field of the license file form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum LicenseFileFieldError {
    #[error("{0}")]
    HostName(#[from] HostNameError),
    #[error("{0}")]
    HostId(#[from] HostIdError),
    #[error("{0}")]
    Quantity(#[from] QuantityError),
    #[error("only {free} free")]
    MoreThanFree { free: i64 },
    #[error("not a file-model entitlement of this account")]
    NotAFileEntitlement,
    #[error("choose a quantity above 0 for at least one product")]
    NothingChosen,
    #[error("this installation already has a license file; reconfigure it instead")]
    HostHasFile,
}

/// One problem of the license file form, next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseFileProblem {
    pub field: LicenseFileField,
    pub error: LicenseFileFieldError,
}

/// The license file form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseFileForm {
    pub host_name: String,
    pub host_id: String,
    /// One entry per file-model entitlement shown.
    pub quantities: Vec<(EntitlementId, String)>,
}

/// A valid license file configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLicenseFile {
    pub host_name: HostName,
    pub host_id: HostId,
    /// Only the entitlements with a quantity above 0.
    pub lines: Vec<(EntitlementId, Quantity)>,
}

impl LicenseFileForm {
    /// Checks the form against the account's file-model entitlements, where
    /// `free` already counts what the file being reconfigured gives back.
    /// The browser runs it as the user types; the server runs it again
    /// inside the transaction that writes the file.
    pub fn validate(
        &self,
        entitlements: &[UsableEntitlement],
    ) -> Result<NewLicenseFile, Vec<LicenseFileProblem>> {
        let mut problems = Vec::new();
        let mut problem =
            |field, error: LicenseFileFieldError| problems.push(LicenseFileProblem { field, error });
        let mut quantity_problem = false;
        let host_name = HostName::parse(&self.host_name)
            .map_err(|e| problem(LicenseFileField::HostName, e.into()))
            .ok();
        let host_id = HostId::parse(&self.host_id)
            .map_err(|e| problem(LicenseFileField::HostId, e.into()))
            .ok();
        let mut lines = Vec::new();
        for (entitlement, text) in &self.quantities {
            let field = LicenseFileField::Quantity(*entitlement);
            let Some(offered) = entitlements
                .iter()
                .find(|e| e.id == *entitlement && e.license_model == LicenseModel::File)
            else {
                quantity_problem = true;
                problem(field, LicenseFileFieldError::NotAFileEntitlement);
                continue;
            };
            // An empty field means none of it.
            let quantity = if text.trim().is_empty() {
                Ok(Quantity::ZERO)
            } else {
                Quantity::parse(text)
            };
            match quantity {
                Err(e) => {
                    quantity_problem = true;
                    problem(field, e.into());
                }
                Ok(q) if q.get() > offered.free() => {
                    quantity_problem = true;
                    problem(
                        field,
                        LicenseFileFieldError::MoreThanFree { free: offered.free() },
                    );
                }
                Ok(q) if q.get() > 0 => lines.push((*entitlement, q)),
                Ok(_) => {}
            }
        }
        if lines.is_empty() && !quantity_problem {
            problem(LicenseFileField::Quantities, LicenseFileFieldError::NothingChosen);
        }
        match (host_name, host_id, problems.is_empty()) {
            (Some(host_name), Some(host_id), true) => Ok(NewLicenseFile {
                host_name,
                host_id,
                lines,
            }),
            _ => Err(problems),
        }
    }
}

/// Why a provisioning request is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ProvisioningError {
    #[error("{0}")]
    Tenant(#[from] TenantNameError),
    #[error("choose a region")]
    NoRegion,
    #[error("this instance is {0:?} and cannot be provisioned now")]
    NotReady(InstanceState),
}

/// The reference a license file carries and is downloaded under (`LIC-000007`).
pub fn license_reference(id: LicenseFileId) -> String {
    format!("LIC-{:06}", id.0)
}

/// `months` after the Unix time `start`, on the same day of the month where
/// it exists, else on the month's last day (31 January + 1 month = 28 or 29
/// February): how a term counts.
pub fn add_months(start: i64, months: i64) -> i64 {
    let Ok(start) = time::OffsetDateTime::from_unix_timestamp(start) else {
        return start;
    };
    let total = i64::from(start.year()) * 12 + i64::from(u8::from(start.month())) - 1 + months;
    let (Ok(year), Ok(month)) = (
        i32::try_from(total.div_euclid(12)),
        u8::try_from(total.rem_euclid(12) + 1),
    ) else {
        return start.unix_timestamp();
    };
    let Ok(month) = time::Month::try_from(month) else {
        return start.unix_timestamp();
    };
    let day = start.day().min(month.length(year));
    match time::Date::from_calendar_date(year, month, day) {
        Ok(date) => start.replace_date(date).unix_timestamp(),
        Err(_) => start.unix_timestamp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_more_asks_one_page_more_than_shown_within_the_maximum() {
        assert_eq!(ListRows::FIRST.get(), 50);
        assert_eq!(ListRows::after(50).get(), 100);
        assert_eq!(ListRows::after(7).get(), 57);
        assert_eq!(ListRows::after(4_990).get(), 5_000);
        assert_eq!(ListRows::after(usize::MAX).get(), 5_000);
        assert!(ListRows::try_from(0).is_err());
        assert!(ListRows::try_from(5_001).is_err());
        assert_eq!(
            serde_json::from_str::<ListRows>("120").map(ListRows::get).ok(),
            Some(120)
        );
        assert!(
            serde_json::from_str::<ListRows>("999999").is_err(),
            "the wire cannot ask for more"
        );
    }

    fn entitlement(id: i64, model: LicenseModel, quantity: i64, in_use: i64) -> UsableEntitlement {
        UsableEntitlement {
            id: EntitlementId(id),
            product_id: ProductId(1),
            product_name: "Attended Bot Runner".into(),
            license_model: model,
            term_months: 12,
            source: "PDR-000001".into(),
            ends_at: 0,
            quantity,
            in_use,
        }
    }

    #[test]
    fn tenant_names_are_dns_labels_of_3_to_40() {
        assert_eq!(
            TenantName::parse(" Contoso-Prod ").map(|t| t.0),
            Ok("contoso-prod".into())
        );
        assert_eq!(TenantName::parse(""), Err(TenantNameError::Empty));
        assert_eq!(
            TenantName::parse("ab"),
            Err(TenantNameError::Length { min: 3, max: 40 })
        );
        assert_eq!(
            TenantName::parse("contoso prod"),
            Err(TenantNameError::Characters)
        );
        assert_eq!(
            TenantName::parse("contoso.prod"),
            Err(TenantNameError::Characters)
        );
        assert_eq!(TenantName::parse("1contoso"), Err(TenantNameError::Ends));
        assert_eq!(TenantName::parse("contoso-"), Err(TenantNameError::Ends));
        assert!(TenantName::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn host_names_follow_rfc_1123_and_host_ids_are_compared_without_case() {
        assert_eq!(
            HostName::parse("CR01.Contoso.local").map(|h| h.0),
            Ok("cr01.contoso.local".into())
        );
        assert_eq!(HostName::parse(" "), Err(HostNameError::Empty));
        assert_eq!(HostName::parse("cr01..local"), Err(HostNameError::Format));
        assert_eq!(HostName::parse("-cr01"), Err(HostNameError::Format));
        assert_eq!(HostName::parse("cr 01"), Err(HostNameError::Format));
        assert_eq!(HostName::parse(&"a".repeat(254)), Err(HostNameError::TooLong));
        assert_eq!(
            HostId::parse("00:1a:2b:3c:4d:5e").map(|h| h.0),
            Ok("00:1A:2B:3C:4D:5E".into())
        );
        assert_eq!(HostId::parse("a b"), Err(HostIdError::Characters));
        assert_eq!(HostId::parse("line\nbreak"), Err(HostIdError::Characters));
    }

    #[test]
    fn the_license_file_form_names_each_bad_field_and_keeps_only_chosen_lines() {
        let offered = [
            entitlement(1, LicenseModel::File, 10, 4),
            entitlement(2, LicenseModel::File, 5, 0),
            entitlement(3, LicenseModel::Cloud, 5, 0),
        ];
        let form = LicenseFileForm {
            host_name: "cr01.contoso.local".into(),
            host_id: "HOST-1".into(),
            quantities: vec![(EntitlementId(1), "6".into()), (EntitlementId(2), "".into())],
        };
        let valid = form.validate(&offered).expect("valid");
        assert_eq!(
            valid.lines,
            vec![(EntitlementId(1), Quantity::new(6).expect("quantity"))]
        );

        let form = LicenseFileForm {
            host_name: "bad host".into(),
            host_id: "".into(),
            quantities: vec![
                (EntitlementId(1), "7".into()),
                (EntitlementId(2), "-1".into()),
                (EntitlementId(3), "1".into()),
            ],
        };
        let problems = form.validate(&offered).expect_err("invalid");
        let fields: Vec<_> = problems.iter().map(|p| (p.field, p.error.clone())).collect();
        assert_eq!(
            fields,
            vec![
                (LicenseFileField::HostName, HostNameError::Format.into()),
                (LicenseFileField::HostId, HostIdError::Empty.into()),
                (
                    LicenseFileField::Quantity(EntitlementId(1)),
                    LicenseFileFieldError::MoreThanFree { free: 6 }
                ),
                (
                    LicenseFileField::Quantity(EntitlementId(2)),
                    QuantityError::Negative.into()
                ),
                (
                    LicenseFileField::Quantity(EntitlementId(3)),
                    LicenseFileFieldError::NotAFileEntitlement
                ),
            ]
        );

        let nothing = LicenseFileForm {
            host_name: "cr01".into(),
            host_id: "H".into(),
            quantities: vec![(EntitlementId(1), "0".into())],
        };
        let problems = nothing.validate(&offered).expect_err("nothing chosen");
        assert_eq!(problems[0].field, LicenseFileField::Quantities);
    }

    #[test]
    fn a_term_counts_calendar_months_and_stops_at_the_end_of_short_months() {
        let at = |y, m: time::Month, d| {
            time::Date::from_calendar_date(y, m, d)
                .expect("date")
                .midnight()
                .assume_utc()
                .unix_timestamp()
        };
        assert_eq!(
            add_months(at(2026, time::Month::January, 31), 1),
            at(2026, time::Month::February, 28)
        );
        assert_eq!(
            add_months(at(2026, time::Month::September, 15), 12),
            at(2027, time::Month::September, 15)
        );
        assert_eq!(
            add_months(at(2026, time::Month::November, 30), 27),
            at(2029, time::Month::February, 28)
        );
    }
}
