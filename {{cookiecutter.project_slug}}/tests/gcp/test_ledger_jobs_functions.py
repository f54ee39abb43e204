"""The ledger's scheduled jobs through functions-framework, as Cloud Scheduler calls them, on the emulators.

reconciliation reads every player's balance and ledger on Firestore and publishes a mismatch on the
scheduled jobs' topic.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import PLAYER, function_client, scheduler_call
from tests.gcp.log_filters import counts, log_lines, log_metric_filters
from tests.support.alert_lines import use_deployed_logger
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.gcp import reconciliation
from {{ cookiecutter.package_name }}.settings import SystemClock

WALLET = "{{ cookiecutter.package_name }}.wallet"


@pytest.fixture
def jobs_topic(function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A subscription to the scheduled jobs' topic; no pause before a suspect's second look."""
    from google.cloud import pubsub_v1

    monkeypatch.setattr(reconciliation, "RECHECK_PAUSE_SECONDS", 0.0)
    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path(PROJECT, f"jobs-test-{uuid.uuid4().hex[:8]}")
    topic = json.loads(function_environment["EVENT_TOPICS"])["scheduled_jobs"]
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


def test_reconciliation_publishes_the_player_whose_balance_differs_from_the_ledger(
    jobs_topic: str, firestore_client: Any
) -> None:
    wallet = Wallet(FirestoreLedgerStore(DATABASE, firestore_client), SystemClock(), WALLET)
    for player in (PLAYER, "player-gcp-2"):
        wallet.deposit(player, f"{player}-dep", Money.of(100, "EUR"), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", Money.of(30, "EUR"), correlation_id="c")
    # A balance changed outside the wallet: the ledger no longer sums to it.
    firestore_client.document("players/player-gcp-2").update({"cash": 10_500})

    response = function_client("reconciliation").post("/", headers=scheduler_call())

    assert response.status_code == 200, response.get_data(as_text=True)
    summary = response.get_json()
    assert (summary["players_checked"], summary["mismatched_players"]) == (2, ["player-gcp-2"])
    [(event, attributes)] = published(jobs_topic)
    assert attributes["type"] == "ReconciliationMismatch"
    assert event["player_id"] == "player-gcp-2"


def test_reconciliation_of_a_ledger_that_sums_to_its_balances_publishes_nothing(
    jobs_topic: str, firestore_client: Any
) -> None:
    wallet = Wallet(FirestoreLedgerStore(DATABASE, firestore_client), SystemClock(), WALLET)
    wallet.deposit(PLAYER, "dep-1", Money.of(100, "EUR"), correlation_id="c")

    response = function_client("reconciliation").post("/", headers=scheduler_call())

    assert response.status_code == 200
    assert (response.get_json()["players_checked"], response.get_json()["mismatches"]) == (1, 0)
    assert published(jobs_topic) == []


def test_a_mismatch_is_counted_by_the_reconciliation_alerts_metric(
    jobs_topic: str,
    firestore_client: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """infra/monitoring.tf's reconciliation metric counts the line a mismatch writes, in the logger a
    deployed function has (JSON lines: no Powertools in the GCP runtime lock), and no line of a run
    that balances."""
    use_deployed_logger(monkeypatch)
    mismatches = log_metric_filters()["reconciliation_mismatches"]
    # Only the reconciliation function's lines: no other function's line is counted as a mismatch.
    assert 'resource.labels.service_name="${module.scheduled_jobs.reconciliation_function}"' in mismatches
    wallet = Wallet(FirestoreLedgerStore(DATABASE, firestore_client), SystemClock(), WALLET)
    wallet.deposit(PLAYER, f"{PLAYER}-dep", Money.of(100, "EUR"), correlation_id="c")
    capsys.readouterr()

    assert function_client("reconciliation").post("/", headers=scheduler_call()).status_code == 200
    balanced = log_lines(capsys.readouterr().out)
    firestore_client.document(f"players/{PLAYER}").update({"cash": 10_500})
    assert function_client("reconciliation").post("/", headers=scheduler_call()).status_code == 200
    differing = log_lines(capsys.readouterr().out)

    assert balanced
    assert not any(counts(mismatches, line) for line in balanced)
    assert [line["severity"] for line in differing if counts(mismatches, line)] == ["ERROR"]
