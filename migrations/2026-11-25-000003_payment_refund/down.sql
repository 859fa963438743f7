DROP TABLE IF EXISTS payment_refund;
