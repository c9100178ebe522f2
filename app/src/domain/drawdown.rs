//! Partner drawdown requests (SPEC, "Partner drawdown request"): the state
//! machine, the request number, and the request form's validation, used as
//! the user types in the browser and again, with authority, on the server.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{
    AccountId, AccountName, AccountNameError, EmailError, OrderLineId, Quantity, QuantityError, Role,
    UserEmail,
};

/// Where a drawdown request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawdownState {
    Submitted,
    Approved,
    Rejected,
    Accepted,
    Cancelled,
    Expired,
}

impl DrawdownState {
    /// Every state, in the order of the state filter.
    pub const ALL: [DrawdownState; 6] = [
        Self::Submitted,
        Self::Approved,
        Self::Rejected,
        Self::Accepted,
        Self::Cancelled,
        Self::Expired,
    ];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Accepted => "accepted",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    /// Reads the stored value back.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// While a request is Submitted or Approved, its quantities stay reserved
    /// on the order lines.
    pub fn holds_reservation(self) -> bool {
        matches!(self, Self::Submitted | Self::Approved)
    }
}

impl fmt::Display for DrawdownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who acts on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// A partner admin or partner user of the requesting partner.
    Partner,
    /// An accounting approver of the vendor.
    Accounting,
    /// The server itself (expiry).
    System,
}

impl Actor {
    /// The actor a signed-in user acts as, if any: customer users and vendor
    /// admins take no part in the procedure.
    pub fn of(role: Role) -> Option<Self> {
        match role {
            Role::PartnerAdmin | Role::PartnerUser => Some(Self::Partner),
            Role::Accounting => Some(Self::Accounting),
            Role::CustomerUser | Role::VendorAdmin => None,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Partner => "a partner",
            Self::Accounting => "accounting",
            Self::System => "the server",
        })
    }
}

/// A change of state of an existing request. (Save creates a request in
/// Submitted; clone opens a new form: neither changes an existing request.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Approve,
    Reject,
    Accept,
    Cancel,
    Expire,
}

impl Transition {
    /// The only actor who may make this transition: accounting never accepts
    /// or cancels on a partner's behalf, and only the server expires.
    pub fn actor(self) -> Actor {
        match self {
            Self::Approve | Self::Reject => Actor::Accounting,
            Self::Accept | Self::Cancel => Actor::Partner,
            Self::Expire => Actor::System,
        }
    }

    /// The states this transition may start from.
    pub fn from_states(self) -> &'static [DrawdownState] {
        use DrawdownState::*;
        match self {
            Self::Approve | Self::Reject => &[Submitted],
            Self::Accept | Self::Expire => &[Approved],
            Self::Cancel => &[Submitted, Approved],
        }
    }

    /// The state it leads to.
    pub fn target(self) -> DrawdownState {
        match self {
            Self::Approve => DrawdownState::Approved,
            Self::Reject => DrawdownState::Rejected,
            Self::Accept => DrawdownState::Accepted,
            Self::Cancel => DrawdownState::Cancelled,
            Self::Expire => DrawdownState::Expired,
        }
    }

    /// Whether a reason must be given (a rejection is explained to the partner).
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Reject)
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Accept => "accept",
            Self::Cancel => "cancel",
            Self::Expire => "expire",
        })
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum TransitionError {
    #[error("{actor} may not {transition} a drawdown request")]
    NotPermitted { transition: Transition, actor: Actor },
    #[error("a request that is {from} cannot be {transition}d")]
    NotAllowedFrom {
        transition: Transition,
        from: DrawdownState,
    },
}

/// The state after `transition` by `actor` from `from`, or why not. The
/// repository applies the same rule in the statement that changes the row, so
/// a transition that lost a race is refused there too.
pub fn next_state(
    from: DrawdownState,
    transition: Transition,
    actor: Actor,
) -> Result<DrawdownState, TransitionError> {
    if transition.actor() != actor {
        return Err(TransitionError::NotPermitted { transition, actor });
    }
    if !transition.from_states().contains(&from) {
        return Err(TransitionError::NotAllowedFrom { transition, from });
    }
    Ok(transition.target())
}

/// A request's number, `PDR-000001`, … `PDR-999999`, then `PDR-1000000`
/// and on: six digits at least, as many as the number needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PdrNumber(u32);

impl PdrNumber {
    /// The number for the `n`-th request (from 1).
    pub fn from_sequence(n: i64) -> Option<Self> {
        u32::try_from(n).ok().filter(|n| *n >= 1).map(Self)
    }

    /// Reads `PDR-000001` (case-insensitive, surrounding blanks ignored);
    /// past six digits, only without leading zeros, as it is written.
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        let digits = s
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("PDR-"))
            .and(s.get(4..))?;
        let canonical = digits.len() == 6 || (digits.len() > 6 && !digits.starts_with('0'));
        if !canonical || digits.len() > 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Self::from_sequence(digits.parse().ok()?)
    }

    /// The sequence number.
    pub fn sequence(self) -> i64 {
        i64::from(self.0)
    }
}

impl fmt::Display for PdrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PDR-{:06}", self.0)
    }
}

impl TryFrom<String> for PdrNumber {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("not a PDR number: {value:?}"))
    }
}

impl From<PdrNumber> for String {
    fn from(value: PdrNumber) -> Self {
        value.to_string()
    }
}

/// Why a customer website is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum WebsiteError {
    #[error("the website is empty")]
    Empty,
    #[error("the website must be a full address starting with http:// or https://")]
    NotAnHttpUrl,
    #[error("the website address has no host name")]
    NoHost,
}

/// A customer's website: an absolute http or https URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerWebsite {
    /// The address as the URL Standard serializes it.
    href: String,
    host: String,
}

impl CustomerWebsite {
    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, WebsiteError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(WebsiteError::Empty);
        }
        let url = whatwg_url::parse(s).ok_or(WebsiteError::NotAnHttpUrl)?;
        if !matches!(url.scheme.as_str(), "http" | "https") {
            return Err(WebsiteError::NotAnHttpUrl);
        }
        if (url.host.is_empty() || !url.host.contains('.')) && !url.host_is_ip {
            return Err(WebsiteError::NoHost);
        }
        Ok(Self {
            href: url.href,
            host: url.host,
        })
    }

    /// The domain two websites are compared by: the host, lower-case,
    /// without a leading `www.`.
    pub fn domain(&self) -> String {
        let host = self.host.to_ascii_lowercase();
        host.strip_prefix("www.").map(str::to_string).unwrap_or(host)
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.href
    }
}

/// The parts of a URL the rules above read, from a parser of the WHATWG URL
/// Standard: the browser's own `URL` in the WebAssembly (so no URL parser,
/// IDNA or Unicode tables are shipped to it), the `url` crate elsewhere.
/// Both implement the same standard, so both sides agree on what passes.
mod whatwg_url {
    pub struct Parts {
        pub href: String,
        pub scheme: String,
        /// The host as serialized: a domain, an IPv4 address, or `[IPv6]`.
        pub host: String,
        pub host_is_ip: bool,
    }

    #[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
    pub fn parse(s: &str) -> Option<Parts> {
        let url = url::Url::parse(s).ok()?;
        Some(Parts {
            host: url.host_str().unwrap_or_default().to_owned(),
            host_is_ip: matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))),
            scheme: url.scheme().to_owned(),
            href: url.into(),
        })
    }

    #[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
    pub fn parse(s: &str) -> Option<Parts> {
        let url = web_sys::Url::new(s).ok()?;
        let host = url.hostname();
        Some(Parts {
            host_is_ip: host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok(),
            scheme: url.protocol().trim_end_matches(':').to_owned(),
            href: url.href(),
            host,
        })
    }
}

impl TryFrom<String> for CustomerWebsite {
    type Error = WebsiteError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CustomerWebsite> for String {
    fn from(value: CustomerWebsite) -> Self {
        value.href
    }
}

/// The customer contact's email: the same rules as a sign-in email.
pub type CustomerEmail = UserEmail;
/// The customer contact's name: the same rules as an account name.
pub type ContactName = AccountName;

/// Why a reason is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ReasonError {
    #[error("give a reason")]
    Empty,
    #[error("the reason has more than {max} characters")]
    TooLong { max: u32 },
}

/// Why accounting decided as it did: shown to the partner and kept in the
/// request's history. Trimmed, 1 to 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: u32 = 2000;

    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, ReasonError> {
        let s = input.trim();
        match s.chars().count() {
            0 => Err(ReasonError::Empty),
            n if n > Self::MAX_CHARS as usize => Err(ReasonError::TooLong { max: Self::MAX_CHARS }),
            _ => Ok(Self(s.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reason {
    type Error = ReasonError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Reason> for String {
    fn from(value: Reason) -> Self {
        value.0
    }
}

/// A customer account the partner already manages, as the form compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedCustomer {
    pub id: AccountId,
    pub name: String,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// What it holds now, per product name: the form shows what it will hold.
    #[serde(default)]
    pub holdings: Vec<(String, i64)>,
}

/// The customer account a request is tied to: one the partner already
/// manages with the same name (ignoring case and surrounding blanks) or the
/// same website domain. The browser shows it before saving; the server ties
/// the request to it.
pub fn matching_customer<'a>(
    customers: &'a [ManagedCustomer],
    name: &str,
    website: &str,
) -> Option<&'a ManagedCustomer> {
    let name = name.trim().to_lowercase();
    let domain = CustomerWebsite::parse(website).ok().map(|w| w.domain());
    customers
        .iter()
        .find(|c| !name.is_empty() && c.name.trim().to_lowercase() == name)
        .or_else(|| {
            let domain = domain.as_ref()?;
            customers.iter().find(|c| {
                c.website
                    .as_deref()
                    .and_then(|w| CustomerWebsite::parse(w).ok())
                    .is_some_and(|w| &w.domain() == domain)
            })
        })
}

/// A request form field, for placing a message next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "line")]
pub enum DrawdownField {
    Order,
    CustomerAccount,
    CustomerWebsite,
    CustomerName,
    CustomerEmail,
    /// The quantity of one order line.
    Quantity(OrderLineId),
    /// The quantities as a whole ("at least one above 0").
    Quantities,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum DrawdownFieldError {
    #[error("choose an order")]
    NoOrder,
    #[error("{0}")]
    Name(#[from] AccountNameError),
    #[error("{0}")]
    Website(#[from] WebsiteError),
    #[error("{0}")]
    Email(#[from] EmailError),
    #[error("{0}")]
    Quantity(#[from] QuantityError),
    #[error("not enough available: only {available} left on this order line")]
    AboveAvailable { available: i64 },
    #[error("this product is not a line of the chosen order")]
    NotALineOfTheOrder,
    #[error("this order line is given twice")]
    Duplicate,
    #[error("at most {max} order lines in one request")]
    TooManyLines { max: u32 },
    #[error("enter a quantity above 0 for at least one product")]
    NothingRequested,
}

/// One order line as the form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAvailability {
    pub line: OrderLineId,
    pub product_name: String,
    pub available: i64,
}

/// The request form as typed: every field a string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownForm {
    pub customer_account: String,
    pub customer_website: String,
    pub customer_name: String,
    pub customer_email: String,
    /// One entry per line of the chosen order.
    pub quantities: Vec<(OrderLineId, String)>,
}

/// A valid request, ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDrawdown {
    pub customer_account: AccountName,
    pub customer_website: CustomerWebsite,
    pub customer_name: ContactName,
    pub customer_email: CustomerEmail,
    /// Only the lines with a quantity above 0.
    pub lines: Vec<(OrderLineId, Quantity)>,
}

impl DrawdownForm {
    /// Checks every field against the chosen order's lines (`None`: no order
    /// chosen). Returns the valid request, or every problem with its field.
    /// The most order lines one request may list (an order has a few).
    pub const MAX_LINES: u32 = 100;

    pub fn validate(
        &self,
        order_lines: Option<&[LineAvailability]>,
    ) -> Result<NewDrawdown, Vec<(DrawdownField, DrawdownFieldError)>> {
        fn check<T, E: Into<DrawdownFieldError>>(
            errors: &mut Vec<(DrawdownField, DrawdownFieldError)>,
            field: DrawdownField,
            result: Result<T, E>,
        ) -> Option<T> {
            result.map_err(|e| errors.push((field, e.into()))).ok()
        }
        let mut errors = Vec::new();
        let account = check(
            &mut errors,
            DrawdownField::CustomerAccount,
            AccountName::parse(&self.customer_account),
        );
        let website = check(
            &mut errors,
            DrawdownField::CustomerWebsite,
            CustomerWebsite::parse(&self.customer_website),
        );
        let name = check(
            &mut errors,
            DrawdownField::CustomerName,
            ContactName::parse(&self.customer_name),
        );
        let email = check(
            &mut errors,
            DrawdownField::CustomerEmail,
            CustomerEmail::parse(&self.customer_email),
        );

        let mut lines = Vec::new();
        match order_lines {
            None => errors.push((DrawdownField::Order, DrawdownFieldError::NoOrder)),
            Some(_) if self.quantities.len() > Self::MAX_LINES as usize => errors.push((
                DrawdownField::Quantities,
                DrawdownFieldError::TooManyLines { max: Self::MAX_LINES },
            )),
            Some(order_lines) => {
                for (index, (line, text)) in self.quantities.iter().enumerate() {
                    let field = DrawdownField::Quantity(*line);
                    if self.quantities[..index]
                        .iter()
                        .any(|(earlier, _)| earlier == line)
                    {
                        errors.push((field, DrawdownFieldError::Duplicate));
                        continue;
                    }
                    let Some(offered) = order_lines.iter().find(|l| l.line == *line) else {
                        errors.push((field, DrawdownFieldError::NotALineOfTheOrder));
                        continue;
                    };
                    match Quantity::parse(text) {
                        Err(e) => errors.push((field, e.into())),
                        Ok(q) if q.get() > offered.available => errors.push((
                            field,
                            DrawdownFieldError::AboveAvailable {
                                available: offered.available,
                            },
                        )),
                        Ok(q) if q.get() > 0 => lines.push((*line, q)),
                        Ok(_) => {}
                    }
                }
                let any_line_error = errors
                    .iter()
                    .any(|(f, _)| matches!(f, DrawdownField::Quantity(_)));
                if lines.is_empty() && !any_line_error {
                    errors.push((DrawdownField::Quantities, DrawdownFieldError::NothingRequested));
                }
            }
        }
        match (account, website, name, email) {
            (Some(customer_account), Some(customer_website), Some(customer_name), Some(customer_email))
                if errors.is_empty() =>
            {
                Ok(NewDrawdown {
                    customer_account,
                    customer_website,
                    customer_name,
                    customer_email,
                    lines,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DrawdownState::*;
    use Transition::*;

    #[test]
    fn each_transition_moves_only_from_its_states_and_only_for_its_actor() {
        let actors = [Actor::Partner, Actor::Accounting, Actor::System];
        let transitions = [Approve, Reject, Accept, Cancel, Expire];
        let allowed = [
            (Submitted, Approve, Actor::Accounting, Approved),
            (Submitted, Reject, Actor::Accounting, Rejected),
            (Approved, Accept, Actor::Partner, Accepted),
            (Submitted, Cancel, Actor::Partner, Cancelled),
            (Approved, Cancel, Actor::Partner, Cancelled),
            (Approved, Expire, Actor::System, Expired),
        ];
        let mut seen = 0;
        for from in DrawdownState::ALL {
            for t in transitions {
                for actor in actors {
                    let expected = allowed
                        .iter()
                        .find(|a| (a.0, a.1, a.2) == (from, t, actor))
                        .map(|a| a.3);
                    match (next_state(from, t, actor), expected) {
                        (Ok(to), Some(want)) => {
                            assert_eq!(to, want);
                            seen += 1;
                        }
                        (Err(_), None) => {}
                        (got, want) => panic!("{from} {t} by {actor}: got {got:?}, want {want:?}"),
                    }
                }
            }
        }
        assert_eq!(seen, allowed.len());
    }

    #[test]
    fn accounting_can_never_accept_or_cancel_and_a_partner_never_approves() {
        assert_eq!(
            next_state(Approved, Accept, Actor::Accounting),
            Err(TransitionError::NotPermitted {
                transition: Accept,
                actor: Actor::Accounting
            })
        );
        assert!(next_state(Submitted, Cancel, Actor::Accounting).is_err());
        assert!(next_state(Submitted, Approve, Actor::Partner).is_err());
    }

    #[test]
    fn a_decided_request_cannot_be_decided_again() {
        assert_eq!(
            next_state(Rejected, Approve, Actor::Accounting),
            Err(TransitionError::NotAllowedFrom {
                transition: Approve,
                from: Rejected
            })
        );
        assert!(next_state(Accepted, Cancel, Actor::Partner).is_err());
        assert!(next_state(Expired, Accept, Actor::Partner).is_err());
    }

    #[test]
    fn only_submitted_and_approved_requests_hold_a_reservation() {
        let holding: Vec<_> = DrawdownState::ALL
            .into_iter()
            .filter(|s| s.holds_reservation())
            .collect();
        assert_eq!(holding, [Submitted, Approved]);
        for s in DrawdownState::ALL {
            assert_eq!(DrawdownState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn customer_and_vendor_admin_roles_take_no_part() {
        assert_eq!(Actor::of(Role::PartnerUser), Some(Actor::Partner));
        assert_eq!(Actor::of(Role::Accounting), Some(Actor::Accounting));
        assert_eq!(Actor::of(Role::CustomerUser), None);
        assert_eq!(Actor::of(Role::VendorAdmin), None);
    }

    #[test]
    fn pdr_numbers_have_six_digits_and_read_back() {
        let n = PdrNumber::from_sequence(42).expect("in range");
        assert_eq!(n.to_string(), "PDR-000042");
        assert_eq!(PdrNumber::parse(" pdr-000042 "), Some(n));
        assert_eq!(PdrNumber::from_sequence(0), None);
        let millionth = PdrNumber::from_sequence(1_000_000).expect("past six digits");
        assert_eq!(millionth.to_string(), "PDR-1000000");
        assert_eq!(PdrNumber::parse("PDR-1000000"), Some(millionth));
        assert!(PdrNumber::from_sequence(999_999) < Some(millionth));
        assert_eq!(PdrNumber::parse("PDR-0999999"), None, "one way to write each");
        assert_eq!(PdrNumber::from_sequence(i64::from(u32::MAX) + 1), None);
        assert_eq!(PdrNumber::parse("PDR-42"), None);
        assert_eq!(PdrNumber::parse("PDR-00004x"), None);
    }

    #[test]
    fn a_website_is_an_absolute_http_url_with_a_host() {
        let site = CustomerWebsite::parse(" https://WWW.Contoso.example/about ").expect("valid");
        assert_eq!(site.domain(), "contoso.example");
        assert_eq!(CustomerWebsite::parse(""), Err(WebsiteError::Empty));
        assert_eq!(
            CustomerWebsite::parse("contoso.example"),
            Err(WebsiteError::NotAnHttpUrl)
        );
        assert_eq!(
            CustomerWebsite::parse("ftp://contoso.example"),
            Err(WebsiteError::NotAnHttpUrl)
        );
        assert_eq!(
            CustomerWebsite::parse("javascript:alert(1)"),
            Err(WebsiteError::NotAnHttpUrl)
        );
        assert_eq!(
            CustomerWebsite::parse("https://localhost"),
            Err(WebsiteError::NoHost)
        );
        assert!(CustomerWebsite::parse("http://192.0.2.7").is_ok());
    }

    fn lines() -> Vec<LineAvailability> {
        vec![
            LineAvailability {
                line: OrderLineId(1),
                product_name: "Bot Creator".into(),
                available: 10,
            },
            LineAvailability {
                line: OrderLineId(2),
                product_name: "IQ Bot pages".into(),
                available: 500,
            },
        ]
    }

    fn good_form() -> DrawdownForm {
        DrawdownForm {
            customer_account: "Contoso Pharma".into(),
            customer_website: "https://contoso.example".into(),
            customer_name: "Chris Lambert".into(),
            customer_email: "chris@contoso.example".into(),
            quantities: vec![(OrderLineId(1), "3".into()), (OrderLineId(2), "0".into())],
        }
    }

    fn fields(result: Result<NewDrawdown, Vec<(DrawdownField, DrawdownFieldError)>>) -> Vec<DrawdownField> {
        result.expect_err("invalid").into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_good_form_gives_a_request_with_only_the_lines_above_zero() {
        let new = good_form().validate(Some(&lines())).expect("valid");
        assert_eq!(new.lines, vec![(OrderLineId(1), Quantity::new(3).expect("q"))]);
        assert_eq!(new.customer_website.domain(), "contoso.example");
    }

    #[test]
    fn each_bad_field_is_named() {
        let form = DrawdownForm {
            customer_account: "  ".into(),
            customer_website: "contoso".into(),
            customer_name: "".into(),
            customer_email: "chris@".into(),
            quantities: vec![
                (OrderLineId(1), "11".into()),
                (OrderLineId(2), "-1".into()),
                (OrderLineId(9), "1".into()),
            ],
        };
        assert_eq!(
            fields(form.validate(Some(&lines()))),
            [
                DrawdownField::CustomerAccount,
                DrawdownField::CustomerWebsite,
                DrawdownField::CustomerName,
                DrawdownField::CustomerEmail,
                DrawdownField::Quantity(OrderLineId(1)),
                DrawdownField::Quantity(OrderLineId(2)),
                DrawdownField::Quantity(OrderLineId(9)),
            ]
        );
    }

    #[test]
    fn a_quantity_above_available_says_what_is_available() {
        let mut form = good_form();
        form.quantities[0].1 = "11".into();
        let errors = form.validate(Some(&lines())).expect_err("invalid");
        assert_eq!(
            errors,
            [(
                DrawdownField::Quantity(OrderLineId(1)),
                DrawdownFieldError::AboveAvailable { available: 10 }
            )]
        );
        assert_eq!(
            errors[0].1.to_string(),
            "not enough available: only 10 left on this order line"
        );
    }

    #[test]
    fn all_zero_quantities_or_no_order_are_refused() {
        let mut form = good_form();
        form.quantities[0].1 = "0".into();
        assert_eq!(fields(form.validate(Some(&lines()))), [DrawdownField::Quantities]);
        assert_eq!(fields(good_form().validate(None)), [DrawdownField::Order]);
    }

    fn customer(id: i64, name: &str, website: Option<&str>) -> ManagedCustomer {
        ManagedCustomer {
            id: AccountId(id),
            name: name.into(),
            website: website.map(Into::into),
            contact_name: None,
            contact_email: None,
            holdings: Vec::new(),
        }
    }

    #[test]
    fn a_request_is_tied_to_a_customer_with_the_same_name_or_website_domain() {
        let customers = [
            customer(1, "Contoso Pharma", Some("https://www.contoso.example")),
            customer(2, "Fabrikam", None),
        ];
        let by = |name: &str, website: &str| matching_customer(&customers, name, website).map(|c| c.id.0);
        assert_eq!(by("  contoso PHARMA ", "https://other.example"), Some(1));
        assert_eq!(by("Contoso Ltd", "http://contoso.example/shop"), Some(1));
        assert_eq!(by("Fabrikam", "not a url"), Some(2));
        assert_eq!(by("Litware", "https://litware.example"), None);
        assert_eq!(by("", "not a url"), None);
    }
}
