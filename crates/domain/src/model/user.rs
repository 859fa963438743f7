//! Accounts, roles, profiles and saved guests.

use super::{GuestId, UserId};
use chrono::{DateTime, NaiveDate, Utc};

/// A normalised e-mail address: trimmed, fully lower-cased, local part ≤ 64, total ≤ 254.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address; `None` when the syntax is not an address.
    pub fn parse(raw: &str) -> Option<Email> {
        let s = raw.trim().to_lowercase();
        if s.chars().count() > 254 {
            return None;
        }
        let (local, domain) = s.rsplit_once('@')?;
        if local.is_empty() || local.chars().count() > 64 || domain.is_empty() {
            return None;
        }
        let local_ok = local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.chars().count() <= 63
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
            && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if local_ok && domain_ok { Some(Email(s)) } else { None }
    }
    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Password length rules (not trimmed): 8..=128 characters.
pub const PASSWORD_MIN: usize = 8;
/// Longest accepted password.
pub const PASSWORD_MAX: usize = 128;

/// A role. Every user is a `Guest`; managers also hold `HotelManager`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `GUEST`: every account; may browse, book and keep saved guests.
    Guest,
    /// `HOTEL_MANAGER`: granted by operators only (never by an API call); may use `/admin` on its own hotels.
    HotelManager,
}

impl Role {
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "GUEST",
            Role::HotelManager => "HOTEL_MANAGER",
        }
    }
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "GUEST" => Some(Role::Guest),
            "HOTEL_MANAGER" => Some(Role::HotelManager),
            _ => None,
        }
    }
}

/// Gender of a user or guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `MALE`.
    Male,
    /// `FEMALE`.
    Female,
}

impl Gender {
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "MALE",
            Gender::Female => "FEMALE",
        }
    }
    /// Parses the exact upper-case name.
    pub fn parse(s: &str) -> Option<Gender> {
        match s {
            "MALE" => Some(Gender::Male),
            "FEMALE" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// A stored account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Database id (identity, ≥ 1); the `sub` of the user's tokens.
    pub id: UserId,
    /// The normalised login address, unique across accounts.
    pub email: Email,
    /// An argon2id PHC string, or an imported bcrypt hash re-hashed at the next login; never sent to clients.
    pub password_hash: String,
    /// Display name (1..=255 characters).
    pub name: Option<String>,
    /// Date of birth (1900-01-01..=today).
    pub date_of_birth: Option<NaiveDate>,
    /// Gender, when given.
    pub gender: Option<Gender>,
    /// Roles as stored (at least one; managers keep `Guest`); read on every request, so they decide over any
    /// token claim.
    pub roles: Vec<Role>,
}

impl User {
    /// Whether the user holds `HOTEL_MANAGER`.
    pub fn is_manager(&self) -> bool {
        self.roles.contains(&Role::HotelManager)
    }
}

/// A new account to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// The normalised address; must not be registered yet.
    pub email: Email,
    /// The PHC string of the chosen password (8..=128 characters before hashing).
    pub password_hash: String,
    /// Display name (1..=255 characters).
    pub name: Option<String>,
}

/// A change to one field: keep it, or set it (to a value or to null).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave the field as it is (the key was absent).
    #[default]
    Keep,
    /// Replace the field; `Set(None)` clears a nullable one (the key was `null`).
    Set(T),
}

impl<T: Clone> Patch<T> {
    /// The new value, or `current` when kept.
    pub fn apply(&self, current: T) -> T {
        match self {
            Patch::Keep => current,
            Patch::Set(v) => v.clone(),
        }
    }
    /// Whether the patch changes anything.
    pub fn is_set(&self) -> bool {
        matches!(self, Patch::Set(_))
    }
}

/// Profile changes (`null` clears).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfilePatch {
    /// A new display name (1..=255 characters), or `Set(None)` to clear it.
    pub name: Patch<Option<String>>,
    /// A new date of birth (1900-01-01..=today), or `Set(None)` to clear it.
    pub date_of_birth: Patch<Option<NaiveDate>>,
    /// A new gender, or `Set(None)` to clear it.
    pub gender: Patch<Option<Gender>>,
}

/// A saved guest of a user.
#[derive(Debug, Clone, PartialEq)]
pub struct Guest {
    /// Database id (identity, ≥ 1).
    pub id: GuestId,
    /// The owning account; only it can see, change or link the guest.
    pub user_id: UserId,
    /// Full name (1..=255 characters).
    pub name: String,
    /// Gender (required).
    pub gender: Gender,
    /// Age in years (0..=150).
    pub age: Option<i32>,
}

/// A guest to save.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGuest {
    /// Full name (1..=255 characters).
    pub name: String,
    /// Gender (required).
    pub gender: Gender,
    /// Age in years (0..=150).
    pub age: Option<i32>,
}

/// Guest changes: `name`/`gender` kept when absent or null; `age` null clears.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GuestPatch {
    /// A new name (1..=255 characters); `None` keeps it.
    pub name: Option<String>,
    /// A new gender; `None` keeps it.
    pub gender: Option<Gender>,
    /// A new age (0..=150), or `Set(None)` to clear it.
    pub age: Patch<Option<i32>>,
}

/// Most saved guests a user may keep.
pub const MAX_SAVED_GUESTS: i64 = 200;

/// A stored refresh token of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    /// The token's `jti` claim (a UUID v4), the record's key.
    pub jti: String,
    /// The family started at login; every rotation stays in it, and reuse or logout revokes all of it.
    pub family_id: String,
    /// The token's owner (`sub`).
    pub user_id: UserId,
    /// The token's `iat`.
    pub issued_at: DateTime<Utc>,
    /// The token's `exp`: `issued_at + REFRESH_TOKEN_DAYS`.
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq)]
pub enum RotateOutcome {
    /// The token was live; it is now rotated and the new one stored.
    Rotated,
    /// The token had been rotated already: the whole family is now revoked.
    Reused,
    /// Unknown, revoked, or belonging to another user.
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised() {
        assert_eq!(Email::parse("  Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
    }

    #[test]
    fn email_syntax() {
        for bad in ["", "a", "a@", "@b.com", "a@b", "a b@c.com", "a@b..com", ".a@b.com", "a@-b.com", "a@b.c"] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_none());
        let long_total = format!("a@{}.com", "b".repeat(250));
        assert!(Email::parse(&long_total).is_none());
        assert!(Email::parse("first.last+tag@sub.example.org").is_some());
    }

    #[test]
    fn roles_and_genders_round_trip() {
        for r in [Role::Guest, Role::HotelManager] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Gender::parse("male"), None);
        assert_eq!(Gender::parse("FEMALE"), Some(Gender::Female));
    }
}
