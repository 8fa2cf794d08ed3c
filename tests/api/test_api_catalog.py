"""The public catalog: consultation types with prices as money, coaches with their types."""


def test_consultation_types_list_and_detail(client, make_coach, make_type, documented):
    coach = make_coach(display_name_en="Sara")
    ctype = make_type(coaches=[coach], options=[(60, "90", True), (30, "50.5", False)], category="sports")
    make_type(coaches=[coach], is_active=False)
    make_type(category="nutrition", currency="EGP")

    listing = client.get("/api/v1/consultation-types")
    assert listing.status_code == 200
    items = documented(listing, "ConsultationTypeList")["items"]
    assert len(items) == 2  # the inactive one is hidden
    sports = client.get("/api/v1/consultation-types?category=sports").get_json()["items"]
    assert [t["id"] for t in sports] == [ctype.id]
    assert [t["id"] for t in client.get(f"/api/v1/consultation-types?coach={coach.id}").get_json()["items"]] == [ctype.id]

    detail = documented(client.get(f"/api/v1/consultation-types/{ctype.id}"), "ConsultationType")
    assert detail["durations"] == [
        {"minutes": 30, "price": {"amount": "50.50", "currency": "USD"}, "is_default": False},
        {"minutes": 60, "price": {"amount": "90.00", "currency": "USD"}, "is_default": True}]
    assert detail["coach_ids"] == [coach.id] and detail["title"]["ar"].startswith("استشارة")


def test_unknown_or_inactive_type_is_404(client, make_type):
    hidden = make_type(is_active=False)
    for path in (f"/api/v1/consultation-types/{hidden.id}", "/api/v1/consultation-types/99999"):
        response = client.get(path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_coaches_list_and_detail(client, make_coach, make_type, documented):
    sara, omar = make_coach(display_name_en="Sara"), make_coach(display_name_en="Omar", timezone="Africa/Cairo")
    make_coach(display_name_en="Gone", is_active=False)
    ctype = make_type(coaches=[sara])
    items = documented(client.get("/api/v1/coaches"), "CoachList")["items"]
    assert [c["display_name"]["en"] for c in items] == ["Omar", "Sara"]
    assert [c["id"] for c in client.get(f"/api/v1/coaches?type={ctype.id}").get_json()["items"]] == [sara.id]
    detail = documented(client.get(f"/api/v1/coaches/{omar.id}"), "Coach")
    assert detail["timezone"] == "Africa/Cairo" and detail["slug"] == "omar"
    assert client.get("/api/v1/coaches/99999").status_code == 404
