"""The bookings list: filters on the viewer's clock, search, keyset pages, capped count, CSV export."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from bookingadmin.admin import keyset
from tests.factories import local_time

NUMBER = re.compile(r'<td class="col-number">\s*<a href="[^"]*">(CB-[0-9A-Z-]+)</a>')


def listed(client, query: str = "") -> list[str]:
    response = client.get("/admin/bookings/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return NUMBER.findall(response.get_data(as_text=True))


def test_status_filter_and_badges(office, make_booking, login, client):
    pending = make_booking("pending_confirmation")
    confirmed = make_booking("confirmed")
    login(office.admin)
    assert listed(client, "flt0_status_equals=pending_confirmation") == [pending.number]
    page = client.get("/admin/bookings/").get_data(as_text=True)
    assert confirmed.number in page
    assert 'class="badge badge-warning" data-status="pending_confirmation"' in page
    assert "Start (Asia/Riyadh)" in page  # the viewer's zone is named in the header


def test_date_filter_reads_the_viewers_local_date(office, make_booking, make_user, login, client):
    # 10:00 in Riyadh is 07:00 UTC, which is still the previous evening in Los Angeles.
    booking = make_booking("confirmed", starts_at=local_time(office.coach, days=4, at="10:00"))
    riyadh_day = booking.starts_at.astimezone(ZoneInfo("Asia/Riyadh")).date()
    day_before = (riyadh_day - timedelta(days=1)).isoformat()
    query = f"flt0_date_between={day_before}+to+{day_before}"
    login(office.admin)  # Asia/Riyadh
    assert listed(client, query) == []
    assert listed(client, f"flt0_date_between={riyadh_day}+to+{riyadh_day}") == [booking.number]
    login(make_user(role="support", timezone="America/Los_Angeles"))
    assert listed(client, query) == [booking.number]


def test_period_filters_upcoming_and_past(office, make_booking, login, client):
    past = make_booking("completed", starts_at=local_time(office.coach, days=-3, at="11:00"))
    coming = make_booking("confirmed")
    login(office.admin)
    assert listed(client, "flt0_when_is=upcoming") == [coming.number]
    assert listed(client, "flt0_when_is=past") == [past.number]
    assert listed(client, "flt0_when_is=today") == []


def test_other_filters(office, make_booking, login, client):
    a = make_booking("confirmed", meeting_type="in_person")
    b = make_booking("confirmed", coach=office.other_coach, ctype=office.cat.approval)
    login(office.admin)
    assert listed(client, "flt0_meeting_type_equals=in_person") == [a.number]
    assert listed(client, f"flt0_coach_equals={office.other_coach.id}") == [b.number]
    assert listed(client, f"flt0_type_equals={office.cat.approval.id}") == [b.number]
    assert sorted(listed(client, "flt0_payment_status_equals=paid")) == sorted([a.number, b.number])
    assert listed(client, "flt0_payment_status_equals=unpaid") == []
    assert listed(client, "flt0_source_equals=api") == []


def test_a_bad_filter_value_is_refused_with_a_message(office, make_booking, login, client):
    booking = make_booking("confirmed")
    login(office.admin)
    response = client.get("/admin/bookings/?flt0_status_equals=bogus&flt1_date_between=2026-13-01+to+x")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Invalid Filter Value" in text
    assert booking.number in text  # the bad filters were ignored, not applied half-way


def test_search_by_number_name_email_and_phone(office, make_booking, make_user, login, client):
    lina = make_user(role="customer", name="Lina Haddad", email="lina.h@example.org", phone="+966555123456")
    hers = make_booking("confirmed", customer=lina)
    other = make_booking("confirmed", customer=make_user(role="customer", email="sam@clinic.example.net"))
    login(office.admin)
    for term in (hers.number, hers.number[-4:].lower(), "haddad", "LINA.H@", "555123", "+966 555 123", "0555123456"):
        assert listed(client, f"search={term}") == [hers.number], term
    assert listed(client, "search=@clinic.example") == [other.number]  # a domain, anywhere in the email
    assert listed(client, "search=nobody-like-this") == []


def test_keyset_pages_walk_forward_and_back_without_gaps(office, make_booking, login, client, monkeypatch):
    from bookingadmin.admin.bookings import BookingView

    monkeypatch.setattr(BookingView, "page_size_options", (5, 20, 50))
    made = [make_booking("confirmed") for _ in range(12)]
    expected = [b.number for b in sorted(made, key=lambda b: (b.starts_at, b.id), reverse=True)]
    login(office.admin)
    pages, url = [], "/admin/bookings/?page_size=5"
    while url:
        text = client.get(url).get_data(as_text=True)
        pages.append(NUMBER.findall(text))
        found = re.search(r'rel="next" href="([^"#]+)"', text)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert [len(p) for p in pages] == [5, 5, 2]
    assert sum(pages, []) == expected
    text = client.get(url or _next_link(client, "/admin/bookings/?page_size=5")).get_data(as_text=True)
    back = re.search(r'rel="prev" href="([^"#]+)"', text).group(1).replace("&amp;", "&")
    assert NUMBER.findall(client.get(back).get_data(as_text=True)) == pages[0]
    assert "12 matching" in client.get("/admin/bookings/").get_data(as_text=True)
    monkeypatch.setattr(keyset, "COUNT_CAP", 10)
    assert "10+ matching" in client.get("/admin/bookings/").get_data(as_text=True)


def _next_link(client, url):
    text = client.get(url).get_data(as_text=True)
    return re.search(r'rel="next" href="([^"#]+)"', text).group(1).replace("&amp;", "&")


def test_sorting_by_number(office, make_booking, login, client):
    made = [make_booking("confirmed") for _ in range(3)]
    login(office.admin)
    column = 0  # "number" is the first column of the list
    assert listed(client, f"sort={column}") == sorted(b.number for b in made)
    assert listed(client, f"sort={column}&desc=1") == sorted((b.number for b in made), reverse=True)


def test_csv_export_follows_the_filters(office, make_booking, login, client):
    pending = make_booking("pending_confirmation")
    make_booking("confirmed")
    login(office.admin)
    response = client.get("/admin/bookings/export/csv/?flt0_status_equals=pending_confirmation")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["number"] for r in rows] == [pending.number]
    row = rows[0]
    assert row["status"] == "pending_confirmation" and row["amount"] == "300.00" and row["currency"] == "USD"
    assert row["starts_at (Asia/Riyadh)"].endswith("+03:00")
    assert row["coach"] == office.coach.display_name_en
