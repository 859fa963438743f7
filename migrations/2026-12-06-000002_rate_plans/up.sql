-- Rate plans: the ways a room type is sold. Every room type has exactly one default plan ("Standard", the room's
-- own price, the hotel's policy); bookings record the plan they were made on. Price rules and policies are
-- stored in the domain's spellings (PriceRule::encode, CancellationPolicy::encode).
CREATE TABLE rate_plan (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotel_id bigint NOT NULL REFERENCES hotel ON DELETE CASCADE,
    room_id bigint NOT NULL REFERENCES room ON DELETE CASCADE,
    name varchar(255) NOT NULL CHECK (length(name) >= 1),
    code varchar(32) NOT NULL CHECK (length(code) >= 1),
    meal_plan varchar(16) NOT NULL CHECK (meal_plan IN ('ROOM_ONLY', 'BREAKFAST', 'HALF_BOARD', 'FULL_BOARD')),
    price_rule varchar(64) NOT NULL,
    min_stay integer CHECK (min_stay >= 1),
    max_stay integer CHECK (max_stay >= 1),
    active boolean NOT NULL DEFAULT true,
    is_default boolean NOT NULL DEFAULT false,
    cancellation_policy varchar(64),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rate_plan_code_unique UNIQUE (room_id, code)
);
CREATE UNIQUE INDEX rate_plan_one_default_idx ON rate_plan (room_id) WHERE is_default;
CREATE INDEX rate_plan_hotel_idx ON rate_plan (hotel_id, room_id, id);
CREATE TRIGGER rate_plan_updated_at BEFORE UPDATE ON rate_plan FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO rate_plan (hotel_id, room_id, name, code, meal_plan, price_rule, is_default)
SELECT hotel_id, id, 'Standard', 'STANDARD', 'ROOM_ONLY', 'PERCENT:0', true FROM room;

-- No foreign key: a plan deleted while a hold on it is being written leaves the booking with its frozen price.
ALTER TABLE booking ADD COLUMN rate_plan_id bigint;
CREATE INDEX booking_rate_plan_active_idx ON booking (rate_plan_id) WHERE booking_status NOT IN ('CANCELLED', 'EXPIRED');
