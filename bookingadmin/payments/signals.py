"""Signals other domains (notifications, receipts) subscribe to.

Both are sent inside the transaction that writes the row, after it is flushed, with the Flask
app as sender. Receivers may only write rows in the same session (outbox entries, receipts);
anything that talks to the network runs after commit.

    payment_recorded.send(app, payment=payment)   # money was taken: a Stripe payment succeeded
                                                   # (captured) or staff recorded cash / a transfer
    refund_issued.send(app, refund=refund)         # money went back: a refund succeeded at Stripe,
                                                   # or a manual refund was recorded
"""
from blinker import Namespace

signals = Namespace()

payment_recorded = signals.signal("payment-recorded")
refund_issued = signals.signal("refund-issued")
