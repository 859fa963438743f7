-- Group commit of holds (docs/PERFORMANCE.md §12): one statement reserves the nights of several room types, so a
-- hold's change-feed notice with counts (000008) becomes one notice per room type. Everything else is as in 000008.
CREATE OR REPLACE FUNCTION notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
    first_date date;
    last_date date;
BEGIN
    -- Holds (`SET LOCAL staybook.feed = 'counts'`) tell each room type's nights with their counts after them, one
    -- notice per room type: "counts:<hotel>:<room>:<date>=<booked>,<held>,<total>;…" in date order, which a replica
    -- applies without reading the nights back. A batch of holds (group commit) changes several room types in one
    -- statement. When a room type has more than 100 nights in the statement, the usual notice below instead.
    -- (Nested IFs: an expression is planned whole, and other tables' transition tables have no room_id.)
    IF TG_TABLE_NAME = 'inventory' AND current_setting('staybook.feed', true) = 'counts' THEN
        IF NOT EXISTS (SELECT 1 FROM changed GROUP BY room_id HAVING count(*) > 100) THEN
            PERFORM pg_notify('staybook_catalog',
                              format('counts:%s:%s:', min(hotel_id), room_id)
                              || string_agg(format('%s=%s,%s,%s', date, book_count, reserved_count, total_count),
                                            ';' ORDER BY date))
            FROM changed GROUP BY room_id;
            RETURN NULL;
        END IF;
    END IF;
    IF TG_TABLE_NAME = 'hotel' THEN
        SELECT string_agg(DISTINCT id::text, ',') INTO ids FROM changed;
    ELSIF TG_TABLE_NAME = 'inventory' THEN
        SELECT string_agg(format('%s:%s:%s', hotel_id, lo, hi), ',') INTO ids
        FROM (SELECT hotel_id, min(date) AS lo, max(date) AS hi FROM changed GROUP BY hotel_id) g;
        IF length(ids) > 7900 THEN
            SELECT min(date), max(date) INTO first_date, last_date FROM changed;
            ids := format('*:%s:%s', first_date, last_date);
        END IF;
    ELSE
        SELECT string_agg(DISTINCT hotel_id::text, ',') INTO ids FROM changed;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(ids) > 7900 THEN
        ids := '*';
    END IF;
    PERFORM pg_notify('staybook_catalog', ids);
    RETURN NULL;
END
$$;
