//! The catalog change feed: PostgreSQL tells every replica which hotels changed.
//!
//! Statement-level triggers (migrations `2026-12-06-000004_catalog_change_feed` and `…000005_…`) notify channel
//! [`CATALOG_CHANNEL`] on commit with the hotels whose settings, room types, rate plans or inventory nights
//! (prices, restrictions, rooms held or booked) a statement changed — for nights, with the first and last date
//! touched — or `*` when too many to list. A replica
//! keeps one connection LISTENing ([`PgStore::listen_catalog`]) and passes what it hears to a
//! [`CatalogListener`], which drops whatever it keeps in memory for those hotels. Notifications are sent only on
//! commit and delivered in commit order while the connection lives; when it breaks, the listener is told the feed
//! is down (it must then fall back to expiring what it keeps), and on every (re)connection it is told that
//! anything may have changed before the feed is declared live again.

use crate::PgStore;
use crate::connect::ConnectTarget;
use chrono::NaiveDate;
use domain::model::{HotelId, RoomId};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::{AsyncMessage, Client, Connection};

/// The channel the triggers notify.
pub const CATALOG_CHANNEL: &str = "staybook_catalog";

/// What a notification says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogChange {
    /// These hotels (their settings, room types, rate plans, or some of their nights).
    Hotels(Vec<HotelChange>),
    /// Anything: a statement touched too many hotels to list, or the feed (re)connected and may have missed some.
    All,
    /// Every hotel's inventory nights dated `first..=last` (a statement over too many hotels to list them, such as
    /// the daily window top-up).
    Nights(NaiveDate, NaiveDate),
    /// The marker [`PgStore::notify_catalog_sync`] sent: every change committed before it was sent has been told.
    Sync(u64),
    /// A hold's nights of one room type with their counts after it (migration `…000008_hold_counts_feed`): the
    /// listener can apply them without reading the nights back.
    Counts(NightCounts),
}

/// Nights of one room type and their counts as a committed change left them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NightCounts {
    pub hotel_id: HotelId,
    pub room_id: RoomId,
    /// In date order: (date, booked, held, total).
    pub nights: Vec<(NaiveDate, i32, i32, i32)>,
}

impl NightCounts {
    /// The first and last night.
    pub fn window(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.nights.first()?.0, self.nights.last()?.0))
    }

    /// "counts:<hotel>:<room>:<date>=<booked>,<held>,<total>;…" (after the prefix).
    fn parse(s: &str) -> Option<NightCounts> {
        let mut parts = s.splitn(3, ':');
        let hotel_id = HotelId(parts.next()?.parse().ok()?);
        let room_id = RoomId(parts.next()?.parse().ok()?);
        let night = |n: &str| -> Option<(NaiveDate, i32, i32, i32)> {
            let (date, counts) = n.split_once('=')?;
            let mut c = counts.split(',').map(|v| v.parse::<i32>().ok());
            let out = (date.parse().ok()?, c.next()??, c.next()??, c.next()??);
            c.next().is_none().then_some(out)
        };
        let nights = parts.next()?.split(';').map(night).collect::<Option<Vec<_>>>()?;
        (!nights.is_empty()).then_some(NightCounts { hotel_id, room_id, nights })
    }
}

/// One hotel a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotelChange {
    pub hotel_id: HotelId,
    /// `Some((first, last))`: only inventory nights dated `first..=last` changed (of any of its room types);
    /// `None`: the hotel, a room type or a rate plan changed.
    pub nights: Option<(NaiveDate, NaiveDate)>,
}

impl CatalogChange {
    /// Reads a notification's payload ("12,40:2027-01-10:2027-01-12" or "*"); anything unreadable means
    /// everything.
    pub fn parse(payload: &str) -> CatalogChange {
        if let Some(token) = payload.strip_prefix("sync:").and_then(|t| t.parse().ok()) {
            return CatalogChange::Sync(token);
        }
        if let Some(counts) = payload.strip_prefix("counts:") {
            return NightCounts::parse(counts).map_or(CatalogChange::All, CatalogChange::Counts);
        }
        if let Some(range) = payload.strip_prefix("*:")
            && let Some((a, b)) = range.split_once(':')
            && let (Ok(first), Ok(last)) = (a.parse(), b.parse())
        {
            return CatalogChange::Nights(first, last);
        }
        let item = |s: &str| -> Option<HotelChange> {
            let mut parts = s.trim().split(':');
            let hotel_id = HotelId(parts.next()?.parse().ok()?);
            let nights = match (parts.next(), parts.next(), parts.next()) {
                (None, _, _) => None,
                (Some(a), Some(b), None) => Some((a.parse().ok()?, b.parse().ok()?)),
                _ => return None,
            };
            Some(HotelChange { hotel_id, nights })
        };
        match payload.split(',').map(item).collect::<Option<Vec<_>>>() {
            Some(items) if !items.is_empty() => CatalogChange::Hotels(items),
            _ => CatalogChange::All,
        }
    }
}

/// Receives the feed. Called from the listening task: keep both methods short and non-blocking.
pub trait CatalogListener: Send + Sync + 'static {
    /// `true`: the feed is live, every change committed from now on will be told; `false`: it is lost (until the
    /// next `true`, changes may go untold).
    fn feed(&self, live: bool);
    /// Something changed (always called with [`CatalogChange::All`] just before the feed turns live).
    fn changed(&self, change: CatalogChange);
}

impl PgStore {
    /// Spawns (on the current runtime) the task that LISTENs on [`CATALOG_CHANNEL`] for as long as the process
    /// lives, reconnecting with a backoff of 0.25 s doubling up to 10 s while the database is unreachable.
    pub fn listen_catalog(&self, listener: Arc<dyn CatalogListener>) -> tokio::task::JoinHandle<()> {
        let target = self.target.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(250);
            loop {
                let started = Instant::now();
                let why = target.listen(&*listener).await;
                listener.feed(false);
                if started.elapsed() > Duration::from_secs(30) {
                    backoff = Duration::from_millis(250);
                }
                tracing::warn!(error = %why, retry_in_ms = backoff.as_millis() as u64, "catalog change feed lost");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        })
    }
}

impl PgStore {
    /// Sends the marker `sync:<token>` on the feed's channel. Notifications are delivered in commit order, so
    /// once a listener hears it, it has heard of every change committed before this call.
    pub async fn notify_catalog_sync(&self, token: u64) -> domain::Result<()> {
        let mut conn = self.conn().await?;
        let sql = format!("SELECT pg_notify('{CATALOG_CHANNEL}', 'sync:{token}')");
        diesel_async::SimpleAsyncConnection::batch_execute(&mut *conn, &sql).await.map_err(crate::db_error)
    }
}

impl ConnectTarget {
    /// One listening connection, until it fails; returns why.
    async fn listen(&self, listener: &dyn CatalogListener) -> String {
        let mut config = self.config.clone();
        // A silently dead peer must not leave the feed "live" for hours: TCP keepalives find it within a minute.
        config.keepalives(true).keepalives_idle(Duration::from_secs(20)).keepalives_interval(Duration::from_secs(5));
        config.keepalives_retries(4);
        let result = match &self.tls {
            None => match config.connect(tokio_postgres::NoTls).await {
                Ok((client, conn)) => run(client, conn, listener).await,
                Err(e) => Err(e),
            },
            Some(tls) => match config.connect(tls.clone()).await {
                Ok((client, conn)) => run(client, conn, listener).await,
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(()) => "the connection closed".to_string(),
            Err(e) => crate::connect::with_sources(&e),
        }
    }
}

/// Drives `conn`: LISTEN, then every notification to `listener`, until the connection ends.
async fn run<S, T>(
    client: Client,
    mut conn: Connection<S, T>,
    listener: &dyn CatalogListener,
) -> Result<(), tokio_postgres::Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let deliver = |msg: AsyncMessage| {
        if let AsyncMessage::Notification(n) = msg
            && n.channel() == CATALOG_CHANNEL
        {
            listener.changed(CatalogChange::parse(n.payload()));
        }
    };
    // The connection is only driven by polling it: poll it while the LISTEN runs.
    let sql = format!("LISTEN {CATALOG_CHANNEL}");
    let listen = client.batch_execute(&sql);
    tokio::pin!(listen);
    loop {
        tokio::select! {
            done = &mut listen => { done?; break; }
            msg = std::future::poll_fn(|cx| conn.poll_message(cx)) => match msg {
                Some(Ok(m)) => deliver(m),
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
        }
    }
    listener.changed(CatalogChange::All);
    listener.feed(true);
    loop {
        match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            Some(Ok(m)) => deliver(m),
            Some(Err(e)) => return Err(e),
            None => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_hotels_nights_or_everything() {
        let whole = |id| HotelChange { hotel_id: HotelId(id), nights: None };
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(CatalogChange::parse("12"), CatalogChange::Hotels(vec![whole(12)]));
        assert_eq!(CatalogChange::parse("sync:7"), CatalogChange::Sync(7));
        assert_eq!(
            CatalogChange::parse("*:2027-01-10:2027-01-12"),
            CatalogChange::Nights(day("2027-01-10"), day("2027-01-12"))
        );
        assert_eq!(
            CatalogChange::parse("12,40:2027-01-10:2027-01-12"),
            CatalogChange::Hotels(vec![
                whole(12),
                HotelChange { hotel_id: HotelId(40), nights: Some((day("2027-01-10"), day("2027-01-12"))) }
            ])
        );
        assert_eq!(
            CatalogChange::parse("counts:12:40:2027-01-10=0,3,5;2027-01-11=1,2,5"),
            CatalogChange::Counts(NightCounts {
                hotel_id: HotelId(12),
                room_id: RoomId(40),
                nights: vec![(day("2027-01-10"), 0, 3, 5), (day("2027-01-11"), 1, 2, 5)],
            })
        );
        for everything in [
            "*",
            "",
            "sync:",
            "*:2027-01-10",
            "*:a:b",
            "12,x",
            "12:2027-01-10",
            "12:2027-01-10:2027-01-12:1",
            "12:a:b",
            "counts:",
            "counts:12:40:",
            "counts:12:40:2027-01-10=0,3",
            "counts:12:40:2027-01-10=0,3,5,6",
            "counts:12:x:2027-01-10=0,3,5",
            "counts:12:40:2027-01-10=0,3,5;",
        ] {
            assert_eq!(CatalogChange::parse(everything), CatalogChange::All, "{everything}");
        }
    }
}
