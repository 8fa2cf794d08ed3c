"""Money in and out of a booking: Stripe PaymentIntents, manual payments, refunds, webhook events.

A booking's `payment_status` / `payment_method` are derived here from its Payment rows minus its
Refund rows (status.refresh_payment_status); nothing else writes them. Stripe calls after commit
are outbox jobs (jobs.py).
"""
