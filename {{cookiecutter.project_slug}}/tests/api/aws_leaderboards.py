"""The leaderboards' part of tests/api/test_aws_app.py: the service is built on its routes' first request."""

from __future__ import annotations

# (module, a route of it, its domain): the app builds its service on the first request to its routes.
LAZY_MODULE = (
    "leaderboards",
    "/leaderboards",
    "{{ cookiecutter.package_name }}.domain.leaderboards",
)
