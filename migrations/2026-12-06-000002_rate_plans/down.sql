DROP INDEX booking_rate_plan_active_idx;
ALTER TABLE booking DROP COLUMN rate_plan_id;
DROP TABLE rate_plan;
