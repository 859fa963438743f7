-- Stay restrictions per room type and night, taxes and fees per hotel, and the price breakdown bookings freeze.
ALTER TABLE inventory
    ADD COLUMN min_stay integer CHECK (min_stay BETWEEN 1 AND 365),
    ADD COLUMN max_stay integer CHECK (max_stay BETWEEN 1 AND 365),
    ADD COLUMN closed_to_arrival boolean NOT NULL DEFAULT false,
    ADD COLUMN closed_to_departure boolean NOT NULL DEFAULT false;

-- [{"name": "VAT", "kind": "PERCENT", "value": "10", "included": false}, ...] in the hotel's order
-- (domain::model::TaxRule; written and read by the adapter only).
ALTER TABLE hotel ADD COLUMN taxes jsonb NOT NULL DEFAULT '[]';

-- subtotal + the charges not included = amount; bookings made before taxes existed have no charges.
ALTER TABLE booking
    ADD COLUMN adults integer,
    ADD COLUMN subtotal numeric(12,2),
    ADD COLUMN charges jsonb NOT NULL DEFAULT '[]';
UPDATE booking SET adults = rooms_count, subtotal = amount;
ALTER TABLE booking
    ALTER COLUMN adults SET NOT NULL,
    ALTER COLUMN subtotal SET NOT NULL,
    ADD CONSTRAINT booking_adults_check CHECK (adults >= 1),
    ADD CONSTRAINT booking_subtotal_check CHECK (subtotal >= 0);
