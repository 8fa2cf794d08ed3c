"""Money in and out of a booking: Stripe PaymentIntents, manual payments, refunds, webhook events.

A booking's `payment_status` / `payment_method` are derived here from its Payment rows minus its
Refund rows (services.refresh_payment_status); nothing else writes them.
"""
