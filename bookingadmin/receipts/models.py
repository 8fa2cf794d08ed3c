"""Numbered receipts, rendered to PDF from a frozen snapshot.

Numbers are sequential per calendar year with no gaps: `ReceiptCounter` holds the last number of a
year and is locked FOR UPDATE while a receipt row takes the next one, in the same transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.policy import owned_like
from ..bookings.models import Booking
from ..core.clock import utcnow
from ..core.types import UTCDateTime
from ..extensions import db


class ReceiptCounter(db.Model):
    __tablename__ = "receipt_counters"
    __table_args__ = (CheckConstraint("last_number >= 0", name="last_number"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Receipt(db.Model):
    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_receipts_year_sequence"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        Index("ix_receipts_booking", "booking_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # R-2026-000042
    year: Mapped[int]
    sequence: Mapped[int]
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    # The payment it acknowledges; none for a booking marked paid without a Payment row.
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"), unique=True)
    # Everything printed on it, frozen when it was issued; refunds add credit lines ("credits").
    snapshot: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Bumped when the snapshot changes (a credit line); the PDF is current when they match.
    revision: Mapped[int] = mapped_column(default=1)
    rendered_revision: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking = relationship("Booking")

    @property
    def is_rendered(self) -> bool:
        return self.rendered_revision >= self.revision

    def __str__(self) -> str:
        return self.number


owned_like(Receipt, Receipt.booking_id, Booking)
