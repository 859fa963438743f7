DROP TABLE IF EXISTS simulated_checkout_session, login_throttle, processed_webhook_event, idempotency_key,
    refresh_token, booking_guest, guest, booking, inventory, room, hotel, app_user CASCADE;
DROP FUNCTION IF EXISTS round_half_even(numeric);
DROP FUNCTION IF EXISTS set_updated_at();
DROP TYPE IF EXISTS bookingstatus;
DROP TYPE IF EXISTS gender;
