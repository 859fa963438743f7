-- pgbench script: the SQL of GET /hotels/search alone (crates/adapter-postgres/src/catalog/queries.rs, fn search,
-- with nightly_scaled_sql and div_half_even_sql inlined; as of the materialized per-room step before the plans), as the
-- server sends it for the bench's HTTP scenario: a random city of city01..city20, a random 3-night stay with check-in
-- between today+1 and today+300 (UTC), rooms_count 1, no guests or price filter, sort price_asc, limit 50 offset 0,
-- and every pricing strategy disabled (PRICING_STRATEGIES empty).
-- Bind map: $1 city · $2 check-in · $3 check-out · $4 nights (3) · $5 rooms_count (1) · $6 $7 $8 strategies (false)
-- · $9 now · $10 holidays ('{}') · $11 guests, $12 min_price, $13 max_price (NULL) · $14 limit (50) · $15 offset (0).
-- Keep it in step with the Rust query when that changes (scripts/bench.sh also runs it for EXPLAIN).
\set city random(1, 20)
\set d random(1, 300)
WITH h AS (
	                SELECT id, name, city, photos, amenities, currency, today FROM hotel
	                CROSS JOIN LATERAL (SELECT (now()::timestamptz AT TIME ZONE time_zone)::date AS today) t
	                WHERE active AND lower(city) = lower(('City' || lpad(:city::text, 2, '0'))) AND ((now() AT TIME ZONE 'UTC')::date + :d::int)::date >= t.today
	             ), r AS MATERIALIZED (
	                SELECT n.hotel_id, n.room_id, (sum(n.cents) FILTER (WHERE n.stay))::bigint AS base,
	                       array_agg(n.cents) FILTER (WHERE n.stay) AS cents
	                FROM (
	                    SELECT i.hotel_id, i.room_id, i.date < ((now() AT TIME ZONE 'UTC')::date + :d::int + 3) AS stay, ((((i.price * 100)::bigint * (i.surge_factor * 100)::bigint)) / 100 + CASE WHEN 2 * ((((i.price * 100)::bigint * (i.surge_factor * 100)::bigint)) % 100) > 100 OR (2 * ((((i.price * 100)::bigint * (i.surge_factor * 100)::bigint)) % 100) = 100 AND ((((i.price * 100)::bigint * (i.surge_factor * 100)::bigint)) / 100) % 2 = 1) THEN 1 ELSE 0 END) AS cents,
	                           CASE WHEN i.date = ((now() AT TIME ZONE 'UTC')::date + :d::int + 3) THEN NOT i.closed_to_departure
	                                ELSE NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= 1
	                                     AND (i.date <> ((now() AT TIME ZONE 'UTC')::date + :d::int) OR (NOT i.closed_to_arrival
	                                          AND COALESCE(i.min_stay, 1) <= 3 AND COALESCE(i.max_stay, 365) >= 3))
	                           END AS ok
	                    FROM inventory i JOIN h ON h.id = i.hotel_id
	                    WHERE i.date >= ((now() AT TIME ZONE 'UTC')::date + :d::int) AND i.date <= ((now() AT TIME ZONE 'UTC')::date + :d::int + 3)
	                    OFFSET 0
	                ) n
	                GROUP BY n.hotel_id, n.room_id
	                HAVING count(*) FILTER (WHERE n.stay) = 3 AND bool_and(n.ok)
	             ), q AS (
	                SELECT r.hotel_id, r.room_id,
	                       CASE WHEN p.pct AND p.val = 0 THEN r.base
	                            ELSE (SELECT sum(greatest(CASE WHEN p.pct THEN ((c * (10000 + p.val)) / 10000 + CASE WHEN 2 * ((c * (10000 + p.val)) % 10000) > 10000 OR (2 * ((c * (10000 + p.val)) % 10000) = 10000 AND ((c * (10000 + p.val)) / 10000) % 2 = 1) THEN 1 ELSE 0 END) ELSE c + p.val END, 1))::bigint FROM unnest(r.cents) AS c) END AS total
	                FROM r CROSS JOIN LATERAL (
	                    SELECT split_part(rp.price_rule, ':', 1) = 'PERCENT' AS pct,
	                           CASE WHEN split_part(rp.price_rule, ':', 1) = 'PERCENT'
	                                THEN (split_part(rp.price_rule, ':', 2)::numeric * 100)::bigint
	                                ELSE split_part(rp.price_rule, ':', 2)::bigint END AS val
	                    FROM rate_plan rp
	                    WHERE rp.room_id = r.room_id AND rp.active
	                      AND (rp.min_stay IS NULL OR rp.min_stay <= 3) AND (rp.max_stay IS NULL OR rp.max_stay >= 3)
	                ) p
	             ), f AS (
	                SELECT q.hotel_id, min((q.total / 3::bigint + CASE WHEN 2 * (q.total % 3::bigint) > 3::bigint OR (2 * (q.total % 3::bigint) = 3::bigint AND (q.total / 3::bigint) % 2 = 1) THEN 1 ELSE 0 END)) AS min_cents FROM q CROSS JOIN (SELECT NULL::int IS NULL) unused(g)
	                WHERE (NULL::bigint IS NULL OR (q.total / 3::bigint + CASE WHEN 2 * (q.total % 3::bigint) > 3::bigint OR (2 * (q.total % 3::bigint) = 3::bigint AND (q.total / 3::bigint) % 2 = 1) THEN 1 ELSE 0 END) >= NULL::bigint)
	                  AND (NULL::bigint IS NULL OR (q.total / 3::bigint + CASE WHEN 2 * (q.total % 3::bigint) > 3::bigint OR (2 * (q.total % 3::bigint) = 3::bigint AND (q.total / 3::bigint) % 2 = 1) THEN 1 ELSE 0 END) <= NULL::bigint)
	                  AND (false OR false OR false OR now()::timestamptz IS NULL OR '{}'::date[]::date[] IS NULL OR true)
	                GROUP BY q.hotel_id
	             )
	             SELECT h.id, h.name, h.city, h.photos::text[] AS photos, h.amenities::text[] AS amenities,
	                    (f.min_cents::numeric / 100)::numeric(12,2) AS min_price, h.currency::text AS currency,
	                    count(*) OVER () AS total
	             FROM f JOIN h ON h.id = f.hotel_id
	             ORDER BY f.min_cents ASC, h.id LIMIT 50 OFFSET 0;
