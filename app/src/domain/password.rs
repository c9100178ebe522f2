//! The password policy (SPEC, "Your account"): at least 12 characters, at
//! most 256 (hashing work stays bounded), and not one of the passwords every
//! guesser tries first. The same rules run in the browser, next to the
//! field, and on the server.

use serde::{Deserialize, Serialize};

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum PasswordError {
    #[error("the password must have at least {min} characters")]
    TooShort { min: u32 },
    #[error("the password must have at most {max} characters")]
    TooLong { max: u32 },
    #[error("the password is one of the most common passwords")]
    TooCommon,
    #[error("the password and its confirmation differ")]
    Mismatch,
}

/// Common passwords of at least `MIN_CHARS`, shipped with the code.
const COMMON: &str = include_str!("common_passwords.txt");

/// A password chosen for a user. Deliberately neither `Debug`-printable
/// nor serializable: it goes from the form to the hasher and nowhere else.
pub struct NewPassword(String);

impl NewPassword {
    /// Fewer characters than this are too easy to guess.
    pub const MIN_CHARS: u32 = 12;
    /// Bounds the hashing work a single request can cause.
    pub const MAX_CHARS: u32 = 256;

    /// Checks the policy.
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        let n = input.chars().count();
        if n < Self::MIN_CHARS as usize {
            Err(PasswordError::TooShort { min: Self::MIN_CHARS })
        } else if n > Self::MAX_CHARS as usize {
            Err(PasswordError::TooLong { max: Self::MAX_CHARS })
        } else if is_common(&input) {
            Err(PasswordError::TooCommon)
        } else {
            Ok(Self(input))
        }
    }

    /// A new password typed twice, as the forms ask for it.
    pub fn confirmed(input: String, confirmation: &str) -> Result<Self, PasswordError> {
        let password = Self::parse(input)?;
        if password.0 != confirmation {
            return Err(PasswordError::Mismatch);
        }
        Ok(password)
    }

    /// The password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// In the shipped list (ignoring case and surrounding spaces), or one
/// character or a pair repeated ("aaaaaaaaaaaa", "abababababab").
fn is_common(password: &str) -> bool {
    let lowered = password.trim().to_lowercase();
    let chars: Vec<char> = lowered.chars().collect();
    let repeats = |period: usize| {
        chars.len() > period && chars.iter().enumerate().all(|(i, c)| *c == chars[i % period])
    };
    if repeats(1) || repeats(2) || repeats(3) {
        return true;
    }
    COMMON
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line.trim() == lowered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_or_long_password_is_refused_with_the_bound() {
        assert_eq!(
            NewPassword::parse("elevenchars".into()).err(),
            Some(PasswordError::TooShort { min: 12 })
        );
        assert!(NewPassword::parse("twelve chars".into()).is_ok());
        assert_eq!(
            NewPassword::parse("x y".repeat(86)).err(),
            Some(PasswordError::TooLong { max: 256 })
        );
    }

    #[test]
    fn the_most_common_passwords_are_refused_whatever_their_case() {
        for common in [
            "password1234",
            "Password1234",
            " QWERTY123456 ",
            "motdepasse123",
            "1q2w3e4r5t6y",
        ] {
            assert_eq!(
                NewPassword::parse(common.into()).err(),
                Some(PasswordError::TooCommon),
                "{common}"
            );
        }
        for repeated in ["aaaaaaaaaaaa", "abababababab", "abcabcabcabc"] {
            assert_eq!(
                NewPassword::parse(repeated.into()).err(),
                Some(PasswordError::TooCommon),
                "{repeated}"
            );
        }
        assert!(NewPassword::parse("walnut ferry lamp 42".into()).is_ok());
    }

    #[test]
    fn the_list_holds_only_passwords_the_length_rule_lets_through() {
        for line in COMMON.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.chars().count() >= NewPassword::MIN_CHARS as usize, "{line}");
            assert_eq!(line, line.to_lowercase(), "{line}");
        }
    }

    #[test]
    fn a_confirmation_that_differs_is_refused() {
        assert_eq!(
            NewPassword::confirmed("walnut ferry lamp 42".into(), "walnut ferry lamp 43").err(),
            Some(PasswordError::Mismatch)
        );
        assert!(NewPassword::confirmed("walnut ferry lamp 42".into(), "walnut ferry lamp 42").is_ok());
    }
}
