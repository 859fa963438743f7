//! How the pool opens connections: TLS (`sslmode`, `sslrootcert`) against a throw-away PostgreSQL cluster with a
//! self-signed certificate made in the test, and the session timeouts every pooled connection gets.
//!
//! The TLS test needs `initdb` and `pg_ctl` (PATH or /usr/lib/postgresql/*/bin); as root it runs them as the
//! `postgres` system user (PostgreSQL refuses to run as root). Without them it prints why and skips.

use adapter_postgres::testing::admin_url;
use adapter_postgres::{ConnectTarget, PgStore, SessionSettings, SslMode};
use domain::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ------------------------------------------------------------------------------------------------------------
// A throw-away cluster
// ------------------------------------------------------------------------------------------------------------

/// A PostgreSQL program from PATH or the usual Debian/RPM install directories (newest version first).
fn pg_bin(name: &str) -> Option<PathBuf> {
    if let Ok(out) = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output()
        && out.status.success()
    {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.is_file() {
            return Some(p);
        }
    }
    let mut dirs: Vec<PathBuf> = ["/usr/lib/postgresql", "/usr/local/pgsql"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .chain([PathBuf::from("/usr/local/pgsql/bin")])
        .collect();
    dirs.sort_by_key(|d| {
        let v = d.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).and_then(|n| n.parse::<u32>().ok());
        std::cmp::Reverse(v.unwrap_or(0))
    });
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn output_text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Who runs the cluster: ourselves, or (as root) the `postgres` system user through `runuser`.
enum Owner {
    Me,
    Postgres { uid: u32, gid: u32 },
}

impl Owner {
    fn detect() -> Result<Owner, String> {
        let id = |args: &[&str]| -> Option<u32> {
            let o = Command::new("id").args(args).output().ok()?;
            o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().parse().ok())?
        };
        if id(&["-u"]) != Some(0) {
            return Ok(Owner::Me);
        }
        let (Some(uid), Some(gid)) = (id(&["-u", "postgres"]), id(&["-g", "postgres"])) else {
            return Err("running as root and there is no `postgres` system user to run PostgreSQL as".into());
        };
        if pg_bin("runuser").is_none()
            && !Path::new("/usr/sbin/runuser").exists()
            && !Path::new("/sbin/runuser").exists()
        {
            return Err("running as root and `runuser` is missing".into());
        }
        Ok(Owner::Postgres { uid, gid })
    }

    fn command(&self, program: &Path) -> Command {
        match self {
            Owner::Me => Command::new(program),
            Owner::Postgres { .. } => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(program);
                c
            }
        }
    }

    fn give(&self, path: &Path) -> std::io::Result<()> {
        match self {
            Owner::Me => Ok(()),
            Owner::Postgres { uid, gid } => std::os::unix::fs::chown(path, Some(*uid), Some(*gid)),
        }
    }
}

/// A running cluster; stopped and deleted on drop (also when the test panics).
struct Cluster {
    dir: PathBuf,
    data: PathBuf,
    port: u16,
    pg_ctl: PathBuf,
    owner: Owner,
    /// The self-signed certificate of the server (PEM), also written to `dir/root.pem`.
    root_pem: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .owner
            .command(&self.pg_ctl)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Cluster {
    /// `Ok(None)` (with the reason printed) when this machine cannot run a throw-away cluster.
    fn start_with_tls() -> Result<Option<Cluster>, String> {
        let (Some(initdb), Some(pg_ctl)) = (pg_bin("initdb"), pg_bin("pg_ctl")) else {
            println!("SKIPPED: initdb/pg_ctl not found (install the PostgreSQL server package)");
            return Ok(None);
        };
        let owner = match Owner::detect() {
            Ok(o) => o,
            Err(why) => {
                println!("SKIPPED: {why}");
                return Ok(None);
            }
        };
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("staybook-tls-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let port = free_port();
        let data = dir.join("data");
        let root_pem = dir.join("root.pem");
        // From here on the guard cleans up whatever happens.
        let cluster = Cluster { dir: dir.clone(), data: data.clone(), port, pg_ctl, owner, root_pem: root_pem.clone() };
        cluster.owner.give(&dir).map_err(|e| format!("chown {}: {e}", dir.display()))?;

        let out = cluster
            .owner
            .command(&initdb)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            println!("SKIPPED: initdb failed on this machine:\n{}", output_text(&out));
            return Ok(None);
        }

        // A self-signed certificate for localhost and 127.0.0.1, made here.
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(|e| format!("rcgen: {e}"))?;
        let write = |path: &Path, text: &str, mode: u32| -> Result<(), String> {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))?;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| e.to_string())?;
            cluster.owner.give(path).map_err(|e| format!("chown {}: {e}", path.display()))
        };
        write(&data.join("server.crt"), &ck.cert.pem(), 0o644)?;
        write(&data.join("server.key"), &ck.signing_key.serialize_pem(), 0o600)?;
        write(&root_pem, &ck.cert.pem(), 0o644)?;
        let conf = format!(
            "\n# staybook TLS test\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n\
             ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nfsync = off\nmax_connections = 20\n"
        );
        let mut pg_conf = std::fs::read_to_string(data.join("postgresql.conf")).map_err(|e| e.to_string())?;
        pg_conf.push_str(&conf);
        write(&data.join("postgresql.conf"), &pg_conf, 0o600)?;
        // Encrypted connections only: a plaintext one is refused.
        write(
            &data.join("pg_hba.conf"),
            "hostnossl all all 127.0.0.1/32 reject\nhostssl all all 127.0.0.1/32 trust\n",
            0o600,
        )?;

        let out = cluster
            .owner
            .command(&cluster.pg_ctl)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-w", "-t", "60", "start"])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if !out.status.success() {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!("pg_ctl start failed:\n{}\n{log}", output_text(&out)));
        }
        Ok(Some(cluster))
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres?{query}", self.port)
    }
}

const SSL_IN_USE: &str = "SELECT ssl::text AS value FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

/// Connects through the adapter's pool and reports whether the session is encrypted.
async fn ssl_through_pool(url: &str) -> Result<String, Error> {
    let store = PgStore::connect(url, 2)?;
    store.query_value(SSL_IN_USE).await
}

/// Opens one connection directly, for the reason of a failure.
async fn establish_error(url: &str) -> String {
    match ConnectTarget::parse(url, SessionSettings::default()) {
        Err(e) => format!("parse: {e}"),
        Ok(t) => match t.establish().await {
            Ok(_) => "connected".into(),
            Err(e) => e.to_string(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_to_a_server_with_a_self_signed_certificate() {
    let cluster = match Cluster::start_with_tls() {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => panic!("could not start the throw-away cluster: {e}"),
    };
    let root = cluster.root_pem.display().to_string();
    let ip = "127.0.0.1";

    // Plaintext is refused by the server (pg_hba `hostnossl … reject`): the cluster really demands TLS.
    let plain = cluster.url(ip, "sslmode=disable");
    assert!(matches!(ssl_through_pool(&plain).await, Err(Error::Unavailable)));
    let why = establish_error(&plain).await;
    println!("sslmode=disable: {why}");
    assert!(why.contains("no encryption") || why.contains("pg_hba"), "{why}");

    // Encrypted without verification: require and prefer (the default).
    for query in ["sslmode=require", "sslmode=prefer", "application_name=tls-test"] {
        let url = cluster.url(ip, query);
        assert_eq!(ssl_through_pool(&url).await.expect(query), "true", "{query}");
    }

    // verify-full with the certificate as the root: by IP address and by host name (both in the certificate).
    for host in [ip, "localhost"] {
        let url = cluster.url(host, &format!("sslmode=verify-full&sslrootcert={root}"));
        assert_eq!(ssl_through_pool(&url).await.expect(host), "true", "verify-full via {host}");
    }
    // verify-ca too.
    let url = cluster.url(ip, &format!("sslmode=verify-ca&sslrootcert={root}"));
    assert_eq!(ssl_through_pool(&url).await.expect("verify-ca"), "true");

    // verify-full without the root certificate: a self-signed certificate is not trusted by the built-in roots.
    let url = cluster.url(ip, "sslmode=verify-full");
    assert!(matches!(ssl_through_pool(&url).await, Err(Error::Unavailable)));
    let why = establish_error(&url).await;
    println!("verify-full without sslrootcert: {why}");
    assert!(why.contains("certificate") || why.contains("UnknownIssuer"), "{why}");

    // verify-full with a wrong host name (connecting to 127.0.0.1 through hostaddr, checking another name) fails;
    // verify-ca, which does not check the name, accepts the same server.
    let wrong = |mode: &str| {
        format!(
            "postgres://postgres@wrong-name.invalid:{}/postgres?hostaddr=127.0.0.1&sslmode={mode}&sslrootcert={root}",
            cluster.port
        )
    };
    assert!(matches!(ssl_through_pool(&wrong("verify-full")).await, Err(Error::Unavailable)));
    let why = establish_error(&wrong("verify-full")).await;
    println!("verify-full, wrong host name: {why}");
    assert!(why.contains("NotValidForName") || why.contains("not valid for name"), "{why}");
    assert_eq!(ssl_through_pool(&wrong("verify-ca")).await.expect("verify-ca, other name"), "true");

    // `require` with a root certificate behaves like verify-ca (libpq): another CA's root is refused.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("rcgen");
    let other_pem = cluster.dir.join("other.pem");
    std::fs::write(&other_pem, other.cert.pem()).expect("write");
    let url = cluster.url(ip, &format!("sslmode=require&sslrootcert={}", other_pem.display()));
    assert_eq!(ConnectTarget::parse(&url, SessionSettings::default()).expect("parse").ssl_mode(), SslMode::VerifyCa);
    assert!(matches!(ssl_through_pool(&url).await, Err(Error::Unavailable)));

    // The session settings apply over TLS too.
    let url = cluster.url(ip, &format!("sslmode=verify-full&sslrootcert={root}"));
    let store =
        PgStore::connect_with(&url, 1, SessionSettings { statement_timeout_ms: 4321, lock_timeout_ms: 1234 }, None)
            .expect("pool");
    assert_eq!(store.query_value("SELECT current_setting('statement_timeout') AS value").await.unwrap(), "4321ms");
    drop(store);
    drop(cluster);
}

// ------------------------------------------------------------------------------------------------------------
// Session timeouts (the usual test server: DATABASE_URL, else 127.0.0.1:5432)
// ------------------------------------------------------------------------------------------------------------

async fn setting(store: &PgStore, name: &str) -> String {
    store.query_value(&format!("SELECT current_setting('{name}') AS value")).await.expect("current_setting")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pooled_connection_gets_the_configured_timeouts() {
    let settings = SessionSettings { statement_timeout_ms: 1500, lock_timeout_ms: 250 };
    let store = PgStore::connect_with(&admin_url(), 3, settings, None).expect("pool");
    // Several connections at once, so that more than one connection of the pool is checked.
    let (a, b, c) = tokio::join!(
        store.query_value("SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' ' || pg_sleep(0.2)::text AS value"),
        store.query_value("SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' ' || pg_sleep(0.2)::text AS value"),
        store.query_value("SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' ' || pg_sleep(0.2)::text AS value"),
    );
    for v in [a, b, c] {
        assert_eq!(v.expect("query"), "1500ms 250ms ");
    }
    assert_eq!(store.pool_status().1, 3, "three distinct connections were opened and checked");

    // The defaults: 30 s and 5 s.
    let store = PgStore::connect(&admin_url(), 1).expect("pool");
    assert_eq!(setting(&store, "statement_timeout").await, "30s");
    assert_eq!(setting(&store, "lock_timeout").await, "5s");

    // 0 leaves the server's setting (off by default).
    let off = SessionSettings { statement_timeout_ms: 0, lock_timeout_ms: 0 };
    let store = PgStore::connect_with(&admin_url(), 1, off, None).expect("pool");
    assert_eq!(setting(&store, "statement_timeout").await, "0");
    assert_eq!(setting(&store, "lock_timeout").await, "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_or_lock_timeout_is_unavailable_not_internal() {
    // statement_timeout: a sleep longer than the timeout is cancelled → Unavailable (503), not Internal (500).
    let settings = SessionSettings { statement_timeout_ms: 100, lock_timeout_ms: 0 };
    let store = PgStore::connect_with(&admin_url(), 1, settings, None).expect("pool");
    let started = std::time::Instant::now();
    let r = store.query_value("SELECT pg_sleep(5)::text AS value").await;
    assert!(matches!(r, Err(Error::Unavailable)), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "cancelled by the timeout, not finished");
    // The connection stays usable.
    assert_eq!(store.query_value("SELECT 'ok' AS value").await.expect("after the timeout"), "ok");

    // lock_timeout: a lock another session holds.
    let holder = PgStore::connect(&admin_url(), 1).expect("pool");
    let key = 7_283_649_999_i64;
    holder.batch_execute(&format!("SELECT pg_advisory_lock({key})")).await.expect("lock");
    let settings = SessionSettings { statement_timeout_ms: 0, lock_timeout_ms: 100 };
    let waiter = PgStore::connect_with(&admin_url(), 1, settings, None).expect("pool");
    let r = waiter.query_value(&format!("SELECT pg_advisory_lock({key})::text AS value")).await;
    assert!(matches!(r, Err(Error::Unavailable)), "{r:?}");
    holder.batch_execute(&format!("SELECT pg_advisory_unlock({key})")).await.expect("unlock");
}

/// No query holds one pooled connection while it waits for another: more concurrent reads than connections all
/// complete (a hotel listing that read its plans on a second connection once deadlocked a pool of 6 under 32
/// concurrent requests).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_concurrent_reads_than_connections_all_complete() {
    use domain::model::{Money, NewHotel, NewRoom, StayDates, UserId};
    use domain::ports::{CatalogQueries, CatalogRepository};
    let db = adapter_postgres::testing::FreshDatabase::create().await.expect("fresh database");
    let store = PgStore::connect(&db.url, 2).expect("pool");
    store.batch_execute("INSERT INTO app_user (email, password) VALUES ('m@example.com', 'x')").await.unwrap();
    let now = chrono::Utc::now();
    let hotel = store.create_hotel(UserId(1), NewHotel { name: "H".into(), ..NewHotel::default() }, now).await.unwrap();
    let room = NewRoom {
        kind: "Double".into(),
        base_price: Money::from_minor(10_000),
        photos: None,
        amenities: None,
        total_count: 3,
        capacity: 2,
    };
    store.create_room(hotel.id, room, now.date_naive(), now).await.unwrap();
    let today = now.date_naive();
    let stay = StayDates::new(today + chrono::Duration::days(3), today + chrono::Duration::days(5), today, 30).unwrap();
    let reads = (0..16).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let with = (i % 2 == 0).then_some(stay);
            store.hotel_listing(hotel.id, with).await.map(|l| l.map(|l| (l.rooms.len(), l.plans.len())))
        })
    });
    let all = tokio::time::timeout(Duration::from_secs(20), futures_join(reads.collect())).await;
    let results = all.expect("every read completes (no pool deadlock)");
    assert!(results.iter().all(|r| *r == Some((1, 1))), "{results:?}");
    db.drop_now().await;
}

async fn futures_join<T>(tasks: Vec<tokio::task::JoinHandle<domain::Result<T>>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("task").expect("read"));
    }
    out
}
