//! Orders and order lines: what a partner bought from the vendor.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an order number is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum OrderNumberError {
    #[error("the order number is empty")]
    Empty,
    #[error("the order number has more than {max} characters")]
    TooLong { max: u32 },
    #[error("the order number may hold only letters, digits, '-', '_', '/' and '.'")]
    BadCharacter,
}

/// The vendor's order number, e.g. `SO-2026-0142`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderNumber(String);

impl OrderNumber {
    /// Longest number the vendor's order system issues, with room to spare.
    pub const MAX_CHARS: u32 = 40;

    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, OrderNumberError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(OrderNumberError::Empty);
        }
        if s.chars().count() > Self::MAX_CHARS as usize {
            return Err(OrderNumberError::TooLong { max: Self::MAX_CHARS });
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
        {
            return Err(OrderNumberError::BadCharacter);
        }
        Ok(Self(s.to_string()))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrderNumber {
    type Error = OrderNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrderNumber> for String {
    fn from(value: OrderNumber) -> Self {
        value.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a quantity is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum QuantityError {
    #[error("the quantity is empty")]
    Empty,
    #[error("the quantity must be a whole number")]
    NotWholeNumber,
    #[error("the quantity must not be negative")]
    Negative,
    #[error("the quantity must be above 0")]
    Zero,
    #[error("the quantity must be at most {max}")]
    TooLarge { max: i64 },
}

/// A whole number of licenses, pages or instances: 0 up to a billion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(i64);

impl Quantity {
    /// Far above any real order; keeps sums far from overflow.
    pub const MAX: i64 = 1_000_000_000;
    /// Nothing.
    pub const ZERO: Quantity = Quantity(0);

    /// Checks a number.
    pub fn new(n: i64) -> Result<Self, QuantityError> {
        if n < 0 {
            Err(QuantityError::Negative)
        } else if n > Self::MAX {
            Err(QuantityError::TooLarge { max: Self::MAX })
        } else {
            Ok(Self(n))
        }
    }

    /// Reads a quantity typed by a person or found in a file.
    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        if let Some(rest) = s.strip_prefix('-') {
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
                return Err(QuantityError::Negative);
            }
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(QuantityError::NotWholeNumber);
        }
        // All digits: the only parse failure left is overflow.
        let n: i64 = s
            .parse()
            .map_err(|_| QuantityError::TooLarge { max: Self::MAX })?;
        Self::new(n)
    }

    /// Like `parse`, for an order line, which must hold at least one.
    pub fn parse_positive(input: &str) -> Result<Self, QuantityError> {
        let q = Self::parse(input)?;
        if q.0 == 0 {
            Err(QuantityError::Zero)
        } else {
            Ok(q)
        }
    }

    /// The number.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Quantity> for i64 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a license term is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum TermError {
    #[error("the term must be a whole number of months")]
    NotWholeNumber,
    #[error("the term must be between 1 and {max} months")]
    OutOfRange { max: u16 },
}

/// A license term in months, 1 to 120.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct TermMonths(u16);

impl TermMonths {
    /// Ten years: the longest term the vendor sells.
    pub const MAX: u16 = 120;

    /// Checks a number of months.
    pub fn new(n: i64) -> Result<Self, TermError> {
        match u16::try_from(n) {
            Ok(m) if (1..=Self::MAX).contains(&m) => Ok(Self(m)),
            _ => Err(TermError::OutOfRange { max: Self::MAX }),
        }
    }

    /// Reads a typed term.
    pub fn parse(input: &str) -> Result<Self, TermError> {
        let s = input.trim();
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(TermError::NotWholeNumber);
        }
        Self::new(s.parse().map_err(|_| TermError::OutOfRange { max: Self::MAX })?)
    }

    /// The number of months.
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for TermMonths {
    type Error = TermError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<TermMonths> for i64 {
    fn from(value: TermMonths) -> Self {
        value.get()
    }
}

/// Why an order date is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the date must be a calendar date written YYYY-MM-DD")]
pub struct OrderDateError;

/// The day an order was placed, written `YYYY-MM-DD` everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderDate(time::Date);

impl OrderDate {
    /// Reads `YYYY-MM-DD`; refuses impossible dates such as 2026-02-30.
    pub fn parse(input: &str) -> Result<Self, OrderDateError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(input.trim(), &format)
            .map(Self)
            .map_err(|_| OrderDateError)
    }
}

impl fmt::Display for OrderDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(f, "{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_number_is_trimmed_and_kept() {
        assert_eq!(
            OrderNumber::parse(" SO-2026/0142 ").map(String::from),
            Ok("SO-2026/0142".into())
        );
    }

    #[test]
    fn order_numbers_that_are_empty_long_or_odd_are_refused() {
        assert_eq!(OrderNumber::parse("  "), Err(OrderNumberError::Empty));
        assert_eq!(
            OrderNumber::parse(&"A".repeat(41)),
            Err(OrderNumberError::TooLong { max: 40 })
        );
        assert_eq!(OrderNumber::parse("SO 1"), Err(OrderNumberError::BadCharacter));
        assert_eq!(OrderNumber::parse("SO;1"), Err(OrderNumberError::BadCharacter));
    }

    #[test]
    fn a_quantity_is_a_whole_non_negative_number_up_to_a_billion() {
        assert_eq!(Quantity::parse("0").map(Quantity::get), Ok(0));
        assert_eq!(Quantity::parse(" 25 ").map(Quantity::get), Ok(25));
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        assert_eq!(Quantity::parse("-3"), Err(QuantityError::Negative));
        assert_eq!(Quantity::parse("2.5"), Err(QuantityError::NotWholeNumber));
        assert_eq!(Quantity::parse("1e3"), Err(QuantityError::NotWholeNumber));
        assert_eq!(
            Quantity::parse("1000000001"),
            Err(QuantityError::TooLarge { max: Quantity::MAX })
        );
        assert_eq!(
            Quantity::parse("99999999999999999999999"),
            Err(QuantityError::TooLarge { max: Quantity::MAX })
        );
    }

    #[test]
    fn an_order_line_quantity_must_be_above_zero() {
        assert_eq!(Quantity::parse_positive("0"), Err(QuantityError::Zero));
        assert_eq!(Quantity::parse_positive("1").map(Quantity::get), Ok(1));
    }

    #[test]
    fn a_term_is_one_to_one_hundred_twenty_months() {
        assert_eq!(TermMonths::parse("12").map(TermMonths::get), Ok(12));
        assert_eq!(TermMonths::parse("0"), Err(TermError::OutOfRange { max: 120 }));
        assert_eq!(TermMonths::parse("121"), Err(TermError::OutOfRange { max: 120 }));
        assert_eq!(TermMonths::parse("twelve"), Err(TermError::NotWholeNumber));
    }

    #[test]
    fn an_order_date_must_be_a_real_calendar_day() {
        assert_eq!(
            OrderDate::parse("2026-02-28").map(|d| d.to_string()),
            Ok("2026-02-28".into())
        );
        assert_eq!(OrderDate::parse("2026-02-30"), Err(OrderDateError));
        assert_eq!(OrderDate::parse("28/02/2026"), Err(OrderDateError));
    }
}
