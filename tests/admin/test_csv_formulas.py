"""Every CSV the back office serves keeps text as text: a cell a spreadsheet would run as a formula
(=, +, -, @, tab, CR first) comes out with a leading apostrophe; numbers stay numbers."""
from __future__ import annotations

import csv
import io

from bookingadmin.extensions import db

ATTACKS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|'x'!A0",
           "\t=1+1", "\r=1+1")


def _rows(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_bookings_export_neutralises_formulas(office, make_booking, make_user, login, client):
    made = {}
    for n, attack in enumerate(ATTACKS):
        customer = make_user(name=f"Customer {n}", phone="+966501234567")
        customer.name = attack  # stored text, as an older account or an import could hold it
        db.session.commit()
        booking = make_booking("confirmed", customer=customer)
        assert booking.customer_name[0] in "=+-@\t\r"
        made[booking.number] = booking.customer_name
    office.coach.display_name_en = "=IMPORTXML(\"http://evil.example\",\"//a\")"
    db.session.commit()
    login(office.admin)
    rows = {row["number"]: row for row in _rows(client.get("/admin/bookings/export/csv/"))}
    for number, attack in made.items():
        assert rows[number]["customer_name"] == "'" + attack
        assert rows[number]["coach"] == "'=IMPORTXML(\"http://evil.example\",\"//a\")"
        assert rows[number]["customer_phone"].startswith("'+")  # +966... kept as text, not a number
        assert rows[number]["amount"] == "300.00" or not rows[number]["amount"].startswith("'")
        assert rows[number]["customer_email"][0] not in "'=+-@"
