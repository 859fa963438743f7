-- Back to 000008's feed trigger (one counts notice only when a statement changed one room type).
CREATE OR REPLACE FUNCTION notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
    first_date date;
    last_date date;
BEGIN
    -- A hold (`SET LOCAL staybook.feed = 'counts'`) tells its room type's nights with their counts after it:
    -- "counts:<hotel>:<room>:<date>=<booked>,<held>,<total>;…" in date order, which a replica applies without
    -- reading the nights back. Only for one room type and at most 100 nights; otherwise the usual notice below.
    IF TG_TABLE_NAME = 'inventory' AND current_setting('staybook.feed', true) = 'counts' THEN
        SELECT CASE WHEN count(DISTINCT room_id) = 1 AND count(*) <= 100 THEN
                   format('counts:%s:%s:', min(hotel_id), min(room_id))
                   || string_agg(format('%s=%s,%s,%s', date, book_count, reserved_count, total_count), ';'
                                 ORDER BY date)
               END INTO ids
        FROM changed;
        IF ids IS NOT NULL THEN
            PERFORM pg_notify('staybook_catalog', ids);
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
