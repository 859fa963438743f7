-- Refunds of extra payments: a second paid checkout session of a booking already confirmed through another one.
-- Kept apart from the booking's own refund (booking.refund_status); no FK, so history survives deletes.
CREATE TABLE payment_refund (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id bigint NOT NULL,
    payment_intent_id varchar(255),
    session_id varchar(255),
    amount numeric(12,2) NOT NULL CHECK (amount >= 0),
    idempotency_key varchar(255) NOT NULL UNIQUE,
    status varchar(16) NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts integer NOT NULL DEFAULT 0,
    refund_id varchar(255),
    last_attempt_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_refund_pending_idx ON payment_refund (id) WHERE status = 'PENDING';
CREATE INDEX payment_refund_booking_idx ON payment_refund (booking_id);
CREATE TRIGGER payment_refund_updated_at BEFORE UPDATE ON payment_refund FOR EACH ROW EXECUTE FUNCTION set_updated_at();
