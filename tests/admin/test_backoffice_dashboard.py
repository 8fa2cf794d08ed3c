"""The dashboard at /admin: today, the week ahead, what waits, money (admins only)."""
from __future__ import annotations

import re
from datetime import timedelta

from bookingadmin.core.clock import utcnow
from tests.factories import local_time


def section(page: str, element_id: str) -> str:
    return page.split(f'id="{element_id}"', 1)[1].split('<div class="card mb-3"', 1)[0]


def test_dashboard_shows_today_the_week_and_what_waits(office, make_booking, login, client):
    today = make_booking("confirmed", starts_at=local_time(office.coach, days=0, at="09:00"))
    later = make_booking("confirmed", starts_at=local_time(office.coach, days=3, at="16:00"))
    older = make_booking("pending_confirmation", now=utcnow() - timedelta(hours=5))
    newer = make_booking("pending_confirmation", now=utcnow() - timedelta(hours=1))
    hold = make_booking("pending_payment")
    login(office.admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert today.number in section(page, "today-schedule") and later.number not in section(page, "today-schedule")
    week = section(page, "next-days")
    assert later.number in week
    day = later.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Riyadh")).date().isoformat()
    assert re.search(rf'data-day="{day}">\s*<div[^>]*>[^<]*</div>\s*<div class="h5 mb-0">[1-9]', week)
    pending = section(page, "pending-confirmations")
    assert pending.index(older.number) < pending.index(newer.number)  # oldest first
    assert hold.number in section(page, "expiring-holds")


def test_revenue_and_popular_types_for_admins_only(office, make_booking, login, client):
    make_booking("completed", starts_at=local_time(office.coach, days=0, at="08:00"))  # paid in cash by the factory
    login(office.admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'data-currency="USD">90.00 USD' in section(page, "month-revenue")
    assert office.cat.paid.title_en in section(page, "popular-types")
    login(office.support)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="month-revenue"' not in page and 'id="pending-confirmations"' in page


def test_a_coach_dashboard_lists_only_their_bookings(office, make_booking, login, client):
    mine = make_booking("pending_confirmation")
    theirs = make_booking("pending_confirmation", coach=office.other_coach)
    login(office.cat.coach_user)
    page = client.get("/admin/").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page
