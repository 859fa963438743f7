#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::model::{RefreshTokenRecord, User, UserId};
use domain::ports::{AccessClaims, PasswordCheck, PasswordHasher, RefreshClaims, TokenIssuer, TokenPair};
use domain::{Error, Result};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

type Job = Box<dyn FnOnce() + Send>;

/// argon2id on its own threads, one per core (so at most one hash per core runs; the others queue), each hashing
/// in its own working memory, allocated once and reused.
///
/// Each hash needs 19 MiB of working memory. Allocated per hash on tokio's blocking pool, the allocator kept a
/// freed block of that size in the arena of every thread that had hashed (up to 16): the server's resident memory
/// reached ~900 MB after a few hundred logins (still ~320 MB with the hashes on two threads). With one reused block
/// per hashing thread it stays at `cores` × 19 MiB (~85 MB in all after 600 hashes, 46 MB before).
pub struct Argon2Hasher {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..cores {
            let rx = rx.clone();
            // A thread that cannot start leaves the others; with none, `blocking` reports the closed queue.
            let _ = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return, // the hasher was dropped
                    }
                }
            });
        }
        Argon2Hasher { jobs: tx }
    }
}

impl Argon2Hasher {
    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.send(job).map_err(|_| Error::internal("argon2 threads are gone"))?;
        rx.await.map_err(|_| Error::internal("argon2 job dropped"))
    }
}

fn argon2() -> argon2::Argon2<'static> {
    // The contract's parameters (also argon2's defaults): m = 19456 KiB, t = 2, p = 1, 32-byte output.
    let params = argon2::Params::new(19456, 2, 1, Some(32)).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

thread_local! {
    /// This thread's argon2 working memory (19 MiB for the contract's parameters), kept between hashes.
    static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `f` over `blocks` blocks of this thread's working memory (grown once, then reused: no allocation per hash).
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() < blocks {
            m.resize(blocks, argon2::Block::default());
        }
        f(&mut m[..blocks])
    })
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password` under a fresh random salt.
fn hash_with_own_memory(password: &[u8]) -> Result<String> {
    use argon2::password_hash::phc::{Output, ParamsString, Salt};
    let fail = |e: &dyn std::fmt::Display| Error::internal(format!("argon2: {e}"));
    let a = argon2();
    let salt = argon2::password_hash::try_generate_salt().map_err(|e| fail(&e))?;
    let mut out = [0u8; 32];
    with_memory(a.params().block_count(), |m| a.hash_password_into_with_memory(password, &salt, &mut out, m))
        .map_err(|e| fail(&e))?;
    let phc = argon2::PasswordHash {
        algorithm: argon2::Algorithm::Argon2id.ident(),
        version: Some(argon2::Version::V0x13.into()),
        params: ParamsString::try_from(a.params()).map_err(|e| fail(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| fail(&e))?),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches an argon2 PHC string (any variant, version and parameters it names).
fn verify_with_own_memory(password: &[u8], hash: &str) -> bool {
    let check = || -> Option<bool> {
        let phc = argon2::PasswordHash::new(hash).ok()?;
        let algorithm = argon2::Algorithm::try_from(phc.algorithm.as_str()).ok()?;
        let version = match phc.version {
            Some(v) => argon2::Version::try_from(v).ok()?,
            None => argon2::Version::default(),
        };
        let params = argon2::Params::try_from(&phc).ok()?;
        let (salt, expected) = (phc.salt?, phc.hash?);
        let blocks = params.block_count();
        let a = argon2::Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        with_memory(blocks, |m| a.hash_password_into_with_memory(password, &salt, &mut out, m)).ok()?;
        // Output's equality is constant-time.
        Some(argon2::password_hash::phc::Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: String) -> Result<String> {
        self.blocking(move || hash_with_own_memory(password.as_bytes())).await?
    }

    async fn verify(&self, password: String, hash: String) -> Result<PasswordCheck> {
        self.blocking(move || {
            if hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$") {
                // bcrypt only reads the first 72 bytes.
                let pw = &password.as_bytes()[..password.len().min(72)];
                let valid = bcrypt::verify(pw, &hash).unwrap_or(false);
                return PasswordCheck { valid, needs_rehash: valid };
            }
            let valid = verify_with_own_memory(password.as_bytes(), &hash);
            PasswordCheck { valid, needs_rehash: false }
        })
        .await
    }
}

/// Settings of the token issuer.
#[derive(Clone)]
pub struct JwtConfig {
    pub secret: Vec<u8>,
    pub issuer: String,
    pub audience: String,
    pub access_minutes: i64,
    pub refresh_days: i64,
}

/// HS256 JWT issuer and verifier.
pub struct JwtIssuer {
    config: JwtConfig,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(rename = "type")]
    kind: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    roles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    jti: Option<String>,
}

impl JwtIssuer {
    /// Builds an issuer from its settings.
    pub fn new(config: JwtConfig) -> Self {
        let encoding = EncodingKey::from_secret(&config.secret);
        let decoding = DecodingKey::from_secret(&config.secret);
        JwtIssuer { config, encoding, decoding }
    }

    fn sign(&self, claims: &Claims) -> Result<String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|e| Error::internal(format!("jwt: {e}")))
    }

    fn decode(&self, token: &str, kind: &str) -> std::result::Result<(i64, Claims), ErrorKind> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["sub", "iat", "exp", "iss", "aud"]);
        v.set_issuer(&[&self.config.issuer]);
        v.set_audience(&[&self.config.audience]);
        let data = decode::<Claims>(token, &self.decoding, &v).map_err(|e| e.into_kind())?;
        if data.claims.kind != kind {
            return Err(ErrorKind::InvalidToken);
        }
        let sub = &data.claims.sub;
        if sub.is_empty() || !sub.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ErrorKind::InvalidSubject);
        }
        let id = sub.parse::<i64>().map_err(|_| ErrorKind::InvalidSubject)?;
        Ok((id, data.claims))
    }
}

impl TokenIssuer for JwtIssuer {
    fn issue(&self, user: &User, family_id: &str, now: DateTime<Utc>) -> Result<TokenPair> {
        let iat = now.timestamp();
        let access_secs = self.config.access_minutes * 60;
        let access = Claims {
            sub: user.id.to_string(),
            kind: "access".into(),
            iat,
            exp: iat + access_secs,
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            roles: Some(user.roles.iter().map(|r| r.as_str().to_string()).collect()),
            jti: None,
        };
        let jti = uuid::Uuid::new_v4().to_string();
        let expires_at = now + Duration::days(self.config.refresh_days);
        let refresh = Claims {
            sub: user.id.to_string(),
            kind: "refresh".into(),
            iat,
            exp: expires_at.timestamp(),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            roles: None,
            jti: Some(jti.clone()),
        };
        Ok(TokenPair {
            access_token: self.sign(&access)?,
            refresh_token: self.sign(&refresh)?,
            access_expires_in: access_secs,
            refresh: RefreshTokenRecord {
                jti,
                family_id: family_id.to_string(),
                user_id: user.id,
                issued_at: now,
                expires_at,
            },
        })
    }

    fn verify_access(&self, token: &str, _now: DateTime<Utc>) -> Result<AccessClaims> {
        match self.decode(token, "access") {
            Ok((user_id, _)) => Ok(AccessClaims { user_id: UserId(user_id) }),
            Err(ErrorKind::ExpiredSignature) => Err(Error::TokenExpired),
            Err(_) => Err(Error::InvalidToken),
        }
    }

    fn verify_refresh(&self, token: &str, _now: DateTime<Utc>) -> Result<RefreshClaims> {
        let (user_id, claims) = self.decode(token, "refresh").map_err(|_| Error::InvalidRefreshToken)?;
        let jti = claims.jti.ok_or(Error::InvalidRefreshToken)?;
        Ok(RefreshClaims { user_id: UserId(user_id), jti })
    }

    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::model::{Email, Role};

    fn issuer() -> JwtIssuer {
        JwtIssuer::new(JwtConfig {
            secret: b"0123456789abcdef0123456789abcdef".to_vec(),
            issuer: "hotel-booking".into(),
            audience: "hotel-booking-api".into(),
            access_minutes: 30,
            refresh_days: 7,
        })
    }
    fn user() -> User {
        User {
            id: UserId(17),
            email: Email::parse("a@example.com").unwrap(),
            password_hash: String::new(),
            name: None,
            date_of_birth: None,
            gender: None,
            roles: vec![Role::Guest],
        }
    }

    #[tokio::test]
    async fn argon2_hashes_verify_both_ways_with_the_standard_implementation() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let h = Argon2Hasher::default();
        let ours = h.hash("correct horse".into()).await.unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        assert!(h.verify("correct horse".into(), ours.clone()).await.unwrap().valid);
        assert!(!h.verify("wrong horse".into(), ours.clone()).await.unwrap().valid);
        assert!(
            argon2().verify_password(b"correct horse", ours.as_str()).is_ok(),
            "the standard verifier accepts ours"
        );
        // Hashes made elsewhere (the standard implementation; other variants and parameters) verify here.
        let standard = argon2().hash_password(b"pw-1").unwrap().to_string();
        assert!(h.verify("pw-1".into(), standard.clone()).await.unwrap().valid);
        assert!(!h.verify("pw-2".into(), standard).await.unwrap().valid);
        let params = argon2::Params::new(4096, 3, 2, Some(24)).unwrap();
        let other = argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x10, params)
            .hash_password(b"pw-3")
            .unwrap()
            .to_string();
        assert!(h.verify("pw-3".into(), other.clone()).await.unwrap().valid, "{other}");
        assert!(!h.verify("pw-4".into(), other).await.unwrap().valid);
        for garbage in ["", "$argon2id$", "not a hash", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"] {
            assert!(!h.verify("x".into(), garbage.into()).await.unwrap().valid, "{garbage}");
        }
        // Several hashes in a row: each hashing thread reuses its one block of working memory.
        let all = hash_and_verify_six(&h).await;
        assert!(all.iter().all(|ok| *ok));
    }

    async fn hash_and_verify_six(h: &Argon2Hasher) -> Vec<bool> {
        let mut out = Vec::new();
        let hashes: Vec<_> = (0..6).map(|i| h.hash(format!("pw-{i}"))).collect();
        for (i, f) in hashes.into_iter().enumerate() {
            let hash = f.await.unwrap();
            out.push(h.verify(format!("pw-{i}"), hash).await.unwrap().valid);
        }
        out
    }

    #[test]
    fn access_and_refresh_are_not_interchangeable() {
        let i = issuer();
        let pair = i.issue(&user(), "fam", Utc::now()).unwrap();
        assert_eq!(i.verify_access(&pair.access_token, Utc::now()).unwrap().user_id, UserId(17));
        assert_eq!(i.verify_access(&pair.refresh_token, Utc::now()), Err(Error::InvalidToken));
        assert_eq!(i.verify_refresh(&pair.access_token, Utc::now()), Err(Error::InvalidRefreshToken));
        assert_eq!(i.verify_refresh(&pair.refresh_token, Utc::now()).unwrap().jti, pair.refresh.jti);
        assert_eq!(pair.access_expires_in, 1800);
    }

    #[test]
    fn expired_wrong_issuer_and_alg_none_are_rejected() {
        let i = issuer();
        let old = i.issue(&user(), "fam", Utc::now() - Duration::hours(2)).unwrap();
        assert_eq!(i.verify_access(&old.access_token, Utc::now()), Err(Error::TokenExpired));
        let other = JwtIssuer::new(JwtConfig { issuer: "evil".into(), ..i.config.clone() });
        let t = other.issue(&user(), "fam", Utc::now()).unwrap();
        assert_eq!(i.verify_access(&t.access_token, Utc::now()), Err(Error::InvalidToken));
        // alg: none with the same claims
        let parts: Vec<&str> = t.access_token.split('.').collect();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert_eq!(i.verify_access(&none, Utc::now()), Err(Error::InvalidToken));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn argon2id_hash_verifies_and_bcrypt_needs_rehash() {
        let h = Argon2Hasher::default();
        let hash = h.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify("correct horse".into(), hash.clone()).await.unwrap().valid);
        assert!(!h.verify("wrong".into(), hash).await.unwrap().valid);
        let b = bcrypt::hash("legacy-pass", 4).unwrap();
        let check = h.verify("legacy-pass".into(), b).await.unwrap();
        assert!(check.valid && check.needs_rehash);
    }
}
