"""The public catalog: consultation types and coaches (active ones only)."""
from __future__ import annotations

from flask import jsonify

from ...catalog.models import CATEGORIES
from .. import queries, render
from ..routing import PUBLIC, api_route
from ..schemas import Integer, Schema, Text

TYPE_FILTERS = Schema("ConsultationTypeFilters", {
    "category": Text(choices=CATEGORIES, description="only this category"),
    "coach": Integer(minimum=1, description="only types this coach offers"),
})
COACH_FILTERS = Schema("CoachFilters", {
    "type": Integer(minimum=1, description="only coaches offering this consultation type"),
})


@api_route("/consultation-types", "GET", permission=PUBLIC, summary="Consultation types on sale",
           tag="catalog", query=TYPE_FILTERS, response="ConsultationTypeList")
def list_consultation_types(query):
    """Every active type with its durations and prices (the catalog is small: no paging)."""
    types = queries.active_consultation_types(category=query["category"], coach_id=query["coach"])
    return jsonify({"items": [render.consultation_type(t) for t in types]})


@api_route("/consultation-types/<int:type_id>", "GET", permission=PUBLIC, summary="One consultation type",
           tag="catalog", response="ConsultationType", errors=(404,))
def get_consultation_type(type_id):
    return jsonify(render.consultation_type(queries.active_consultation_type(type_id)))


@api_route("/coaches", "GET", permission=PUBLIC, summary="Active coaches", tag="catalog",
           query=COACH_FILTERS, response="CoachList")
def list_coaches(query):
    """Every active coach and the types they offer (no paging: the team is small)."""
    coaches = queries.active_coaches(consultation_type_id=query["type"])
    return jsonify({"items": [render.coach(c) for c in coaches]})


@api_route("/coaches/<int:coach_id>", "GET", permission=PUBLIC, summary="One coach", tag="catalog",
           response="Coach", errors=(404,))
def get_coach(coach_id):
    return jsonify(render.coach(queries.active_coach(coach_id)))
