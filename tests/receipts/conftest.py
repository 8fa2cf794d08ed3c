from tests.notifications.conftest import rq_app, shared_redis, smtp  # noqa: F401  (shared fixtures)
