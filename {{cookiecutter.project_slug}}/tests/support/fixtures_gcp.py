"""The GCP project's test fixtures: the gcloud Firestore and Pub/Sub emulators and the local Cloud
Storage server (fake-gcs-server), each once per test session.

Loaded by tests/conftest.py by its name (a GCP file). A server starts only if a test asks for it;
each test that asks for `firestore_client` gets an empty database on it, and each that asks for
`storage_bucket` a new bucket.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from tests.gcp.firestore_emulator import PROJECT, firestore_emulator, reset
from tests.gcp.pubsub_emulator import pubsub_emulator
from tools.gcp.emulators import StorageServer
from tools.gcp.emulators import storage_server as start_storage_server

from {{ cookiecutter.package_name }}.registry import MODULES, STAND_INS

# A named database, as deployed (infra/main.tf): the emulator keeps each database apart.
DATABASE = "casino-tests"


@pytest.fixture(scope="session")
def firestore_host() -> Iterator[str]:
    """The emulator for the session; FIRESTORE_EMULATOR_HOST points every Firestore client at it."""
    with firestore_emulator() as address, pytest.MonkeyPatch.context() as env:
        # No test can reach a real project: the clients find the emulator and need no credentials.
        env.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        env.setenv("FIRESTORE_EMULATOR_HOST", address)
        env.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
        yield address


@pytest.fixture
def firestore_client(firestore_host: str) -> Any:
    """A client of the test's own on an empty database."""
    from google.cloud import firestore

    reset(firestore_host, DATABASE)
    return firestore.Client(project=PROJECT, database=DATABASE)


@pytest.fixture(scope="session")
def pubsub_host() -> Iterator[str]:
    """The Pub/Sub emulator for the session; PUBSUB_EMULATOR_HOST points every Pub/Sub client at it."""
    with pubsub_emulator() as address, pytest.MonkeyPatch.context() as env:
        env.setenv("PUBSUB_EMULATOR_HOST", address)
        yield address


@pytest.fixture(scope="session")
def event_topics(pubsub_host: str) -> dict[str, str]:
    """A topic per module and `core` on the Pub/Sub emulator, as EVENT_TOPICS names them (infra/events.tf)."""
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    # A stand-in publishes on the topic of the module it replaces (hybrid mode: the wallet's events).
    keys = ("core", *MODULES, *STAND_INS)
    topics = {key: publisher.topic_path(PROJECT, f"functions-{key}-events") for key in keys}
    for path in topics.values():
        publisher.create_topic(request={"name": path})
    return topics


@pytest.fixture
def function_environment(
    firestore_client: Any, event_topics: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The variables infra/ gives a function (`local.platform`, EVENT_TOPICS), on the emulators."""
    environment = {"FIRESTORE_DATABASE": DATABASE, "STAGE": "test", "EVENT_TOPICS": json.dumps(event_topics)}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture(scope="session")
def storage_server() -> Iterator[StorageServer]:
    """The local Cloud Storage server for the session. STORAGE_EMULATOR_HOST is not set for the session:
    a test hands it to the adapter it builds (`storage_environment`), so the tests on recorded answers
    keep theirs."""
    with start_storage_server() as server:
        yield server


@pytest.fixture
def storage_environment(storage_server: StorageServer, firestore_host: str) -> dict[str, str]:
    """What a local run's function has: the storage server beside the Firestore emulator."""
    return {"STORAGE_EMULATOR_HOST": storage_server.address, "FIRESTORE_EMULATOR_HOST": firestore_host}


@pytest.fixture
def storage_bucket(storage_server: StorageServer) -> str:
    """A new versioned bucket (infra/ versions each of its buckets) on the local server."""
    name = f"casino-tests-{uuid.uuid4().hex[:12]}"
    storage_server.create_bucket(name, versioned=True)
    return name
