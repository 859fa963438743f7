-- An inventory statement over more hotels than a notification can list (the daily window top-up touches every
-- hotel) says which dates it touched: "*:2027-12-06:2027-12-06" (every hotel's nights in that range), so replicas
-- re-read those nights rather than their whole catalog. Other tables still send "*" when their list is too long.
CREATE OR REPLACE FUNCTION notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
    first_date date;
    last_date date;
BEGIN
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
