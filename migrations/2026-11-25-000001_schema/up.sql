-- staybook schema (API.md §5). One migration: the whole data model.

CREATE TYPE gender AS ENUM ('MALE', 'FEMALE');
CREATE TYPE bookingstatus AS ENUM ('RESERVED', 'GUESTS_ADDED', 'PAYMENTS_PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED');

-- Sets updated_at on every update.
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- Rounds half-even to cents (PostgreSQL's round() rounds half away from zero). Inlined by the planner.
CREATE FUNCTION round_half_even(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN abs(x * 100 - trunc(x * 100)) = 0.5 AND mod(trunc(x * 100), 2) = 0 THEN round(trunc(x * 100) / 100, 2)
        ELSE round(x, 2)
    END
$$;

CREATE TABLE app_user (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(254) NOT NULL UNIQUE CHECK (email = lower(btrim(email))),
    password varchar(255) NOT NULL,
    name varchar(255),
    date_of_birth date,
    gender gender,
    roles varchar[] NOT NULL DEFAULT '{GUEST}'
        CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['GUEST','HOTEL_MANAGER']::varchar[]),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER app_user_updated_at BEFORE UPDATE ON app_user FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE hotel (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(255) NOT NULL CHECK (length(name) >= 1),
    city varchar(255),
    photos varchar(2048)[] CHECK (cardinality(photos) <= 20),
    amenities varchar(64)[] CHECK (cardinality(amenities) <= 50),
    contact_phone varchar(50),
    contact_email varchar(254),
    contact_address varchar(500),
    active boolean NOT NULL DEFAULT false,
    owner_id bigint NOT NULL REFERENCES app_user,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hotel_city_lower_idx ON hotel (lower(city)) WHERE active;
CREATE INDEX hotel_owner_idx ON hotel (owner_id, id);
CREATE TRIGGER hotel_updated_at BEFORE UPDATE ON hotel FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE room (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotel_id bigint NOT NULL REFERENCES hotel ON DELETE CASCADE,
    type varchar(255) NOT NULL CHECK (length(type) >= 1),
    base_price numeric(10,2) NOT NULL CHECK (base_price > 0 AND base_price <= 1000000),
    photos varchar(2048)[],
    amenities varchar(64)[],
    total_count integer NOT NULL CHECK (total_count BETWEEN 0 AND 10000),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 20),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_hotel_idx ON room (hotel_id, id);
CREATE TRIGGER room_updated_at BEFORE UPDATE ON room FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE inventory (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotel_id bigint NOT NULL REFERENCES hotel ON DELETE CASCADE,
    room_id bigint NOT NULL REFERENCES room ON DELETE CASCADE,
    date date NOT NULL,
    book_count integer NOT NULL DEFAULT 0 CHECK (book_count >= 0),
    reserved_count integer NOT NULL DEFAULT 0 CHECK (reserved_count >= 0),
    total_count integer NOT NULL CHECK (total_count BETWEEN 0 AND 10000),
    surge_factor numeric(5,2) NOT NULL DEFAULT 1.00 CHECK (surge_factor BETWEEN 0.10 AND 10.00),
    price numeric(10,2) NOT NULL CHECK (price > 0 AND price <= 1000000),
    closed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inventory_room_date_key UNIQUE (room_id, date),
    CONSTRAINT inventory_counts_check CHECK (book_count + reserved_count <= total_count)
);
CREATE INDEX inventory_hotel_date_idx ON inventory (hotel_id, date);
CREATE TRIGGER inventory_updated_at BEFORE UPDATE ON inventory FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE booking (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user,
    hotel_id bigint NOT NULL REFERENCES hotel,
    room_id bigint NOT NULL REFERENCES room,
    rooms_count integer NOT NULL CHECK (rooms_count BETWEEN 1 AND 10),
    check_in_date date NOT NULL,
    check_out_date date NOT NULL,
    nights integer NOT NULL,
    booking_status bookingstatus NOT NULL DEFAULT 'RESERVED',
    amount numeric(12,2) NOT NULL CHECK (amount >= 0),
    currency char(3) NOT NULL CHECK (currency = upper(currency)),
    expires_at timestamptz,
    payment_attempt integer NOT NULL DEFAULT 0,
    payment_started_at timestamptz,
    payment_session_id varchar(255) UNIQUE,
    payment_session_url text,
    payment_intent_id varchar(255),
    refund_status varchar(16) CHECK (refund_status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    refund_id varchar(255),
    refund_attempts integer NOT NULL DEFAULT 0,
    confirmed_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_dates_check CHECK (check_out_date > check_in_date),
    CONSTRAINT booking_nights_check CHECK (nights = check_out_date - check_in_date)
);
CREATE INDEX booking_user_idx ON booking (user_id, id DESC);
CREATE INDEX booking_hotel_idx ON booking (hotel_id, id DESC);
CREATE INDEX booking_hotel_confirmed_idx ON booking (hotel_id, check_in_date) WHERE booking_status = 'CONFIRMED';
CREATE INDEX booking_room_active_idx ON booking (room_id) WHERE booking_status NOT IN ('CANCELLED', 'EXPIRED');
CREATE INDEX booking_hold_expiry_idx ON booking (expires_at)
    WHERE booking_status IN ('RESERVED', 'GUESTS_ADDED', 'PAYMENTS_PENDING');
CREATE INDEX booking_refund_pending_idx ON booking (id) WHERE refund_status = 'PENDING';
CREATE TRIGGER booking_updated_at BEFORE UPDATE ON booking FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE guest (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user,
    name varchar(255) NOT NULL CHECK (length(name) >= 1),
    gender gender NOT NULL,
    age integer CHECK (age BETWEEN 0 AND 150),
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guest_user_live_idx ON guest (user_id, id) WHERE deleted_at IS NULL;
CREATE TRIGGER guest_updated_at BEFORE UPDATE ON guest FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE booking_guest (
    booking_id bigint NOT NULL REFERENCES booking ON DELETE CASCADE,
    guest_id bigint NOT NULL REFERENCES guest,
    PRIMARY KEY (booking_id, guest_id)
);
CREATE INDEX booking_guest_guest_idx ON booking_guest (guest_id);

CREATE TABLE refresh_token (
    jti uuid PRIMARY KEY,
    family_id uuid NOT NULL,
    user_id bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    replaced_by uuid,
    revoked_at timestamptz
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);
CREATE INDEX refresh_token_user_idx ON refresh_token (user_id);

CREATE TABLE idempotency_key (
    user_id bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    key varchar(255) NOT NULL,
    method varchar(8) NOT NULL,
    path varchar(255) NOT NULL,
    fingerprint bytea NOT NULL,
    state varchar(16) NOT NULL CHECK (state IN ('IN_FLIGHT', 'COMPLETED')),
    locked_until timestamptz,
    response_status smallint,
    response_body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
CREATE TRIGGER idempotency_key_updated_at BEFORE UPDATE ON idempotency_key FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE processed_webhook_event (
    event_id varchar(255) PRIMARY KEY,
    event_type varchar(100) NOT NULL,
    booking_id bigint,
    outcome varchar(32) NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_webhook_event_received_idx ON processed_webhook_event (received_at);

CREATE TABLE login_throttle (
    email varchar(254) PRIMARY KEY,
    window_started_at timestamptz NOT NULL,
    failures integer NOT NULL CHECK (failures >= 0)
);

CREATE TABLE simulated_checkout_session (
    id varchar(64) PRIMARY KEY,
    booking_id bigint NOT NULL REFERENCES booking ON DELETE CASCADE,
    amount numeric(12,2) NOT NULL,
    currency char(3) NOT NULL,
    status varchar(16) NOT NULL CHECK (status IN ('OPEN', 'COMPLETE', 'CANCELLED', 'EXPIRED')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX simulated_checkout_session_booking_idx ON simulated_checkout_session (booking_id);
CREATE TRIGGER simulated_checkout_session_updated_at BEFORE UPDATE ON simulated_checkout_session
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
