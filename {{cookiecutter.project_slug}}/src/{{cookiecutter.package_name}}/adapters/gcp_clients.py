"""The GCP functions' clients and settings, made from the variables infra/ sets (`local.platform`).

Every function gets GOOGLE_CLOUD_PROJECT, FIRESTORE_DATABASE and STAGE; those that publish get
EVENT_TOPICS (topic key -> topic path). One Firestore client per instance serves every store: each
module's documents are collections of the one casino database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from ..registry import MODULES
from ..settings import Settings, required_variable

if TYPE_CHECKING:
    from .pubsub import PubSubPublisher


def database(environ: Mapping[str, str] = os.environ) -> str:
    """The casino database's name (FIRESTORE_DATABASE)."""
    return required_variable(environ, "FIRESTORE_DATABASE")


def firestore_client(environ: Mapping[str, str] = os.environ) -> Any:
    """The instance's Firestore client of the casino database, made on first use."""
    return _client(environ.get("GOOGLE_CLOUD_PROJECT") or None, database(environ))


@cache
def _client(project: str | None, name: str) -> Any:
    from google.cloud import firestore  # the import costs cold start only where a store is used

    return firestore.Client(project=project, database=name)


def event_publisher(environ: Mapping[str, str] = os.environ) -> PubSubPublisher:
    """The publisher on the topics EVENT_TOPICS names (the function's own modules' topics)."""
    from .pubsub import from_environment

    return from_environment(required_variable(environ, "EVENT_TOPICS"))


def settings_environ(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The variables the shared settings read, as GCP has them: every module's state is in the one
    database, so its name stands where a module's settings read a table's (<MODULE>_TABLE_NAME), and
    events go to the topics of EVENT_TOPICS, not a bus (EVENT_BUS_NAME)."""
    name = database(environ)
    tables = {f"{module.upper()}_TABLE_NAME": name for module in MODULES}
    return {**tables, "EVENT_BUS_NAME": "pubsub", **environ}


def gcp_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """The core settings on GCP (settings.py), read once per instance by the caller."""
    return Settings.from_env(settings_environ(environ))
