-- pgbench script: the SQL of GET /hotels/search alone (crates/adapter-postgres/src/catalog.rs, fn search, with
-- nightly_scaled_sql and div_half_even_sql inlined; as of the integer-pricing commit), as the server sends it for the bench's HTTP
-- scenario: a random city of city01..city20, a random 3-night stay with check-in between today+1 and today+300
-- (UTC), rooms_count 1, no guests or price filter, sort price_asc, limit 50 offset 0, and every pricing strategy
-- disabled (PRICING_STRATEGIES empty).
-- Bind map: $1 city · $2 check-in · $3 check-out · $4 nights (3) · $5 rooms_count (1) · $6 $7 $8 strategies (false)
-- · $9 today · $10 holidays ('{}') · $11 guests, $12 min_price, $13 max_price (NULL) · $14 limit (50) · $15 offset (0).
-- Keep it in step with the Rust query when that changes (scripts/bench.sh also runs it for EXPLAIN).
\set city random(1, 20)
\set d random(1, 300)
WITH h AS (
    SELECT id, name, city, photos, amenities FROM hotel
    WHERE active AND lower(city) = lower('City' || lpad(:city::text, 2, '0'))
 ), q AS (
    SELECT n.hotel_id, n.room_id,
           sum((n.scaled / 100 + CASE WHEN 2 * (n.scaled % 100) > 100 OR (2 * (n.scaled % 100) = 100 AND (n.scaled / 100) % 2 = 1) THEN 1 ELSE 0 END))::bigint AS total
    FROM (
        SELECT i.hotel_id, i.room_id, ((i.price * 100)::bigint * (i.surge_factor * 100)::bigint) AS scaled,
               (NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= 1) AS ok
        FROM inventory i
        WHERE i.hotel_id IN (SELECT id FROM h)
          AND i.date >= (now() AT TIME ZONE 'UTC')::date + :d::int AND i.date < (now() AT TIME ZONE 'UTC')::date + :d::int + 3
        OFFSET 0
    ) n
    GROUP BY n.hotel_id, n.room_id
    HAVING count(*) = 3 AND bool_and(n.ok)
 ), f AS (
    SELECT q.hotel_id,
           min((q.total / 3::bigint + CASE WHEN 2 * (q.total % 3::bigint) > 3::bigint OR (2 * (q.total % 3::bigint) = 3::bigint AND (q.total / 3::bigint) % 2 = 1) THEN 1 ELSE 0 END)) AS min_cents
    FROM q CROSS JOIN (SELECT NULL::int IS NULL) unused(g)
    WHERE (NULL::bigint IS NULL) AND (NULL::bigint IS NULL)
    GROUP BY q.hotel_id
 )
 SELECT h.id, h.name, h.city, h.photos::text[] AS photos, h.amenities::text[] AS amenities,
        (f.min_cents::numeric / 100)::numeric(12,2) AS min_price, count(*) OVER () AS total
 FROM f JOIN h ON h.id = f.hotel_id
 ORDER BY f.min_cents ASC, h.id LIMIT 50 OFFSET 0;
