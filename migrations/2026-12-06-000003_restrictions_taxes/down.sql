ALTER TABLE booking DROP COLUMN charges, DROP COLUMN subtotal, DROP COLUMN adults;
ALTER TABLE hotel DROP COLUMN taxes;
ALTER TABLE inventory
    DROP COLUMN closed_to_departure, DROP COLUMN closed_to_arrival, DROP COLUMN max_stay, DROP COLUMN min_stay;
