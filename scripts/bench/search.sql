-- pgbench script: the SQL of GET /hotels/search alone (crates/adapter-postgres/src/catalog.rs, fn search, with
-- nightly_price_sql inlined), as the server sends it for the bench's HTTP scenario: a random city of city01..city20,
-- a random 3-night stay with check-in between today+1 and today+300 (UTC), rooms_count 1, no guests or price
-- filter, sort price_asc, limit 50 offset 0, and every pricing strategy disabled (PRICING_STRATEGIES empty).
-- Bind map: $1 city · $2 check-in · $3 check-out · $4 nights (3) · $5 rooms_count (1) · $6 $7 $8 strategies (false)
-- · $9 today · $10 holidays ('{}') · $11 guests, $12 min_price, $13 max_price (NULL) · $14 limit (50) · $15 offset (0).
-- Keep it in step with the Rust query when that changes.
\set city random(1, 20)
\set d random(1, 300)
WITH h AS (
    SELECT id, name, city, photos, amenities FROM hotel
    WHERE active AND lower(city) = lower('City' || lpad(:city::text, 2, '0'))
 ), q AS (
    SELECT i.hotel_id, i.room_id, round_half_even(sum(round_half_even(i.price * i.surge_factor
            * CASE WHEN false AND 5 * (i.book_count + i.reserved_count) >= 4 * i.total_count THEN 1.20 ELSE 1 END
            * CASE WHEN false AND i.date - (now() AT TIME ZONE 'UTC')::date BETWEEN 0 AND 6 THEN 1.15 ELSE 1 END
            * CASE WHEN false AND i.date = ANY('{}'::date[]) THEN 1.25 ELSE 1 END)) / 3) AS avg
    FROM inventory i JOIN h ON h.id = i.hotel_id
    WHERE i.date >= (now() AT TIME ZONE 'UTC')::date + :d::int AND i.date < (now() AT TIME ZONE 'UTC')::date + :d::int + 3
    GROUP BY i.hotel_id, i.room_id
    HAVING count(*) = 3
       AND bool_and(NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= 1)
 ), f AS (
    SELECT q.hotel_id, min(q.avg) AS min_price FROM q JOIN room r ON r.id = q.room_id
    WHERE (NULL::int IS NULL OR r.capacity * 1 >= NULL::int)
      AND (NULL::numeric IS NULL OR q.avg >= NULL::numeric)
      AND (NULL::numeric IS NULL OR q.avg <= NULL::numeric)
    GROUP BY q.hotel_id
 )
 SELECT h.id, h.name, h.city, h.photos::text[] AS photos, h.amenities::text[] AS amenities, f.min_price,
        count(*) OVER () AS total
 FROM f JOIN h ON h.id = f.hotel_id
 ORDER BY f.min_price ASC, h.id LIMIT 50 OFFSET 0;
