-- Capacity dataset for scripts/bench.sh, loaded straight into the schema of migrations/*/up.sql.
-- psql variables: owner (manager user id owning every hotel), hotels (500), cities (20), seed (0..1).
-- Dates are UTC, as the server's "today" is: rows cover today .. today+364, the server's own inventory window.
\set ON_ERROR_STOP on
SELECT setseed(:seed);

BEGIN;
CREATE TEMP TABLE bench_today AS SELECT (now() AT TIME ZONE 'UTC')::date AS d;

-- Hotels: city01..cityNN in three spellings (search compares lower(city)); all active.
INSERT INTO hotel (name, city, photos, amenities, contact_phone, contact_email, contact_address, active, owner_id)
SELECT format('Bench Hotel %s', g),
       (ARRAY['city', 'City', 'CITY'])[1 + g % 3] || lpad((1 + (g - 1) % :cities)::text, 2, '0'),
       ARRAY[format('https://img.example.com/hotels/%s/front.jpg', g),
             format('https://img.example.com/hotels/%s/lobby.jpg', g)]::varchar[],
       (ARRAY['wifi', 'parking', 'pool', 'gym', 'spa', 'breakfast'])[1:1 + (g % 6)]::varchar[],
       format('+1-555-%s', lpad(g::text, 4, '0')),
       format('hotel%s@bench.example.com', g),
       format('%s Bench Street', g),
       true, :owner
FROM generate_series(1, :hotels) g;

-- Five room types per hotel: a random hotel price level (60..250) times a per-type factor.
CREATE TEMP TABLE bench_level AS
SELECT id AS hotel_id, 60 + floor(random() * 191) AS level FROM hotel WHERE name LIKE 'Bench Hotel %';

INSERT INTO room (hotel_id, type, base_price, photos, amenities, total_count, capacity)
SELECT l.hotel_id, t.type, round((l.level * t.factor * (0.9 + random() * 0.2))::numeric, 2),
       ARRAY[format('https://img.example.com/rooms/%s/%s.jpg', l.hotel_id, lower(t.type))]::varchar[],
       t.amenities::varchar[], 5 + floor(random() * 16)::int, t.capacity
FROM bench_level l
CROSS JOIN (VALUES ('Standard', 1.0, 2, ARRAY['tv']),
                   ('Double',   1.3, 2, ARRAY['tv', 'minibar']),
                   ('Deluxe',   1.8, 3, ARRAY['tv', 'minibar', 'view']),
                   ('Family',   2.2, 4, ARRAY['tv', 'kitchenette']),
                   ('Suite',    3.0, 4, ARRAY['tv', 'minibar', 'view', 'bathtub'])) AS t(type, factor, capacity, amenities)
ORDER BY l.hotel_id, t.factor;

-- Every room type has its default rate plan, as one created through the API would (search prices through plans).
INSERT INTO rate_plan (hotel_id, room_id, name, code, meal_plan, price_rule, is_default)
SELECT hotel_id, id, 'Standard', 'STANDARD', 'ROOM_ONLY', 'PERCENT:0', true FROM room
ON CONFLICT DO NOTHING;

-- 365 nights per room. Variation so that search has to price and filter:
--   * Friday and Saturday nights cost 15 % more (a per-night price override);
--   * 15 % of nights carry a surge factor of 1.10..1.50;
--   * Suites only: 10 % of nights closed and 5 % sold out (book_count = total_count), so a 3-night stay often
--     disqualifies the suite. The other four types stay open, and POST /bookings/init targets only them.
INSERT INTO inventory (hotel_id, room_id, date, book_count, total_count, surge_factor, price, closed)
SELECT r.hotel_id, r.id, n.d,
       CASE WHEN r.type = 'Suite' AND random() < 0.05 THEN r.total_count ELSE 0 END,
       r.total_count,
       CASE WHEN random() < 0.15 THEN 1.10 + floor(random() * 5) / 10 ELSE 1.00 END,
       CASE WHEN extract(isodow FROM n.d) IN (5, 6) THEN round(r.base_price * 1.15, 2) ELSE r.base_price END,
       r.type = 'Suite' AND random() < 0.10
FROM room r
JOIN hotel h ON h.id = r.hotel_id AND h.name LIKE 'Bench Hotel %'
CROSS JOIN (SELECT (bench_today.d + k) AS d FROM bench_today, generate_series(0, 364) k) n;

-- Taxes as a European city hotel has them: VAT included in the price, a city tax per adult and night on top
-- (quotes, hotel info and init price them). Friday arrivals need two nights (a 3-night stay satisfies it).
UPDATE hotel SET taxes = '[{"name": "VAT", "kind": "PERCENT", "value": "10", "included": true},
                           {"name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": "2", "included": false}]'
WHERE name LIKE 'Bench Hotel %';
UPDATE inventory SET min_stay = 2 WHERE extract(isodow FROM date) = 5;
COMMIT;

VACUUM (ANALYZE) hotel;
VACUUM (ANALYZE) room;
VACUUM (ANALYZE) inventory;
