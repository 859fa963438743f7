//! The transactional outbox (migration `…000007_outbox`): triggers record the events in each change's own
//! transaction; this module reads them back (history, the relay) and marks and prunes them. Also the relay's
//! leader lease: one replica at a time publishes, so events leave in `seq` order.

use crate::{PgStore, db_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use domain::model::*;
use domain::ports::EventLog;
use domain::{Error, Result};

const EVENT_COLS: &str = "seq, event_id::text AS event_id, event_type, aggregate_type, aggregate_id, hotel_id, actor, \
                          occurred_at, data::text AS data, published_at, count(*) OVER () AS total";

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Text)]
    aggregate_type: String,
    #[diesel(sql_type = BigInt)]
    aggregate_id: i64,
    #[diesel(sql_type = BigInt)]
    hotel_id: i64,
    #[diesel(sql_type = Text)]
    actor: String,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    data: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = Error;
    fn try_from(r: EventRow) -> Result<StoredEvent> {
        Ok(StoredEvent {
            seq: r.seq,
            event_id: r.event_id,
            aggregate_type: AggregateType::parse(&r.aggregate_type)
                .ok_or_else(|| Error::internal(format!("stored aggregate type {:?}", r.aggregate_type)))?,
            event_type: r.event_type,
            aggregate_id: r.aggregate_id,
            hotel_id: HotelId(r.hotel_id),
            actor: EventActor::parse(&r.actor).ok_or_else(|| Error::internal(format!("stored actor {:?}", r.actor)))?,
            occurred_at: r.occurred_at,
            data: r.data,
            published_at: r.published_at,
        })
    }
}

fn paged(rows: Vec<EventRow>) -> Result<Paged<StoredEvent>> {
    let total = rows.as_slice().first().map_or(0, |r| r.total);
    Ok(Paged { items: rows.into_iter().map(StoredEvent::try_from).collect::<Result<_>>()?, total })
}

#[async_trait]
impl EventLog for PgStore {
    async fn aggregate_history(&self, aggregate: AggregateType, id: i64, page: Page) -> Result<Paged<StoredEvent>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT {EVENT_COLS} FROM outbox_event WHERE aggregate_type = $1 AND aggregate_id = $2
             ORDER BY seq DESC LIMIT $3 OFFSET $4"
        );
        let rows = crate::prepared::sql(q)
            .bind::<Text, _>(aggregate.as_str())
            .bind::<BigInt, _>(id)
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<EventRow>(&mut conn)
            .await
            .map_err(db_error)?;
        let total_missing = rows.is_empty() && page.offset > 0;
        let mut out = paged(rows)?;
        if total_missing {
            out.total = count(&mut conn, "aggregate_type = $1 AND aggregate_id = $2", aggregate.as_str(), id).await?;
        }
        Ok(out)
    }

    async fn hotel_history(&self, hotel_id: HotelId, filter: HistoryFilter, page: Page) -> Result<Paged<StoredEvent>> {
        let mut conn = self.conn().await?;
        let (agg_type, agg_id) = match filter.aggregate {
            Some((t, id)) => (Some(t.as_str()), Some(id)),
            None => (None, None),
        };
        let q = format!(
            "SELECT {EVENT_COLS} FROM outbox_event
             WHERE hotel_id = $1
               AND ($2::text IS NULL OR aggregate_type = $2) AND ($3::bigint IS NULL OR aggregate_id = $3)
               AND ($4::text IS NULL OR event_type = $4)
               AND ($5::date IS NULL OR occurred_at >= $5::date::timestamp AT TIME ZONE 'UTC')
               AND ($6::date IS NULL OR occurred_at < ($6::date + 1)::timestamp AT TIME ZONE 'UTC')
             ORDER BY seq DESC LIMIT $7 OFFSET $8"
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(hotel_id.get())
            .bind::<Nullable<Text>, _>(agg_type)
            .bind::<Nullable<BigInt>, _>(agg_id)
            .bind::<Nullable<Text>, _>(filter.event_type.as_deref())
            .bind::<Nullable<Date>, _>(filter.from)
            .bind::<Nullable<Date>, _>(filter.to)
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<EventRow>(&mut conn)
            .await
            .map_err(db_error)?;
        if rows.is_empty() && page.offset > 0 {
            // Past the end: the total still counts the matches.
            let first = self.hotel_history(hotel_id, filter, Page { limit: 1, offset: 0 }).await?;
            return Ok(Paged { items: Vec::new(), total: first.total });
        }
        paged(rows)
    }

    async fn unpublished(&self, limit: i64) -> Result<Vec<StoredEvent>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {EVENT_COLS} FROM outbox_event WHERE published_at IS NULL ORDER BY seq LIMIT $1");
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(limit.clamp(1, 10_000))
            .load::<EventRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(paged(rows)?.items)
    }

    async fn mark_published(&self, seqs: &[i64], at: DateTime<Utc>) -> Result<u64> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE outbox_event SET published_at = $2 WHERE seq = ANY($1) AND published_at IS NULL",
        )
        .bind::<Array<BigInt>, _>(seqs)
        .bind::<Timestamptz, _>(at)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(n as u64)
    }

    async fn prune_events(&self, before: DateTime<Utc>, unpublished_too: bool) -> Result<u64> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "DELETE FROM outbox_event WHERE occurred_at < $1 AND ($2 OR published_at IS NOT NULL)",
        )
        .bind::<Timestamptz, _>(before)
        .bind::<Bool, _>(unpublished_too)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(n as u64)
    }
}

async fn count(conn: &mut AsyncPgConnection, cond: &str, a: &str, b: i64) -> Result<i64> {
    let row = crate::prepared::sql(format!("SELECT count(*) AS n FROM outbox_event WHERE {cond}"))
        .bind::<Text, _>(a)
        .bind::<BigInt, _>(b)
        .get_result::<crate::rows::CountRow>(conn)
        .await
        .map_err(db_error)?;
    Ok(row.n)
}

/// The relay's leader lease: a session advisory lock held on a connection of its own. Whoever holds it is the
/// one replica publishing; when that process dies or its connection drops, PostgreSQL releases the lock and
/// another replica's next attempt takes it over.
pub struct RelayLease {
    conn: AsyncPgConnection,
}

/// The advisory lock key of the relay (the migrations use 7283640000, the window top-up 7283640001).
const RELAY_LOCK: i64 = 7_283_640_002;

impl RelayLease {
    /// Whether the lease is still held (its connection alive).
    pub async fn alive(&mut self) -> bool {
        crate::prepared::sql("SELECT 1::bigint AS id").get_result::<crate::rows::IdRow>(&mut self.conn).await.is_ok()
    }
}

impl PgStore {
    /// Takes the relay's lease when no other process holds it (`None` then, or when the database is down).
    pub async fn try_relay_lease(&self) -> Result<Option<RelayLease>> {
        let mut conn = self.target.establish().await.map_err(|e| Error::internal(e.to_string()))?;
        #[derive(QueryableByName)]
        struct Got {
            #[diesel(sql_type = Bool)]
            got: bool,
        }
        let got = crate::prepared::sql("SELECT pg_try_advisory_lock($1) AS got")
            .bind::<BigInt, _>(RELAY_LOCK)
            .get_result::<Got>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(got.got.then_some(RelayLease { conn }))
    }

    /// Sets who makes the changes of the current transaction (`SET LOCAL staybook.actor`): the outbox triggers
    /// record it with the events.
    pub(crate) async fn set_actor(
        c: &mut AsyncPgConnection,
        actor: EventActor,
    ) -> std::result::Result<(), diesel::result::Error> {
        crate::prepared::sql("SELECT set_config('staybook.actor', $1, true) AS x")
            .bind::<Text, _>(actor.encode())
            .execute(c)
            .await
            .map(|_| ())
    }
}
