"""Page language: the signed-in user's choice, else the session's, else the browser's."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user

LANGUAGES = ("en", "ar")


def select_language() -> str:
    if not has_request_context():  # a job, the CLI, a second app being built: no reader to ask
        return current_app.config.get("DEFAULT_LANGUAGE", "en")
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.language in LANGUAGES:
        return current_user.language
    if request:
        best = request.accept_languages.best_match(LANGUAGES)
        if best:
            return best
    return current_app.config.get("DEFAULT_LANGUAGE", "en")
