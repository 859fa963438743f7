CREATE OR REPLACE FUNCTION notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    IF TG_TABLE_NAME = 'hotel' THEN
        SELECT string_agg(DISTINCT id::text, ',') INTO ids FROM changed;
    ELSE
        SELECT string_agg(DISTINCT hotel_id::text, ',') INTO ids FROM changed;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(ids) > 7000 THEN
        ids := '*';
    END IF;
    PERFORM pg_notify('staybook_catalog', ids);
    RETURN NULL;
END
$$;
