"""The ggrTotals and dailyReport functions through functions-framework: the totals on the Firestore
emulator, the reports bucket on recorded Cloud Storage answers (tests/gcp/cloud_storage_answers.py).

A pushed bet is counted once per event id; the daily report reads the day's totals, writes its two
files (each read first: the same bytes are not written again, changed ones replace the generation
read) and announces DailyReportWritten on the reporting topic.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from tests.gcp.cloud_storage_answers import RecordedCloudStorage, answer, error, stored
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import PLAYER, function_client, push, scheduler_call

from {{ cookiecutter.package_name }}.adapters import cloud_storage
from {{ cookiecutter.package_name }}.adapters.cloud_storage import md5_of
from {{ cookiecutter.package_name }}.adapters.firestore_reporting import FirestoreGgrTotalsStore
from {{ cookiecutter.package_name }}.domain.reporting import Play
from {{ cookiecutter.package_name }}.gcp import daily_report

REPORTS = "casino-test-reports"
DAY = date(2026, 12, 3)
JSON_KEY = "reports/ggr/date=2026-12-03/ggr.json"
CSV_KEY = "reports/ggr/date=2026-12-03/ggr.csv"


def bet_placed(event_id: str = "bet-event-1") -> dict[str, Any]:
    detail = {
        "event_id": event_id,
        "correlation_id": "corr-1",
        "occurred_at": "2026-12-03T12:00:00+00:00",
        "player_id": PLAYER,
        "amount": 250,
        "currency": "EUR",
        "funds": "cash",
    }
    return push("BetPlaced", "wallet", detail)


@pytest.fixture
def reports_bucket(
    function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> RecordedCloudStorage:
    """ANALYTICS_BUCKET_NAME, its requests answered from the recording the test puts in `answers`."""
    storage = RecordedCloudStorage([])
    monkeypatch.setenv("ANALYTICS_BUCKET_NAME", REPORTS)
    monkeypatch.setattr(cloud_storage, "authorized_session", lambda: storage)
    monkeypatch.setattr(daily_report, "_reporter", None)  # a new instance: its reporter uses this bucket
    return storage


@pytest.fixture
def reporting_topic(function_environment: dict[str, str]) -> Iterator[str]:
    """A subscription to the reporting topic of EVENT_TOPICS, reading what the job publishes."""
    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path(PROJECT, f"reporting-test-{uuid.uuid4().hex[:8]}")
    topic = json.loads(function_environment["EVENT_TOPICS"])["reporting"]
    subscriber.create_subscription(request={"name": subscription, "topic": topic})
    yield subscription
    subscriber.delete_subscription(request={"subscription": subscription})


def published(subscription: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    from google.cloud import pubsub_v1

    pulled = pubsub_v1.SubscriberClient().pull(
        request={"subscription": subscription, "max_messages": 10}, timeout=10
    )
    return [
        (json.loads(item.message.data), dict(item.message.attributes)) for item in pulled.received_messages
    ]


def first_writes() -> list[Any]:
    """Cloud Storage's answers to a report's first writing: each file is not there, then stored."""
    not_there = error(404, "No such object", "notFound")
    return [not_there, stored(JSON_KEY, 300, REPORTS), not_there, stored(CSV_KEY, 100, REPORTS)]


def played(firestore_client: Any) -> None:
    """A day with one cash bet of 250 EUR in its totals."""
    at = datetime(2026, 12, 3, 12, tzinfo=UTC)
    play = Play.of_wallet_event("BetPlaced", "bet-event-1", 250, "EUR", at)
    assert play is not None
    FirestoreGgrTotalsStore(firestore_client).add(play)


def test_a_pushed_bet_is_counted_once_in_its_days_totals(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    worker = function_client("ggr_totals")

    answers = [worker.post("/", json=bet_placed()).status_code for _ in range(2)]

    assert answers == [204, 204]
    [totals] = FirestoreGgrTotalsStore(firestore_client).day_totals(DAY)
    assert (totals.currency, totals.totals.bets, totals.totals.stakes) == ("EUR", 1, 250)


def test_a_bet_without_its_currency_is_not_acked(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    body = bet_placed()
    detail = json.loads(base64.b64decode(body["message"]["data"]))
    del detail["currency"]
    response = function_client("ggr_totals").post("/", json=push("BetPlaced", "wallet", detail))

    assert response.status_code == 500  # retried by Pub/Sub, then dead-lettered
    assert FirestoreGgrTotalsStore(firestore_client).day_totals(DAY) == []


def test_the_daily_report_writes_its_files_and_announces_them(
    reports_bucket: RecordedCloudStorage, reporting_topic: str, firestore_client: Any
) -> None:
    played(firestore_client)
    reports_bucket.answers.extend(first_writes())

    response = function_client("daily_report").post("/", headers=scheduler_call("2026-12-04T00:15:00Z"))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["locations"] == [f"gs://{REPORTS}/{JSON_KEY}", f"gs://{REPORTS}/{CSV_KEY}"]
    stat, upload = reports_bucket.sent[:2]
    assert (stat.method, stat.params) == ("GET", {"fields": "generation,md5Hash"})
    assert upload.params == {"uploadType": "multipart", "ifGenerationMatch": "0"}
    metadata, media = upload.multipart()
    assert metadata["name"] == JSON_KEY
    assert json.loads(media)["currencies"][0]["currency"] == "EUR"
    [(event, attributes)] = published(reporting_topic)
    assert attributes["type"] == "DailyReportWritten"
    assert event["report_date"] == "2026-12-03"


def test_a_report_already_there_with_the_same_bytes_is_not_written_again(
    reports_bucket: RecordedCloudStorage, firestore_client: Any
) -> None:
    played(firestore_client)
    reports_bucket.answers.extend(first_writes())
    job = function_client("daily_report")
    assert job.post("/", json={"date": "2026-12-03"}).status_code == 200
    json_body, csv_body = (sent.multipart()[1] for sent in reports_bucket.sent if sent.method == "POST")
    reports_bucket.sent.clear()
    reports_bucket.answers.extend(
        [
            answer(200, {"generation": "7", "md5Hash": md5_of(json_body)}),
            answer(200, {"generation": "8", "md5Hash": md5_of(csv_body)}),
        ]
    )

    again = job.post("/", json={"date": "2026-12-03"})

    assert again.status_code == 200
    assert [sent.method for sent in reports_bucket.sent] == ["GET", "GET"]


def test_a_changed_report_replaces_the_generation_it_read(
    reports_bucket: RecordedCloudStorage, firestore_client: Any
) -> None:
    played(firestore_client)
    reports_bucket.answers.extend(
        [
            answer(200, {"generation": "7", "md5Hash": "c3RhbGU="}),
            stored(JSON_KEY, 300, REPORTS),
            answer(200, {"generation": "8", "md5Hash": "c3RhbGU="}),
            stored(CSV_KEY, 100, REPORTS),
        ]
    )

    response = function_client("daily_report").post("/", json={"date": "2026-12-03"})

    assert response.status_code == 200, response.get_data(as_text=True)
    uploads = [sent for sent in reports_bucket.sent if sent.method == "POST"]
    assert [sent.params["ifGenerationMatch"] for sent in uploads] == ["7", "8"]


def test_a_report_changed_by_another_run_meanwhile_fails_the_run(
    reports_bucket: RecordedCloudStorage, firestore_client: Any
) -> None:
    played(firestore_client)
    reports_bucket.answers.extend(
        [
            answer(200, {"generation": "7", "md5Hash": "c3RhbGU="}),
            error(412, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet"),
        ]
    )

    response = function_client("daily_report").post("/", json={"date": "2026-12-03"})

    assert response.status_code == 500  # Cloud Scheduler retries; the next run reads the new generation


@pytest.mark.parametrize("day", ["20261203", "2026-12-32", "yesterday", None])
def test_a_date_that_is_not_one_is_answered_400_naming_the_field(
    reports_bucket: RecordedCloudStorage, day: str | None
) -> None:
    response = function_client("daily_report").post("/", json={"date": day})

    assert response.status_code == 400
    assert "date" in response.get_json()["error"]
    assert reports_bucket.sent == []
