use crate::model::*;
use crate::ports::*;
use crate::{Error, Result};
use std::sync::Arc;
use std::sync::OnceLock;

/// Login lockout and token settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `LOGIN_MAX_FAILURES` (5): failed logins per email and window before every further one gets 429
    /// `too_many_login_attempts`; 0 turns the lockout off.
    pub login_max_failures: i32,
    /// `LOGIN_WINDOW_MINUTES` (15): length of the fixed window, which starts at the first attempt counted.
    pub login_window_minutes: i64,
}

/// Signup, login, refresh rotation, logout, authentication and profiles.
///
/// Wired from a store's user and guest repositories, a [`PasswordHasher`], a [`TokenIssuer`] and a [`Clock`]
/// (the server passes `adapter-auth`'s argon2id hasher and JWT issuer; this example uses plain stand-ins):
///
/// ```
/// # use adapter_memory::InMemoryStore;
/// # use chrono::{DateTime, Duration, Utc};
/// # use domain::model::*;
/// # use domain::ports::*;
/// # use domain::services::{AuthConfig, AuthService};
/// # use domain::{Error, Result};
/// # use std::sync::Arc;
/// # use std::sync::atomic::{AtomicUsize, Ordering};
/// # struct PlainHasher;
/// # #[async_trait::async_trait]
/// # impl PasswordHasher for PlainHasher {
/// #     async fn hash(&self, password: String) -> Result<String> {
/// #         Ok(format!("plain:{password}"))
/// #     }
/// #     async fn verify(&self, password: String, hash: String) -> Result<PasswordCheck> {
/// #         Ok(PasswordCheck { valid: hash == format!("plain:{password}"), needs_rehash: false })
/// #     }
/// # }
/// # struct PlainTokens(AtomicUsize);
/// # impl TokenIssuer for PlainTokens {
/// #     fn issue(&self, user: &User, family_id: &str, now: DateTime<Utc>) -> Result<TokenPair> {
/// #         let jti = self.new_id();
/// #         let refresh = RefreshTokenRecord {
/// #             jti: jti.clone(),
/// #             family_id: family_id.into(),
/// #             user_id: user.id,
/// #             issued_at: now,
/// #             expires_at: now + Duration::days(7),
/// #         };
/// #         let (access_token, refresh_token) = (format!("access:{}", user.id), format!("refresh:{}:{jti}", user.id));
/// #         Ok(TokenPair { access_token, refresh_token, access_expires_in: 1800, refresh })
/// #     }
/// #     fn verify_access(&self, token: &str, _now: DateTime<Utc>) -> Result<AccessClaims> {
/// #         let user_id = token.strip_prefix("access:").and_then(|s| s.parse().ok()).map(UserId).ok_or(Error::InvalidToken)?;
/// #         Ok(AccessClaims { user_id })
/// #     }
/// #     fn verify_refresh(&self, token: &str, _now: DateTime<Utc>) -> Result<RefreshClaims> {
/// #         let rest = token.strip_prefix("refresh:").ok_or(Error::InvalidRefreshToken)?;
/// #         let (user, jti) = rest.split_once(':').ok_or(Error::InvalidRefreshToken)?;
/// #         let user_id = UserId(user.parse().map_err(|_| Error::InvalidRefreshToken)?);
/// #         Ok(RefreshClaims { user_id, jti: jti.into() })
/// #     }
/// #     fn new_id(&self) -> String {
/// #         format!("id-{}", self.0.fetch_add(1, Ordering::SeqCst))
/// #     }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let store = InMemoryStore::shared();
/// let auth = AuthService::new(
///     store.clone(),
///     store.clone(),
///     Arc::new(PlainHasher),
///     Arc::new(PlainTokens(AtomicUsize::new(0))),
///     Arc::new(SystemClock),
///     AuthConfig { login_max_failures: 5, login_window_minutes: 15 },
/// );
/// let email = Email::parse("Ann@Example.com").ok_or(Error::internal("email"))?;
/// let ann = auth.signup(email.clone(), "correct horse".into(), Some("Ann".into())).await?;
/// assert_eq!(ann.roles, [Role::Guest]);
///
/// assert_eq!(auth.login(email.clone(), "wrong password".into()).await.err(), Some(Error::InvalidCredentials));
/// let login = auth.login(email, "correct horse".into()).await?;
/// let me = auth.authenticate(&login.tokens.access_token).await?;
/// assert_eq!(me.email.as_str(), "ann@example.com");
///
/// // Refresh rotates: the new pair works, presenting the old refresh token again revokes the family.
/// let next = auth.refresh(&login.tokens.refresh_token).await?;
/// assert_eq!(auth.refresh(&login.tokens.refresh_token).await.err(), Some(Error::RefreshTokenReused));
/// assert_eq!(auth.refresh(&next.tokens.refresh_token).await.err(), Some(Error::InvalidRefreshToken));
/// # Ok(())
/// # }
/// ```
pub struct AuthService {
    users: Arc<dyn UserRepository>,
    guests: Arc<dyn GuestRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenIssuer>,
    clock: Arc<dyn Clock>,
    config: AuthConfig,
    dummy_hash: OnceLock<String>,
}

/// A successful login or refresh.
#[derive(Debug, Clone)]
pub struct LoginResult {
    /// The authenticated user, as stored.
    pub user: User,
    /// The new access and refresh tokens (the refresh token already stored).
    pub tokens: TokenPair,
}

impl AuthService {
    /// Wires the service.
    pub fn new(
        users: Arc<dyn UserRepository>,
        guests: Arc<dyn GuestRepository>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenIssuer>,
        clock: Arc<dyn Clock>,
        config: AuthConfig,
    ) -> Self {
        AuthService { users, guests, hasher, tokens, clock, config, dummy_hash: OnceLock::new() }
    }

    /// Creates an account with role GUEST.
    pub async fn signup(&self, email: Email, password: String, name: Option<String>) -> Result<User> {
        if self.users.user_by_email(&email).await?.is_some() {
            return Err(Error::EmailAlreadyRegistered);
        }
        let password_hash = self.hasher.hash(password).await?;
        self.users.create_user(NewUser { email, password_hash, name }).await
    }

    /// Verifies credentials under the lockout rule and issues a token pair in a new family.
    pub async fn login(&self, email: Email, password: String) -> Result<LoginResult> {
        let now = self.clock.now();
        let window = self.config.login_window_minutes * 60;
        if self.config.login_max_failures > 0 {
            // Counted before the password is checked, atomically, so a parallel burst gets at most
            // `login_max_failures` checks; a success clears the count.
            let attempts = self.users.count_login_attempt(&email, now, window).await?;
            if let Some(retry_after_secs) = attempts.locked_for(now, window, self.config.login_max_failures) {
                return Err(Error::TooManyLoginAttempts { retry_after_secs });
            }
        }
        if password.chars().count() > PASSWORD_MAX {
            return Err(Error::InvalidCredentials);
        }
        let user = self.users.user_by_email(&email).await?;
        let hash = match &user {
            Some(u) => u.password_hash.clone(),
            None => self.dummy_hash().await?,
        };
        let check = self.hasher.verify(password.clone(), hash).await?;
        let user = match user {
            Some(u) if check.valid => u,
            _ => return Err(Error::InvalidCredentials),
        };
        self.users.reset_login_failures(&email).await?;
        if check.needs_rehash {
            let h = self.hasher.hash(password).await?;
            self.users.set_password_hash(user.id, h).await?;
        }
        let family = self.tokens.new_id();
        let tokens = self.tokens.issue(&user, &family, now)?;
        self.users.insert_refresh_token(tokens.refresh.clone()).await?;
        Ok(LoginResult { user, tokens })
    }

    async fn dummy_hash(&self) -> Result<String> {
        if let Some(h) = self.dummy_hash.get() {
            return Ok(h.clone());
        }
        let h = self.hasher.hash("staybook-dummy-password".into()).await?;
        Ok(self.dummy_hash.get_or_init(|| h).clone())
    }

    /// Rotates a refresh token: a new pair in the same family. Reuse revokes the family.
    pub async fn refresh(&self, token: &str) -> Result<LoginResult> {
        let now = self.clock.now();
        let claims = self.tokens.verify_refresh(token, now)?;
        let user = self.users.user_by_id(claims.user_id).await?.ok_or(Error::InvalidRefreshToken)?;
        let tokens = self.tokens.issue(&user, "", now)?;
        match self.users.rotate_refresh_token(&claims.jti, user.id, tokens.refresh.clone(), now).await? {
            RotateOutcome::Rotated => Ok(LoginResult { user, tokens }),
            RotateOutcome::Reused => Err(Error::RefreshTokenReused),
            RotateOutcome::Invalid => Err(Error::InvalidRefreshToken),
        }
    }

    /// Revokes the family of a valid refresh token; anything else is ignored.
    pub async fn logout(&self, token: Option<&str>) -> Result<()> {
        let now = self.clock.now();
        if let Some(claims) = token.and_then(|t| self.tokens.verify_refresh(t, now).ok()) {
            self.users.revoke_refresh_family(&claims.jti, now).await?;
        }
        Ok(())
    }

    /// The user behind an access token; roles come from storage, never from the claim.
    pub async fn authenticate(&self, access_token: &str) -> Result<User> {
        let claims = self.tokens.verify_access(access_token, self.clock.now())?;
        self.users.user_by_id(claims.user_id).await?.ok_or(Error::InvalidToken)
    }

    /// Applies a profile patch.
    pub async fn update_profile(&self, user: &User, patch: ProfilePatch) -> Result<User> {
        self.users.update_profile(user.id, patch).await?.ok_or(Error::InvalidToken)
    }

    /// Grants (`true`) or revokes the manager role; `false` for an unknown email.
    pub async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool> {
        self.users.set_manager(email, manager).await
    }

    /// The caller's saved guests.
    pub async fn guests(&self, user: &User, page: Page) -> Result<Paged<Guest>> {
        self.guests.list_guests(user.id, page).await
    }

    /// Saves a guest.
    pub async fn create_guest(&self, user: &User, guest: NewGuest) -> Result<Guest> {
        self.guests.create_guest(user.id, guest).await
    }

    /// Updates one of the caller's guests.
    pub async fn update_guest(&self, user: &User, id: GuestId, patch: GuestPatch) -> Result<Guest> {
        self.guests.update_guest(user.id, id, patch).await?.ok_or(Error::GuestNotFound(id))
    }

    /// Soft-deletes one of the caller's guests.
    pub async fn delete_guest(&self, user: &User, id: GuestId) -> Result<()> {
        if self.guests.delete_guest(user.id, id, self.clock.now()).await? {
            Ok(())
        } else {
            Err(Error::GuestNotFound(id))
        }
    }
}
