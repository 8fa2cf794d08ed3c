"""JSON API v1 at /api/v1: thin views that parse input, call one service and render JSON.

Layout: routing.py (the `api_route` decorator: URL, permission and OpenAPI operation in one place),
security.py (Bearer tokens and session cookies, CSRF), errors.py (one error format), schemas.py
(input parsers that also describe themselves as JSON Schema; formats.py: their text patterns),
render.py (output), openapi.py (the document at /api/v1/openapi.json), views/ (the endpoints, one
module per area).
"""
