"""The display layer: which zone a reader sees, how an instant is written, the status words."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_login import login_user

from bookingadmin.core.display import (choose_zone, format_instant, format_local, payment_label, status_label,
                                       viewer_zone_name)

MOMENT = datetime(2026, 3, 3, 12, 30, tzinfo=timezone.utc)  # 14:30 in Cairo, 15:30 in Riyadh


@pytest.mark.parametrize("zones, expected", [
    (("Europe/London", "Asia/Dubai", "Africa/Cairo"), "Europe/London"),
    (("Mars/Olympus", "Asia/Dubai", "Africa/Cairo"), "Asia/Dubai"),
    ((None, None, "Africa/Cairo"), "Africa/Cairo"),
    ((None, "", None), "Asia/Riyadh"),
], ids=["explicit wins", "then the account", "then the booking", "then the business default"])
def test_zone_precedence(app, zones, expected):
    with app.app_context():
        assert choose_zone(*zones) == expected


def test_a_page_uses_the_chosen_zone_then_the_account_then_the_booking(app, make_user):
    with app.test_request_context("/"):
        assert viewer_zone_name(booking_zone="Africa/Cairo") == "Africa/Cairo"  # nobody signed in
        assert viewer_zone_name() == app.config["DEFAULT_TIMEZONE"]
        login_user(make_user(timezone="Asia/Dubai"))
        assert viewer_zone_name(booking_zone="Africa/Cairo") == "Asia/Dubai"
        assert viewer_zone_name("Not/AZone") == "Asia/Dubai"
        assert viewer_zone_name("Europe/Berlin") == "Europe/Berlin"
        assert viewer_zone_name() == "Europe/Berlin"  # the choice is remembered for the session


def test_one_formatter_in_each_language(app):
    with app.app_context():
        assert format_instant(MOMENT, "Africa/Cairo", language="en") == "Tuesday, March 3, 2026 · 2:30\u202fPM"
        assert format_instant(MOMENT, "Africa/Cairo", language="ar") == "الثلاثاء، 3 مارس 2026 · 2:30 م"
        assert format_instant(MOMENT, "Asia/Riyadh", "time", language="en", with_zone=True) == "3:30\u202fPM (Asia/Riyadh)"
        assert format_instant(MOMENT, "Asia/Riyadh", "day", language="ar") == "3 مارس 2026"
        assert format_instant(None, "Asia/Riyadh") == ""


def test_back_office_patterns_render_through_the_same_formatter(app):
    with app.test_request_context("/"):
        zone = ZoneInfo("Africa/Cairo")
        assert format_local(MOMENT, zone=zone) == "Tue 03 Mar 2026 14:30"
        assert format_local(MOMENT, "%Y-%m-%d %H:%M:%S", zone) == "2026-03-03 14:30:00"
        assert format_local(MOMENT, "%d %b, at %H:%M", zone) == "03 Mar, at 14:30"
        with force_locale("ar"):
            assert format_local(MOMENT, "%a %H:%M", zone) == "الثلاثاء 14:30"


def test_status_words_come_from_the_catalog(app):
    with app.test_request_context("/"):
        assert status_label("pending_confirmation") == "Awaiting confirmation"
        assert payment_label("partially_refunded") == "Partially refunded"
        assert status_label("something_new") == "something_new"
        with force_locale("ar"):
            assert status_label("pending_confirmation") == "بانتظار التأكيد"
            assert status_label("cancelled") == "ملغى"


def test_every_template_gets_the_same_helpers(app):
    with app.test_request_context("/"), force_locale("ar"):
        html = render_template_string("{{ status_label('confirmed') }}|{{ moment|instant('Africa/Cairo', 'time') }}|"
                                      "{{ amount|money('SAR') }}|{{ meeting_label('online') }}",
                                      moment=MOMENT, amount=1500)
        assert html == "مؤكد|2:30 م|1,500.00 SAR|عبر الإنترنت"
