-- pgbench script: the SQL of GET /hotels/search alone (crates/adapter-postgres/src/catalog.rs, fn search, with
-- raw_nightly_price_sql and half_even_sql inlined; as of commit efad1a1), as the server sends it for the bench's HTTP
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
    SELECT n.hotel_id, n.room_id, sum((CASE WHEN n.raw * 100 - trunc(n.raw * 100) = 0.5 AND mod(trunc(n.raw * 100), 2) = 0 THEN round(trunc(n.raw * 100) / 100, 2) ELSE round(n.raw, 2) END)) AS total
    FROM (
        SELECT i.hotel_id, i.room_id, i.price * i.surge_factor
                               * CASE WHEN false AND 5 * (i.book_count + i.reserved_count) >= 4 * i.total_count THEN 1.20 ELSE 1 END
                               * CASE WHEN false AND i.date - (now() AT TIME ZONE 'UTC')::date BETWEEN 0 AND 6 THEN 1.15 ELSE 1 END
                               * CASE WHEN false AND i.date = ANY('{}'::date[]) THEN 1.25 ELSE 1 END AS raw,
               (NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= 1) AS ok
        FROM inventory i
        WHERE i.hotel_id IN (SELECT id FROM h) AND i.date >= (now() AT TIME ZONE 'UTC')::date + :d::int AND i.date < (now() AT TIME ZONE 'UTC')::date + :d::int + 3
        OFFSET 0
    ) n
    GROUP BY n.hotel_id, n.room_id
    HAVING count(*) = 3 AND bool_and(n.ok)
 ), f AS (
    SELECT q.hotel_id, min((CASE WHEN (q.total / 3) * 100 - trunc((q.total / 3) * 100) = 0.5 AND mod(trunc((q.total / 3) * 100), 2) = 0 THEN round(trunc((q.total / 3) * 100) / 100, 2) ELSE round((q.total / 3), 2) END)) AS min_price FROM q CROSS JOIN (SELECT NULL::int IS NULL) unused(g)
    WHERE (NULL::numeric IS NULL OR (CASE WHEN (q.total / 3) * 100 - trunc((q.total / 3) * 100) = 0.5 AND mod(trunc((q.total / 3) * 100), 2) = 0 THEN round(trunc((q.total / 3) * 100) / 100, 2) ELSE round((q.total / 3), 2) END) >= NULL::numeric)
      AND (NULL::numeric IS NULL OR (CASE WHEN (q.total / 3) * 100 - trunc((q.total / 3) * 100) = 0.5 AND mod(trunc((q.total / 3) * 100), 2) = 0 THEN round(trunc((q.total / 3) * 100) / 100, 2) ELSE round((q.total / 3), 2) END) <= NULL::numeric)
    GROUP BY q.hotel_id
 )
 SELECT h.id, h.name, h.city, h.photos::text[] AS photos, h.amenities::text[] AS amenities, f.min_price,
        count(*) OVER () AS total
 FROM f JOIN h ON h.id = f.hotel_id
 ORDER BY f.min_price ASC, h.id LIMIT 50 OFFSET 0;
