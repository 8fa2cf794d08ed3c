"""The feed secret is stored hashed (like API tokens): the database never holds a working URL, the
URL still opens the feed, a new one replaces it, and migration 0010 hashes the secrets that existed."""
from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from bookingadmin.calendar.services import feed_url, regenerate_feed_token
from bookingadmin.catalog.models import CoachProfile
from bookingadmin.extensions import db


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _secret(url: str) -> str:
    return re.search(r"/calendar/coach/([^/]+)\.ics$", url).group(1)


def _stored(coach_id: int) -> dict:
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT * FROM coach_profiles WHERE id = :id"), {"id": coach_id}).mappings().one())


def test_only_the_secrets_hash_is_stored_and_the_url_works(app, client, make_booking):
    coach = make_booking("confirmed").coach
    url = feed_url(regenerate_feed_token(coach))
    db.session.commit()
    secret = _secret(url)
    row = _stored(coach.id)
    assert secret not in {str(value) for value in row.values()}
    assert row["calendar_token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    response = client.get(_path(url))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert client.get(f"/calendar/coach/{row['calendar_token_hash']}.ics").status_code == 404  # the hash opens nothing


def test_the_back_office_shows_a_new_url_once_and_it_replaces_the_old(app, client, auth, make_booking):
    coach = make_booking("confirmed").coach
    old = feed_url(regenerate_feed_token(coach))
    db.session.commit()
    auth.login(coach.user.email)
    page = client.get("/admin/calendar-feeds/").get_data(as_text=True)
    assert _secret(old) not in page and "stored only as a hash" in page and "Make a new URL" in page
    token = auth.csrf_token("/admin/calendar-feeds/")
    response = client.post(f"/admin/calendar-feeds/{coach.id}/regenerate", data={"csrf_token": token})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = re.search(r'data-testid="new-feed-url">.*?<code>([^<]+)</code>', response.get_data(as_text=True), re.S).group(1)
    assert new.startswith(app.config["APP_BASE_URL"] + "/calendar/coach/")
    assert client.get(_path(new)).status_code == 200
    assert client.get(_path(old)).status_code == 404
    assert _secret(new) not in client.get("/admin/calendar-feeds/").get_data(as_text=True)  # shown once


def test_the_cli_makes_a_url_and_refuses_to_show_an_existing_one(app, client, make_booking):
    coach = make_booking("confirmed").coach
    runner = app.test_cli_runner()
    first = runner.invoke(args=["calendar-feed", coach.user.email])
    assert first.exit_code == 0 and "/calendar/coach/" in first.output
    again = runner.invoke(args=["calendar-feed", coach.slug])
    assert again.exit_code != 0 and "--regenerate" in again.output
    new = runner.invoke(args=["calendar-feed", str(coach.id), "--regenerate"])
    assert new.exit_code == 0 and new.output != first.output
    assert client.get(_path(first.output.strip())).status_code == 404
    assert client.get(_path(new.output.strip())).status_code == 200


def test_migration_0010_hashes_the_secrets_that_existed(app, client, make_booking):
    from flask_migrate import downgrade, upgrade

    coach_id = make_booking("confirmed").coach.id
    db.session.remove()
    downgrade(revision="0010")
    downgrade(revision="-1")  # just below 0010: the secret in clear
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE coach_profiles SET calendar_token = :t WHERE id = :id"),
                     {"t": "an-existing-secret-0123456789abcdef", "id": coach_id})
    upgrade()
    row = _stored(coach_id)
    assert "calendar_token" not in row and "an-existing-secret-0123456789abcdef" not in {str(v) for v in row.values()}
    assert client.get("/calendar/coach/an-existing-secret-0123456789abcdef.ics").status_code == 200
    assert db.session.get(CoachProfile, coach_id).calendar_token_hash == row["calendar_token_hash"]
