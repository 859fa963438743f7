-- Back to 000006's feed trigger and 000007's SQL function.
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

CREATE OR REPLACE FUNCTION outbox_booking_data(b booking, previous text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'booking_id', b.id, 'user_id', b.user_id, 'guest_email', u.email, 'guest_name', u.name,
        'hotel_id', b.hotel_id, 'hotel_name', h.name, 'room_id', b.room_id, 'room_type', r.type,
        'check_in_date', b.check_in_date, 'check_out_date', b.check_out_date, 'nights', b.nights,
        'rooms_count', b.rooms_count, 'adults', b.adults, 'status', b.booking_status, 'previous_status', previous,
        'amount', b.amount, 'subtotal', b.subtotal, 'currency', b.currency, 'charges', b.charges,
        'cancellation_policy', b.cancellation_policy, 'cancellation_deadline', b.cancel_deadline,
        'time_zone', b.time_zone, 'rate_plan_id', b.rate_plan_id, 'expires_at', b.expires_at,
        'penalty_amount', b.penalty_amount, 'refund_amount', b.refund_amount, 'refund_status', b.refund_status)
    FROM (SELECT 1) one
    LEFT JOIN app_user u ON u.id = b.user_id
    LEFT JOIN hotel h ON h.id = b.hotel_id
    LEFT JOIN room r ON r.id = b.room_id
$$;
