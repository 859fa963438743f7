-- Hotels get a local time zone, a currency, check-in/out times and a cancellation policy; bookings freeze the zone,
-- the policy and its deadline at init, and record what a cancel kept and refunded.
-- Policies are stored in the domain's compact spelling (CancellationPolicy::encode): NON_REFUNDABLE,
-- FREE:<hours>:FULL, FREE:<hours>:NIGHTS:<n>, FREE:<hours>:PERCENT:<p>.
ALTER TABLE hotel
    ADD COLUMN time_zone varchar(64) NOT NULL DEFAULT 'UTC',
    -- NULL only for hotels created before this migration, until the next start fills in the deployment's CURRENCY.
    ADD COLUMN currency char(3) CHECK (currency = upper(currency)),
    ADD COLUMN check_in_time time NOT NULL DEFAULT '15:00',
    ADD COLUMN check_out_time time NOT NULL DEFAULT '11:00',
    ADD COLUMN cancellation_policy varchar(64) NOT NULL DEFAULT 'FREE:0:FULL';

ALTER TABLE booking
    ADD COLUMN time_zone varchar(64) NOT NULL DEFAULT 'UTC',
    ADD COLUMN cancellation_policy varchar(64) NOT NULL DEFAULT 'FREE:0:FULL',
    ADD COLUMN cancel_deadline timestamptz,
    ADD COLUMN penalty_amount numeric(12,2) CHECK (penalty_amount >= 0),
    ADD COLUMN refund_amount numeric(12,2) CHECK (refund_amount >= 0);

-- Existing bookings keep today's rule: free cancellation until the (UTC) check-in date at 15:00.
UPDATE booking SET cancel_deadline = (check_in_date + time '15:00') AT TIME ZONE 'UTC';
