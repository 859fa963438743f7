-- The two largest PostgreSQL costs of booking init under load (docs/PERFORMANCE.md §11):
-- 1. Every replica's read model read a hold's nights back after hearing of them (a quarter of PostgreSQL's time
--    under an init load): a hold's notification now carries its nights' counts, which replicas apply as they are.
-- 2. outbox_booking_data becomes PL/pgSQL: a SQL function called from a trigger is parsed and planned again on
--    every call (PostgreSQL 15); a PL/pgSQL one keeps its plan for the session. Same result.
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

CREATE OR REPLACE FUNCTION outbox_booking_data(b booking, previous text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
    result jsonb;
BEGIN
    SELECT jsonb_build_object(
        'booking_id', b.id, 'user_id', b.user_id, 'guest_email', u.email, 'guest_name', u.name,
        'hotel_id', b.hotel_id, 'hotel_name', h.name, 'room_id', b.room_id, 'room_type', r.type,
        'check_in_date', b.check_in_date, 'check_out_date', b.check_out_date, 'nights', b.nights,
        'rooms_count', b.rooms_count, 'adults', b.adults, 'status', b.booking_status, 'previous_status', previous,
        'amount', b.amount, 'subtotal', b.subtotal, 'currency', b.currency, 'charges', b.charges,
        'cancellation_policy', b.cancellation_policy, 'cancellation_deadline', b.cancel_deadline,
        'time_zone', b.time_zone, 'rate_plan_id', b.rate_plan_id, 'expires_at', b.expires_at,
        'penalty_amount', b.penalty_amount, 'refund_amount', b.refund_amount, 'refund_status', b.refund_status)
    INTO result
    FROM (SELECT 1) one
    LEFT JOIN app_user u ON u.id = b.user_id
    LEFT JOIN hotel h ON h.id = b.hotel_id
    LEFT JOIN room r ON r.id = b.room_id;
    RETURN result;
END
$$;
