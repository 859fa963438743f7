-- The transactional outbox (issue 14, docs/EVENTS.md): every booking transition, refund outcome, inventory / price
-- / restriction change and hotel / room / rate plan change writes an event row in the transaction that makes the
-- change (row and statement triggers, so no write path can forget one). A relay publishes the rows to NATS
-- JetStream in `seq` order and marks them; the audit history endpoints read the same rows.
CREATE TABLE outbox_event (
    -- Publication order; also the aggregate's version (strictly increasing per aggregate: every write to an
    -- aggregate holds its row locks while its event is numbered; not contiguous).
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- A random UUID (v4): unique without an index of its own (nothing looks events up by it; consumers dedupe on it).
    event_id uuid NOT NULL DEFAULT gen_random_uuid(),
    event_type varchar(64) NOT NULL,
    aggregate_type varchar(16) NOT NULL,
    aggregate_id bigint NOT NULL,
    hotel_id bigint NOT NULL,
    -- 'user:<id>', 'provider' or 'system'.
    actor varchar(32) NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    data jsonb NOT NULL,
    published_at timestamptz
);
CREATE INDEX outbox_event_unpublished ON outbox_event (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_event_hotel ON outbox_event (hotel_id, seq);
CREATE INDEX outbox_event_aggregate ON outbox_event (aggregate_type, aggregate_id, seq);
-- Pruning by age: rows arrive in time order, so a BRIN index (a few pages, nearly free to maintain) finds them.
CREATE INDEX outbox_event_occurred ON outbox_event USING brin (occurred_at);

-- Who made the change: the transaction's `staybook.actor` setting when the application set one (SET LOCAL), else
-- the fallback the trigger knows.
CREATE FUNCTION outbox_actor(fallback text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT COALESCE(NULLIF(current_setting('staybook.actor', true), ''), fallback)
$$;

-- A booking as its events carry it (what a consumer such as the notifier needs, names included).
CREATE FUNCTION outbox_booking_data(b booking, previous text) RETURNS jsonb LANGUAGE sql STABLE AS $$
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

-- Transitions are deferred to the commit: a transition's later writes in the same transaction (the penalty and
-- refund amounts of a cancellation) are in the data; the status pair is the transition's own. A hold (one INSERT)
-- records its event at once, from the inserted row.
CREATE FUNCTION outbox_booking() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := outbox_actor(CASE WHEN TG_OP = 'INSERT' THEN 'user:' || NEW.user_id ELSE 'system' END);
    cur booking;
    previous text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Not deferred (a hold is one statement): NEW is the row as committed.
        cur := NEW;
    ELSE
        SELECT * INTO cur FROM booking WHERE id = NEW.id;
        IF NOT FOUND THEN
            cur := NEW;
        END IF;
        cur.booking_status := NEW.booking_status;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
        VALUES ('booking.held', 'booking', NEW.id, NEW.hotel_id, actor, outbox_booking_data(cur, NULL));
        RETURN NULL;
    END IF;
    previous := OLD.booking_status::text;
    IF NEW.booking_status IS DISTINCT FROM OLD.booking_status THEN
        INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
        VALUES ('booking.' || CASE NEW.booking_status::text
                    WHEN 'RESERVED' THEN 'reserved' WHEN 'GUESTS_ADDED' THEN 'guests_added'
                    WHEN 'PAYMENTS_PENDING' THEN 'payment_started' WHEN 'CONFIRMED' THEN 'confirmed'
                    WHEN 'CANCELLED' THEN 'cancelled' WHEN 'EXPIRED' THEN 'expired'
                    ELSE lower(NEW.booking_status::text) END,
                'booking', NEW.id, NEW.hotel_id, actor, outbox_booking_data(cur, previous));
    END IF;
    IF NEW.refund_status IS DISTINCT FROM OLD.refund_status AND NEW.refund_status IS NOT NULL THEN
        INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
        VALUES ('booking.refund_' || lower(NEW.refund_status), 'booking', NEW.id, NEW.hotel_id, actor,
                outbox_booking_data(cur, previous));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER booking_outbox_ins AFTER INSERT ON booking FOR EACH ROW EXECUTE FUNCTION outbox_booking();
CREATE CONSTRAINT TRIGGER booking_outbox AFTER UPDATE OF booking_status, refund_status ON booking
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outbox_booking();

-- A payment given back without a booking transition (a stray or duplicate payment): its outcomes.
CREATE FUNCTION outbox_payment_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NULL;
    END IF;
    INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
    SELECT 'booking.payment_refund_' || lower(NEW.status), 'booking', b.id, b.hotel_id, outbox_actor('system'),
           outbox_booking_data(b, b.booking_status::text)
               || jsonb_build_object('payment_refund', jsonb_build_object('id', NEW.id, 'amount', NEW.amount,
                                     'status', NEW.status, 'attempts', NEW.attempts))
    FROM booking b WHERE b.id = NEW.booking_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER payment_refund_outbox AFTER INSERT OR UPDATE OF status ON payment_refund
    FOR EACH ROW EXECUTE FUNCTION outbox_payment_refund();

-- Hotels, room types and rate plans: created (after), updated (the changed fields, before → after, and after),
-- deleted (before). The actor defaults to the hotel's owner: only the owner may change a hotel.
CREATE FUNCTION outbox_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
    row_j jsonb;
    changes jsonb;
    hid bigint;
    owner bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_j := to_jsonb(OLD) - 'created_at' - 'updated_at';
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_j := to_jsonb(NEW) - 'created_at' - 'updated_at';
    END IF;
    row_j := COALESCE(new_j, old_j);
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(n.key, jsonb_build_object('before', o.value, 'after', n.value)) INTO changes
        FROM jsonb_each(new_j) n JOIN jsonb_each(old_j) o USING (key)
        WHERE n.value IS DISTINCT FROM o.value;
        IF changes IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_TABLE_NAME = 'hotel' THEN
        hid := (row_j ->> 'id')::bigint;
        owner := (row_j ->> 'owner_id')::bigint;
    ELSE
        hid := (row_j ->> 'hotel_id')::bigint;
        SELECT h.owner_id INTO owner FROM hotel h WHERE h.id = hid;
    END IF;
    INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
    VALUES (TG_TABLE_NAME || '.' || CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
            TG_TABLE_NAME, (row_j ->> 'id')::bigint, hid,
            outbox_actor(CASE WHEN owner IS NULL THEN 'system' ELSE 'user:' || owner END),
            CASE TG_OP
                WHEN 'INSERT' THEN jsonb_build_object('after', new_j)
                WHEN 'UPDATE' THEN jsonb_build_object('changes', changes, 'after', new_j)
                ELSE jsonb_build_object('before', old_j)
            END);
    RETURN NULL;
END
$$;
CREATE TRIGGER hotel_outbox AFTER INSERT OR UPDATE OR DELETE ON hotel FOR EACH ROW EXECUTE FUNCTION outbox_catalog();
CREATE TRIGGER room_outbox AFTER INSERT OR UPDATE OR DELETE ON room FOR EACH ROW EXECUTE FUNCTION outbox_catalog();
CREATE TRIGGER rate_plan_outbox AFTER INSERT OR UPDATE OR DELETE ON rate_plan
    FOR EACH ROW EXECUTE FUNCTION outbox_catalog();

-- Inventory, one event per room type and statement: nights opened (room creation, the daily top-up), updated
-- (price, surge, total, closure, restrictions: every changed field with its distinct values before and after;
-- changes of the booked and reserved counts are the booking events' business and make none) or removed.
CREATE FUNCTION outbox_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
        SELECT 'inventory.updated', 'room', g.room_id, g.hotel_id,
               outbox_actor(CASE WHEN h.owner_id IS NULL THEN 'system' ELSE 'user:' || h.owner_id END),
               jsonb_build_object('room_id', g.room_id, 'first_date', g.first_date, 'last_date', g.last_date,
                                  'nights', g.nights, 'changes', g.changes)
        FROM (
            SELECT n.room_id, n.hotel_id, min(n.date) AS first_date, max(n.date) AS last_date, count(*) AS nights,
                   jsonb_strip_nulls(jsonb_build_object(
                       'price', CASE WHEN bool_or(n.price IS DISTINCT FROM o.price) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.price) FILTER (WHERE n.price IS DISTINCT FROM o.price),
                           'after', jsonb_agg(DISTINCT n.price) FILTER (WHERE n.price IS DISTINCT FROM o.price)) END,
                       'surge_factor', CASE WHEN bool_or(n.surge_factor IS DISTINCT FROM o.surge_factor) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.surge_factor) FILTER (WHERE n.surge_factor IS DISTINCT FROM o.surge_factor),
                           'after', jsonb_agg(DISTINCT n.surge_factor) FILTER (WHERE n.surge_factor IS DISTINCT FROM o.surge_factor)) END,
                       'total_count', CASE WHEN bool_or(n.total_count IS DISTINCT FROM o.total_count) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.total_count) FILTER (WHERE n.total_count IS DISTINCT FROM o.total_count),
                           'after', jsonb_agg(DISTINCT n.total_count) FILTER (WHERE n.total_count IS DISTINCT FROM o.total_count)) END,
                       'closed', CASE WHEN bool_or(n.closed IS DISTINCT FROM o.closed) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.closed) FILTER (WHERE n.closed IS DISTINCT FROM o.closed),
                           'after', jsonb_agg(DISTINCT n.closed) FILTER (WHERE n.closed IS DISTINCT FROM o.closed)) END,
                       'min_stay', CASE WHEN bool_or(n.min_stay IS DISTINCT FROM o.min_stay) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.min_stay) FILTER (WHERE n.min_stay IS DISTINCT FROM o.min_stay),
                           'after', jsonb_agg(DISTINCT n.min_stay) FILTER (WHERE n.min_stay IS DISTINCT FROM o.min_stay)) END,
                       'max_stay', CASE WHEN bool_or(n.max_stay IS DISTINCT FROM o.max_stay) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.max_stay) FILTER (WHERE n.max_stay IS DISTINCT FROM o.max_stay),
                           'after', jsonb_agg(DISTINCT n.max_stay) FILTER (WHERE n.max_stay IS DISTINCT FROM o.max_stay)) END,
                       'closed_to_arrival', CASE WHEN bool_or(n.closed_to_arrival IS DISTINCT FROM o.closed_to_arrival) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.closed_to_arrival) FILTER (WHERE n.closed_to_arrival IS DISTINCT FROM o.closed_to_arrival),
                           'after', jsonb_agg(DISTINCT n.closed_to_arrival) FILTER (WHERE n.closed_to_arrival IS DISTINCT FROM o.closed_to_arrival)) END,
                       'closed_to_departure', CASE WHEN bool_or(n.closed_to_departure IS DISTINCT FROM o.closed_to_departure) THEN jsonb_build_object(
                           'before', jsonb_agg(DISTINCT o.closed_to_departure) FILTER (WHERE n.closed_to_departure IS DISTINCT FROM o.closed_to_departure),
                           'after', jsonb_agg(DISTINCT n.closed_to_departure) FILTER (WHERE n.closed_to_departure IS DISTINCT FROM o.closed_to_departure)) END
                   )) AS changes
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.price, n.surge_factor, n.total_count, n.closed, n.min_stay, n.max_stay, n.closed_to_arrival,
                   n.closed_to_departure)
                  IS DISTINCT FROM (o.price, o.surge_factor, o.total_count, o.closed, o.min_stay, o.max_stay,
                   o.closed_to_arrival, o.closed_to_departure)
            GROUP BY n.room_id, n.hotel_id
        ) g LEFT JOIN hotel h ON h.id = g.hotel_id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
        SELECT 'inventory.opened', 'room', g.room_id, g.hotel_id,
               outbox_actor(CASE WHEN h.owner_id IS NULL THEN 'system' ELSE 'user:' || h.owner_id END),
               jsonb_build_object('room_id', g.room_id, 'first_date', g.first_date, 'last_date', g.last_date,
                                  'nights', g.nights)
        FROM (SELECT room_id, hotel_id, min(date) AS first_date, max(date) AS last_date, count(*) AS nights
              FROM new_rows GROUP BY room_id, hotel_id) g
        LEFT JOIN hotel h ON h.id = g.hotel_id;
    ELSE
        INSERT INTO outbox_event (event_type, aggregate_type, aggregate_id, hotel_id, actor, data)
        SELECT 'inventory.removed', 'room', g.room_id, g.hotel_id, outbox_actor('system'),
               jsonb_build_object('room_id', g.room_id, 'first_date', g.first_date, 'last_date', g.last_date,
                                  'nights', g.nights)
        FROM (SELECT room_id, hotel_id, min(date) AS first_date, max(date) AS last_date, count(*) AS nights
              FROM old_rows GROUP BY room_id, hotel_id) g;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER inventory_outbox_upd AFTER UPDATE ON inventory REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_inventory();
CREATE TRIGGER inventory_outbox_ins AFTER INSERT ON inventory REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_inventory();
CREATE TRIGGER inventory_outbox_del AFTER DELETE ON inventory REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_inventory();
