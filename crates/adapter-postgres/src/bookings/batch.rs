//! Group commit of holds (docs/PERFORMANCE.md §12): holds that arrive while others are being written wait in a
//! queue, and up to `max_batch` of them are then taken in one transaction: their facts and nights read and locked
//! by two statements, planned in order by the domain ([`plan_holds`]: each sees what the earlier ones reserved),
//! and written by one `UPDATE` and one `INSERT`, with one commit. A lone hold takes the single-hold transaction
//! (`hold_tx`), so an idle store behaves exactly as without batching.
//!
//! Every hold still gets its own answer: a hold the planner refuses is simply left out of the writes. A batch that
//! fails as a whole (a database error) is retried hold by hold, so one bad hold never fails the others.

use super::*;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::oneshot;

/// How holds are batched; `max_batch` 1 turns batching off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldBatching {
    /// Most holds in one transaction.
    pub max_batch: usize,
    /// Most batch transactions at once (each uses one pooled connection while it runs).
    pub runners: usize,
}

impl HoldBatching {
    /// No batching: every hold is its own transaction.
    pub const OFF: HoldBatching = HoldBatching { max_batch: 1, runners: 1 };
}

pub(crate) struct Job {
    req: HoldRequest,
    policy: PricingPolicy,
    reply: oneshot::Sender<Result<Booking>>,
}

struct Queue {
    jobs: VecDeque<Job>,
    running: usize,
}

/// The holds waiting for a batch, and the batches running.
pub(crate) struct HoldQueue {
    config: HoldBatching,
    runtime: Option<tokio::runtime::Handle>,
    queue: Mutex<Queue>,
    /// Transactions of more than one hold written, and the holds they carried.
    batches: AtomicU64,
    batched: AtomicU64,
}

impl HoldQueue {
    pub(crate) fn new(config: HoldBatching, runtime: Option<tokio::runtime::Handle>) -> HoldQueue {
        let queue = Mutex::new(Queue { jobs: VecDeque::new(), running: 0 });
        HoldQueue { config, runtime, queue, batches: AtomicU64::new(0), batched: AtomicU64::new(0) }
    }

    pub(crate) fn config(&self) -> HoldBatching {
        self.config
    }

    /// Queues a job; true when the caller must start a runner (fewer than `runners` are running).
    fn push(&self, job: Job) -> bool {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.jobs.push_back(job);
        let start = q.running < self.config.runners.max(1);
        if start {
            q.running += 1;
        }
        start
    }

    /// The next batch; empty (and this runner counted out) when nothing waits.
    fn take(&self) -> Vec<Job> {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let n = q.jobs.len().min(self.config.max_batch.max(1));
        if n == 0 {
            q.running -= 1;
        }
        q.jobs.drain(..n).collect()
    }
}

/// Counts a runner out if it panics, failing the holds still queued (their requests answer 503) rather than
/// leaving them to wait for a runner that may never start.
struct Running<'a>(&'a HoldQueue);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut q = self.0.queue.lock().unwrap_or_else(|e| e.into_inner());
            q.running -= 1;
            q.jobs.clear();
        }
    }
}

impl PgStore {
    /// A hold through the queue when batching is on, else its own transaction.
    pub(super) async fn hold_queued(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking> {
        if self.holds.config().max_batch <= 1 {
            return self.hold_tx(req, policy).await;
        }
        let (reply, answer) = oneshot::channel();
        if self.holds.push(Job { req, policy, reply }) {
            let store = self.clone();
            let run = async move { store.run_holds().await };
            match &self.holds.runtime {
                Some(rt) => drop(rt.spawn(run)),
                None => drop(tokio::spawn(run)),
            }
        }
        // A runner that died (a panic) drops the reply: the hold's outcome is then unknown to this request.
        answer.await.unwrap_or(Err(Error::Unavailable))
    }

    /// Takes batches until the queue is empty.
    async fn run_holds(&self) {
        let _running = Running(&self.holds);
        loop {
            let mut jobs = self.holds.take();
            match jobs.len() {
                0 => return,
                1 => {
                    let Job { req, policy, reply } = jobs.remove(0);
                    let _ = reply.send(self.hold_tx(req, policy).await);
                }
                _ => self.hold_batch(jobs).await,
            }
        }
    }

    /// Batches of more than one hold the queue has taken, and the holds they carried (since the store was built).
    pub fn hold_batch_stats(&self) -> (u64, u64) {
        (
            AtomicU64::load(&self.holds.batches, Ordering::Relaxed),
            AtomicU64::load(&self.holds.batched, Ordering::Relaxed),
        )
    }

    async fn hold_batch(&self, jobs: Vec<Job>) {
        self.holds.batches.fetch_add(1, Ordering::Relaxed);
        self.holds.batched.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        metrics::histogram!("hold_batch_size").record(jobs.len() as f64);
        let (holds, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| ((j.req, j.policy), j.reply)).unzip();
        for (reply, result) in replies.into_iter().zip(self.hold_many(holds).await) {
            let _ = reply.send(result);
        }
    }

    /// Takes `holds` in one transaction, in order (each planned on what the earlier ones left), and answers each
    /// in its place: a booking, or why that hold was refused. What the queue of [`PgStore::with_hold_batching`]
    /// runs; callable directly. When the transaction fails as a whole (a database error), nothing of it is
    /// written and every hold is retried in a transaction of its own (when the database is unavailable, every hold
    /// answers `Unavailable` at once).
    pub async fn hold_many(&self, holds: Vec<(HoldRequest, PricingPolicy)>) -> Vec<Result<Booking>> {
        let started = std::time::Instant::now();
        match self.hold_batch_tx(&holds).await {
            Ok(results) => {
                tracing::debug!(holds = holds.len(), ms = started.elapsed().as_secs_f64() * 1e3, "hold batch");
                results
            }
            // No connection within the pool's timeout, or deadlocks past the retries: one by one would only wait
            // longer; every hold answers 503 as a lone hold would.
            Err(Error::Unavailable) => holds.iter().map(|_| Err(Error::Unavailable)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, holds = holds.len(), "hold batch failed; retrying its holds one by one");
                metrics::counter!("hold_batch_failures_total").increment(1);
                let mut out = Vec::with_capacity(holds.len());
                for (req, policy) in holds {
                    out.push(self.hold_tx(req, policy).await);
                }
                out
            }
        }
    }

    /// One transaction for all `holds`; a refused hold is an `Err` in its place of the result.
    async fn hold_batch_tx(&self, holds: &[(HoldRequest, PricingPolicy)]) -> Result<Vec<Result<Booking>>> {
        tx!(self, |c| {
            let reqs: Vec<&HoldRequest> = holds.iter().map(|(r, _)| r).collect();
            let hotels: Vec<i64> = reqs.iter().map(|r| r.hotel_id.get()).collect();
            let rooms: Vec<i64> = reqs.iter().map(|r| r.room_id.get()).collect();
            let check_ins: Vec<NaiveDate> = reqs.iter().map(|r| r.stay.check_in()).collect();
            let check_outs: Vec<NaiveDate> = reqs.iter().map(|r| r.stay.check_out()).collect();
            // As hold_tx, for every hold (k = its place in the batch, from 1): the facts, and the stays' nights
            // locked in (room, date) order, the order every hold locks nights in (overlapping stays of one room
            // lock a night once). With the hold cap, the users' rows are locked first (in id order) and their live
            // holds counted after. Written so that every lookup is an index probe whatever the planner thinks of
            // the arrays' sizes: scalar subqueries, and `OFFSET 0` keeps the lateral range scan from being pulled
            // up into a join that would read each room's whole year.
            let facts = crate::prepared::sql(
                "SELECT x.k, (SELECT active FROM hotel WHERE id = x.hotel) AS active, r.hotel_id AS room_hotel_id,
                        r.capacity,
                        COALESCE((SELECT closed_to_departure FROM inventory WHERE room_id = x.room AND date = x.co), false)
                          AS departure_closed
                 FROM unnest($1::bigint[], $2::bigint[], $3::date[]) WITH ORDINALITY x(hotel, room, co, k)
                 LEFT JOIN room r ON r.id = x.room",
            )
            .bind::<Array<BigInt>, _>(&hotels)
            .bind::<Array<BigInt>, _>(&rooms)
            .bind::<Array<Date>, _>(&check_outs)
            .load::<FactsRow>(&mut &*c);
            let nights = crate::prepared::sql(format!(
                "SELECT {NIGHT_COLS}
                 FROM unnest($1::bigint[], $2::bigint[], $3::date[], $4::date[]) x(hotel, room, lo, hi)
                 JOIN LATERAL (SELECT * FROM inventory WHERE room_id = x.room AND date >= x.lo AND date < x.hi OFFSET 0) i ON true
                 WHERE EXISTS (SELECT 1 FROM room WHERE id = x.room AND hotel_id = x.hotel)
                 ORDER BY i.room_id, i.date FOR UPDATE OF i"
            ))
            .bind::<Array<BigInt>, _>(&hotels)
            .bind::<Array<BigInt>, _>(&rooms)
            .bind::<Array<Date>, _>(&check_ins)
            .bind::<Array<Date>, _>(&check_outs)
            .load::<NightRow>(&mut &*c);
            let capped = reqs.iter().any(|r| r.max_active_holds > 0);
            let (facts, counts, nights) = if capped {
                let mut users: Vec<i64> = reqs.iter().map(|r| r.user_id.get()).collect();
                users.sort_unstable();
                users.dedup();
                let now = reqs.iter().map(|r| r.now).max().unwrap_or_default();
                let lock = crate::prepared::sql("SELECT id FROM app_user WHERE id = ANY($1) ORDER BY id FOR UPDATE")
                    .bind::<Array<BigInt>, _>(&users)
                    .load::<IdRow>(&mut &*c);
                let count = crate::prepared::sql(format!(
                    "SELECT user_id AS id, count(*) AS n FROM booking
                     WHERE user_id = ANY($1) AND booking_status IN {HOLD_STATUSES}
                       AND (expires_at IS NULL OR expires_at > $2)
                     GROUP BY user_id"
                ))
                .bind::<Array<BigInt>, _>(&users)
                .bind::<Timestamptz, _>(now)
                .load::<IdCountRow>(&mut &*c);
                let (_, counts, facts, nights) = futures_util::future::try_join4(lock, count, facts, nights).await?;
                (facts, counts.into_iter().map(|r| (UserId(r.id), r.n)).collect(), nights)
            } else {
                let (facts, nights) = futures_util::future::try_join(facts, nights).await?;
                (facts, HashMap::new(), nights)
            };
            let mut by_night: HashMap<(i64, NaiveDate), InventoryNight> = HashMap::new();
            for row in nights {
                let n = InventoryNight::try_from(row)?;
                by_night.insert((n.room_id.get(), n.date), n);
            }
            let mut batch = Vec::with_capacity(holds.len());
            for ((req, policy), f) in holds.iter().zip(facts_in_order(facts, holds.len())?) {
                let mut facts = HoldFacts {
                    hotel_active: f.active,
                    room_hotel_id: f.room_hotel_id.map(HotelId),
                    room_capacity: f.room_hotel_id.map_or(0, |_| f.capacity.unwrap_or(0)),
                    departure_closed: f.room_hotel_id.is_some() && f.departure_closed,
                    ..HoldFacts::default()
                };
                if f.active.is_some() && facts.room_hotel_id == Some(req.hotel_id) {
                    facts.active_holds = counts.get(&req.user_id).copied().unwrap_or(0);
                    facts.nights =
                        req.stay.each_night().filter_map(|d| by_night.get(&(req.room_id.get(), d)).cloned()).collect();
                }
                batch.push((req, policy, facts));
            }
            let plans = plan_holds(&mut batch);
            // The writes of the holds the planner accepted: the nights' held rooms summed per night, and the
            // bookings, inserted in batch order (so their ids ascend with it).
            let mut reserve: HashMap<(i64, NaiveDate), i32> = HashMap::new();
            let mut accepted = Vec::new();
            for ((req, _, facts), plan) in batch.iter().zip(&plans) {
                if let Ok(plan) = plan {
                    for n in &facts.nights {
                        *reserve.entry((n.room_id.get(), n.date)).or_default() += plan.reserve;
                    }
                    accepted.push((*req, plan));
                }
            }
            let mut rows = Vec::new();
            if !accepted.is_empty() {
                let (r_rooms, (r_dates, r_counts)): (Vec<i64>, (Vec<NaiveDate>, Vec<i32>)) =
                    reserve.iter().map(|(&(room, date), &n)| (room, (date, n))).unzip();
                let counts_feed =
                    crate::prepared::sql("SELECT set_config('staybook.feed', 'counts', true)").execute(&mut &*c);
                let update = crate::prepared::sql(
                    "UPDATE inventory i SET reserved_count = i.reserved_count + x.n
                     FROM unnest($1::bigint[], $2::date[], $3::int[]) x(room, date, n)
                     WHERE i.room_id = x.room AND i.date = x.date
                       AND NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= x.n",
                )
                .bind::<Array<BigInt>, _>(&r_rooms)
                .bind::<Array<Date>, _>(&r_dates)
                .bind::<Array<Integer>, _>(&r_counts)
                .execute(&mut &*c);
                let insert = insert_bookings(&*c, &accepted);
                let (_, n, inserted) = futures_util::future::try_join3(counts_feed, update, insert).await?;
                if n != reserve.len() || inserted.len() != accepted.len() {
                    // Impossible with the nights locked and checked above; rolls the batch back.
                    return Err(TxError::Domain(Error::internal("hold batch: writes do not match its plans")));
                }
                rows = inserted;
            }
            let mut rows = rows.into_iter();
            let mut out = Vec::with_capacity(holds.len());
            for ((req, _, _), plan) in batch.iter().zip(plans) {
                out.push(match plan {
                    Err(e) => Err(e),
                    Ok(_) => {
                        let row = rows.next().ok_or_else(|| Error::internal("hold batch: a booking is missing"))?;
                        let b = Booking::try_from(row)?;
                        if b.user_id != req.user_id || b.room_id != req.room_id || b.stay() != req.stay {
                            return Err(TxError::Domain(Error::internal("hold batch: bookings out of order")));
                        }
                        Ok(b)
                    }
                });
            }
            Ok(out)
        })
    }
}

/// The bookings of the accepted holds, one statement, returned in the order of `accepted`.
async fn insert_bookings(
    c: &AsyncPgConnection,
    accepted: &[(&HoldRequest, &HoldPlan)],
) -> diesel::QueryResult<Vec<BookingRow>> {
    let col = |f: &dyn Fn(&HoldRequest, &HoldPlan) -> String| -> Vec<String> {
        accepted.iter().map(|(r, p)| f(r, p)).collect()
    };
    let q = format!(
        "WITH b AS (INSERT INTO booking (user_id, hotel_id, room_id, rooms_count, check_in_date, check_out_date, nights,
                                  booking_status, amount, currency, expires_at, created_at, updated_at,
                                  time_zone, cancellation_policy, cancel_deadline, rate_plan_id, adults, subtotal,
                                  charges)
             SELECT u, h, r, rc, ci, co, co - ci, 'RESERVED', amount::numeric, cur, exp, now_, now_, tz, pol, dl, rp, ad,
                    sub::numeric, ch::jsonb
             FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::date[], $6::date[], $7::text[],
                         $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[],
                         $13::timestamptz[], $14::bigint[], $15::int[], $16::text[], $17::text[])
                  WITH ORDINALITY x(u, h, r, rc, ci, co, amount, cur, exp, now_, tz, pol, dl, rp, ad, sub, ch, k)
             ORDER BY k
             RETURNING *)
         SELECT {BOOKING_COLS} FROM b JOIN hotel h ON h.id = b.hotel_id JOIN room r ON r.id = b.room_id ORDER BY b.id"
    );
    crate::prepared::sql(q)
        .bind::<Array<BigInt>, _>(accepted.iter().map(|(r, _)| r.user_id.get()).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(accepted.iter().map(|(r, _)| r.hotel_id.get()).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(accepted.iter().map(|(r, _)| r.room_id.get()).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(accepted.iter().map(|(r, _)| r.rooms_count).collect::<Vec<_>>())
        .bind::<Array<Date>, _>(accepted.iter().map(|(r, _)| r.stay.check_in()).collect::<Vec<_>>())
        .bind::<Array<Date>, _>(accepted.iter().map(|(r, _)| r.stay.check_out()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(col(&|_, p| p.price.total.to_decimal().to_string()))
        .bind::<Array<Text>, _>(col(&|r, _| r.currency.as_str().to_string()))
        .bind::<Array<Timestamptz>, _>(accepted.iter().map(|(r, _)| r.expires_at).collect::<Vec<_>>())
        .bind::<Array<Timestamptz>, _>(accepted.iter().map(|(r, _)| r.now).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(col(&|r, _| r.time_zone.name().to_string()))
        .bind::<Array<Text>, _>(col(&|r, _| r.cancellation_policy.encode()))
        .bind::<Array<Nullable<Timestamptz>>, _>(accepted.iter().map(|(r, _)| r.cancel_deadline).collect::<Vec<_>>())
        .bind::<Array<Nullable<BigInt>>, _>(
            accepted.iter().map(|(r, _)| r.rate_plan_id.map(i64::from)).collect::<Vec<_>>(),
        )
        .bind::<Array<Integer>, _>(accepted.iter().map(|(_, p)| p.adults).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(col(&|_, p| p.price.subtotal.to_decimal().to_string()))
        .bind::<Array<Text>, _>(col(&|_, p| crate::json::encode_charges(&p.price.lines)))
        .load::<BookingRow>(&mut &*c)
        .await
}

/// The facts rows, one per hold, in batch order (k = 1..=n).
fn facts_in_order(mut rows: Vec<FactsRow>, n: usize) -> TxResult<Vec<FactsRow>> {
    rows.sort_unstable_by_key(|r| r.k);
    if rows.len() != n || rows.iter().enumerate().any(|(i, r)| r.k != i as i64 + 1) {
        return Err(TxError::Domain(Error::internal("hold batch: facts do not match its holds")));
    }
    Ok(rows)
}

#[derive(QueryableByName)]
struct IdCountRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}
