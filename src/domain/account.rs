//! Account values: the only way to build a valid email, role, password or timezone.

use std::fmt;

/// What a user may do on the server.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Instructor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Learner, Role::Instructor, Role::Admin];

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "learner" => Some(Role::Learner),
            "instructor" => Some(Role::Instructor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Instructor => "instructor",
            Role::Admin => "admin",
        }
    }
}

/// A syntactically plausible email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Email is required.".into());
        }
        if email.len() > Self::MAX_LEN {
            return Err(format!(
                "Email is longer than {} characters.",
                Self::MAX_LEN
            ));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err("That does not look like an email address.".into());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password a user typed. Its `Debug` never shows the text, so it cannot leak into logs.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_BYTES: usize = 10;
    pub const MAX_BYTES: usize = 1024;

    /// A new password: 10 to 1024 bytes.
    pub fn new_checked(raw: String) -> Result<Password, String> {
        if raw.len() < Self::MIN_BYTES {
            return Err(format!(
                "Passwords need at least {} characters.",
                Self::MIN_BYTES
            ));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(format!(
                "Passwords can be at most {} bytes.",
                Self::MAX_BYTES
            ));
        }
        Ok(Password(raw))
    }

    /// A password offered at login: only the upper bound applies, so that an old, shorter
    /// password still fails in the ordinary way rather than with a hint.
    pub fn offered(raw: String) -> Result<Password, String> {
        if raw.len() > Self::MAX_BYTES {
            return Err(format!(
                "Passwords can be at most {} bytes.",
                Self::MAX_BYTES
            ));
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// An IANA timezone name such as `Europe/Berlin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timezone(String);

impl Timezone {
    pub fn parse(raw: &str) -> Result<Timezone, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Timezone("UTC".into()));
        }
        raw.parse::<chrono_tz::Tz>()
            .map(|tz| Timezone(tz.name().to_string()))
            .map_err(|_| format!("Unknown timezone {raw:?}."))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ada@Example.ORG ").unwrap().as_str(),
            "ada@example.org"
        );
    }

    #[test]
    fn bad_emails_are_rejected_with_a_reason() {
        let long = format!("{}@x.org", "a".repeat(260));
        let cases = [
            ("", "empty"),
            ("   ", "blank"),
            ("no-at-sign", "missing @"),
            ("@example.org", "empty local part"),
            ("ada@", "empty domain"),
            ("a@b@c", "two @"),
            ("ada lovelace@example.org", "inner space"),
            ("ada@.org", "domain starts with a dot"),
            (long.as_str(), "too long"),
        ];
        for (input, why) in cases {
            assert!(
                Email::parse(input).is_err(),
                "{why}: {input:?} was accepted"
            );
        }
    }

    #[test]
    fn password_length_is_counted_in_bytes() {
        assert!(Password::new_checked("123456789".into()).is_err());
        assert!(Password::new_checked("1234567890".into()).is_ok());
        assert!(
            Password::new_checked("é".repeat(5)).is_ok(),
            "5 chars but 10 bytes"
        );
        assert!(Password::new_checked("x".repeat(1024)).is_ok());
        assert!(Password::new_checked("x".repeat(1025)).is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::new_checked("hunter2hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn timezone_accepts_iana_names_and_defaults_to_utc() {
        assert_eq!(
            Timezone::parse("Europe/Berlin").unwrap().as_str(),
            "Europe/Berlin"
        );
        assert_eq!(Timezone::parse("").unwrap().as_str(), "UTC");
        assert!(Timezone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
