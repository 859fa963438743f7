//! Opening connections: the `sslmode` and `sslrootcert` of a `DATABASE_URL` (interpreted here, with rustls and
//! the ring provider: no OpenSSL, no aws-lc), and the session settings every new connection gets.
//!
//! | `sslmode` | TLS | certificate check |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default, as libpq) | when the server offers it, else plaintext | none |
//! | `require` | always | none (as libpq; with `sslrootcert`, like `verify-ca`) |
//! | `verify-ca` | always | chain up to a trusted root |
//! | `verify-full` | always | chain, and the host name (or IP address) of the URL in the certificate |
//!
//! Trusted roots: `sslrootcert=/path/to/ca.pem` (every certificate of that PEM file, and only those),
//! `sslrootcert=system` (the platform's store), else the Mozilla roots built into the binary (`webpki-roots`).
//! tokio-postgres itself only knows `disable|prefer|require` and no `sslrootcert`, so both parameters are taken
//! out of the URL before it parses the rest.

use diesel::{ConnectionError, ConnectionResult};
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::fmt;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The `sslmode` of a connection URL (libpq's names and meanings; `allow` is treated as `prefer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// Parses libpq's spelling.
    pub fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// libpq's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether the server's certificate chain is checked.
    pub fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

/// Session settings applied to every new connection (`SET …` right after it is opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// `statement_timeout` in milliseconds; 0 leaves the server's (or role's) setting alone.
    pub statement_timeout_ms: u64,
    /// `lock_timeout` in milliseconds; 0 leaves the server's (or role's) setting alone.
    pub lock_timeout_ms: u64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings { statement_timeout_ms: 30_000, lock_timeout_ms: 5_000 }
    }
}

impl SessionSettings {
    /// The statements that apply these settings (empty when there is nothing to set).
    fn sql(&self) -> String {
        let mut sql = String::new();
        if self.statement_timeout_ms > 0 {
            sql.push_str(&format!("SET statement_timeout = {};", self.statement_timeout_ms));
        }
        if self.lock_timeout_ms > 0 {
            sql.push_str(&format!("SET lock_timeout = {};", self.lock_timeout_ms));
        }
        sql
    }
}

/// A parsed connection URL: the tokio-postgres settings, the TLS connector its `sslmode` asks for and the session
/// settings. Parsing reads the `sslrootcert` file once, so a bad URL or certificate fails at start-up.
#[derive(Clone)]
pub struct ConnectTarget {
    pub(crate) config: tokio_postgres::Config,
    mode: SslMode,
    pub(crate) tls: Option<MakeRustlsConnect>,
    session_sql: String,
}

impl fmt::Debug for ConnectTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No password, no URL: only what helps when reading logs.
        f.debug_struct("ConnectTarget").field("sslmode", &self.mode.as_str()).finish_non_exhaustive()
    }
}

impl ConnectTarget {
    /// Parses `url` (`postgres://user:pw@host:port/db?sslmode=…&sslrootcert=…&…`). Errors never repeat the URL.
    pub fn parse(url: &str, session: SessionSettings) -> Result<ConnectTarget, String> {
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, q),
            None => (url, ""),
        };
        let mut mode = None;
        let mut rootcert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match percent_decode(k).as_str() {
                "sslmode" => {
                    let v = percent_decode(v);
                    mode = Some(SslMode::parse(&v).ok_or_else(|| {
                        format!("sslmode={v} is not one of disable, allow, prefer, require, verify-ca, verify-full")
                    })?);
                }
                "sslrootcert" => rootcert = Some(percent_decode(v)).filter(|s| !s.is_empty()),
                k @ ("sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "sslcrldir") => {
                    return Err(format!("{k} (client certificates, revocation lists) is not supported"));
                }
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        let mut config: tokio_postgres::Config =
            rest.parse().map_err(|e| format!("the database URL is malformed: {e}"))?;
        let mut mode = mode.unwrap_or(SslMode::Prefer);
        if mode == SslMode::Require && rootcert.is_some() {
            // libpq: "if a root CA file exists, the behavior of sslmode=require will be the same as verify-ca".
            mode = SslMode::VerifyCa;
        }
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        let tls = match mode {
            SslMode::Disable => None,
            _ => Some(MakeRustlsConnect::new(client_config(mode, rootcert.as_deref())?)),
        };
        Ok(ConnectTarget { config, mode, tls, session_sql: session.sql() })
    }

    /// The effective `sslmode`.
    pub fn ssl_mode(&self) -> SslMode {
        self.mode
    }

    /// Opens a connection (its driver task is spawned on the current runtime) and applies the session settings.
    pub async fn establish(&self) -> ConnectionResult<AsyncPgConnection> {
        let bad = |e: tokio_postgres::Error| ConnectionError::BadConnection(with_sources(&e));
        let mut conn = match &self.tls {
            None => {
                let (client, connection) = self.config.connect(tokio_postgres::NoTls).await.map_err(bad)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await?
            }
            Some(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await.map_err(bad)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await?
            }
        };
        if !self.session_sql.is_empty() {
            conn.batch_execute(&self.session_sql).await.map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
        }
        Ok(conn)
    }
}

/// An error with its causes (tokio-postgres says only "db error" or "error performing TLS handshake" at the top).
pub(crate) fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        next = cause.source();
    }
    text
}

/// `%XX` escapes decoded (a `+` stays a `+`, as in libpq's URLs).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The trusted roots: a PEM file, the platform's store (`system`), or the built-in Mozilla roots.
fn roots(rootcert: Option<&str>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match rootcert {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some("system") => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(format!(
                    "sslrootcert=system: no usable certificate in the platform's store {:?}",
                    found.errors
                ));
            }
        }
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            for cert in certs {
                store.add(cert).map_err(|e| format!("sslrootcert {path}: {e}"))?;
            }
            if store.is_empty() {
                return Err(format!("sslrootcert {path}: no certificate in the file"));
            }
        }
    }
    Ok(store)
}

fn client_config(mode: SslMode, rootcert: Option<&str>) -> Result<ClientConfig, String> {
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = if mode.verifies() || rootcert.is_some() {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(rootcert)?), provider.clone())
            .build()
            .map_err(|e| format!("TLS roots: {e}"))?;
        match mode {
            SslMode::VerifyFull => webpki,
            // `prefer` with a root certificate: libpq checks nothing there either, so neither do we.
            SslMode::Prefer => Arc::new(NoVerification(provider.clone())),
            _ => Arc::new(ChainOnly(webpki)),
        }
    } else {
        Arc::new(NoVerification(provider.clone()))
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // PostgreSQL 17 checks the ALPN protocol when the client sends one; older servers ignore it.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(config)
}

/// `verify-ca`: the chain must lead to a trusted root; the name in the certificate is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain before the name, so a name mismatch means the chain itself is trusted.
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: encrypted, certificate not checked (libpq's meaning). The handshake signature is still
/// verified against the certificate's key.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Result<ConnectTarget, String> {
        ConnectTarget::parse(url, SessionSettings::default())
    }

    #[test]
    fn reads_sslmode_like_libpq() {
        let mode = |url: &str| target(url).map(|t| t.ssl_mode());
        assert_eq!(mode("postgres://u@h/db"), Ok(SslMode::Prefer));
        assert_eq!(mode("postgres://u@h/db?sslmode=disable"), Ok(SslMode::Disable));
        assert_eq!(mode("postgres://u@h/db?sslmode=allow"), Ok(SslMode::Prefer));
        assert_eq!(mode("postgres://u@h/db?application_name=x&sslmode=require"), Ok(SslMode::Require));
        assert_eq!(mode("postgres://u@h/db?sslmode=verify-ca"), Ok(SslMode::VerifyCa));
        assert_eq!(mode("postgres://u@h/db?sslmode=verify-full&connect_timeout=5"), Ok(SslMode::VerifyFull));
        assert!(mode("postgres://u@h/db?sslmode=strict").is_err());
        assert!(mode("postgres://u@h/db?sslcert=/c.pem").is_err());
        assert!(mode("postgres://u@h/db?bogus=1").is_err(), "other parameters still go to tokio-postgres");
    }

    #[test]
    fn a_missing_or_empty_root_certificate_fails_at_parse_time() {
        let err = target("postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem").unwrap_err();
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
        let empty = std::env::temp_dir().join(format!("staybook-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = target(&format!("postgres://u@h/db?sslmode=verify-ca&sslrootcert={}", empty.display())).unwrap_err();
        let _ = std::fs::remove_file(&empty);
        assert!(err.contains("no certificate"), "{err}");
    }

    #[test]
    fn errors_never_show_the_password() {
        let err = target("postgres://u:hunter2@h:notaport/db?sslmode=require").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        let t = target("postgres://u:hunter2@h/db?sslmode=require").unwrap();
        assert!(!format!("{t:?}").contains("hunter2"));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("%2Fetc%2Fssl%2Fca.pem"), "/etc/ssl/ca.pem");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("verify-full"), "verify-full");
    }

    #[test]
    fn session_settings_are_set_statements() {
        assert_eq!(
            SessionSettings { statement_timeout_ms: 30000, lock_timeout_ms: 5000 }.sql(),
            "SET statement_timeout = 30000;SET lock_timeout = 5000;"
        );
        assert_eq!(SessionSettings { statement_timeout_ms: 0, lock_timeout_ms: 0 }.sql(), "");
    }
}
