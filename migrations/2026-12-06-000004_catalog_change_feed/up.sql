-- Catalog change feed: every statement that changes a hotel, its room types, rate plans or inventory nights
-- (prices, restrictions, counts held or booked) notifies channel `staybook_catalog` on commit with the ids of the
-- hotels it touched ("12,40"), or "*" when they would not fit a notification. Replicas LISTEN and drop what they
-- keep in memory for those hotels (adapter_postgres::changes). Statement-level triggers with transition tables:
-- one notification per statement whatever its row count, and PostgreSQL folds equal payloads of a transaction.

CREATE FUNCTION notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER hotel_change_ins AFTER INSERT ON hotel REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER hotel_change_upd AFTER UPDATE ON hotel REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER hotel_change_del AFTER DELETE ON hotel REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();

CREATE TRIGGER room_change_ins AFTER INSERT ON room REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER room_change_upd AFTER UPDATE ON room REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER room_change_del AFTER DELETE ON room REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();

CREATE TRIGGER rate_plan_change_ins AFTER INSERT ON rate_plan REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER rate_plan_change_upd AFTER UPDATE ON rate_plan REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER rate_plan_change_del AFTER DELETE ON rate_plan REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();

CREATE TRIGGER inventory_change_ins AFTER INSERT ON inventory REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER inventory_change_upd AFTER UPDATE ON inventory REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER inventory_change_del AFTER DELETE ON inventory REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
