"""The session-activity worker: SQS records carrying EventBridge events, partial batch failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.sessions import SessionActivity, SessionService
from {{ cookiecutter.package_name }}.handlers import session_activity

PLAYER = "player-1"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
PLAYED_AT = datetime(2030, 1, 1, 12, 30, tzinfo=UTC)


def wallet_body(name: str, transaction_id: str, amount: int, session_id: str | None, **extra: Any) -> str:
    """The SQS body of a wallet event as the Wallet publishes it."""
    detail: dict[str, Any] = {
        "player_id": PLAYER,
        "transaction_id": transaction_id,
        "amount": amount,
        "currency": "EUR",
        **extra,
    }
    if session_id is not None:
        detail["session_id"] = session_id
    return eventbridge_body(DomainEvent(name, WALLET_SOURCE, detail, "round-1", PLAYED_AT))


@pytest.fixture
def store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def sessions(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
    return SessionService(store, publisher, clock, "{{ cookiecutter.package_name }}.sessions")


@pytest.fixture
def session_id(sessions: SessionService) -> str:
    return sessions.start_session(PLAYER, correlation_id="login").session_id


def activity(store: InMemorySessionStore, session_id: str) -> SessionActivity:
    session = store.get(session_id)
    assert session is not None
    return session.activity


def test_bets_and_wins_add_up_in_their_session(
    sessions: SessionService, store: InMemorySessionStore, session_id: str
) -> None:
    bet = wallet_body("BetPlaced", "bet-1", 300, session_id)
    win = wallet_body("BetSettled", "win-1", 900, session_id, bet_transaction_id="bet-1")

    result = session_activity.process_batch(sqs_event(bet, win), sessions)

    assert result == {"batchItemFailures": []}
    assert activity(store, session_id) == SessionActivity(bets=1, staked=300, won=900)


def test_duplicate_delivery_counts_once(
    sessions: SessionService, store: InMemorySessionStore, session_id: str
) -> None:
    bet = wallet_body("BetPlaced", "bet-1", 300, session_id)

    first = session_activity.process_batch(sqs_event(bet, bet), sessions)
    redelivered = session_activity.process_batch(sqs_event(bet), sessions)

    assert first == redelivered == {"batchItemFailures": []}
    assert activity(store, session_id) == SessionActivity(bets=1, staked=300)


def poison(detail: object) -> str:
    return json.dumps({"detail-type": "BetPlaced", "source": WALLET_SOURCE, "detail": detail})


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json at all", id="not-json"),
        pytest.param(json.dumps({"detail-type": "BetPlaced"}), id="no-detail"),
        pytest.param(poison("text"), id="detail-not-object"),
        pytest.param(poison({"session_id": "s", "player_id": PLAYER, "amount": 1}), id="no-event-id"),
        pytest.param(
            poison({"session_id": "s", "event_id": "e", "player_id": PLAYER, "amount": "300"}),
            id="amount-as-text",
        ),
        pytest.param(
            poison({"session_id": 7, "event_id": "e", "player_id": PLAYER, "amount": 300}),
            id="numeric-session-id",
        ),
    ],
)
def test_poison_message_fails_alone_and_the_rest_of_the_batch_is_applied(
    sessions: SessionService, store: InMemorySessionStore, session_id: str, bad_body: str
) -> None:
    before = wallet_body("BetPlaced", "bet-1", 100, session_id)
    after = wallet_body("BetPlaced", "bet-2", 200, session_id)

    result = session_activity.process_batch(sqs_event(before, bad_body, after), sessions)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert activity(store, session_id) == SessionActivity(bets=2, staked=300)


def test_play_outside_a_session_is_acknowledged_and_ignored(
    sessions: SessionService, store: InMemorySessionStore, session_id: str
) -> None:
    bet = wallet_body("BetPlaced", "bet-1", 300, session_id=None)

    assert session_activity.process_batch(sqs_event(bet), sessions) == {"batchItemFailures": []}
    assert activity(store, session_id) == SessionActivity()


def test_other_event_types_are_acknowledged_and_ignored(
    sessions: SessionService, store: InMemorySessionStore, session_id: str
) -> None:
    rollback = wallet_body("BetRolledBack", "rb-1", 300, session_id, bet_transaction_id="bet-1")

    assert session_activity.process_batch(sqs_event(rollback), sessions) == {"batchItemFailures": []}
    assert activity(store, session_id) == SessionActivity()


def test_bets_naming_someone_elses_or_an_unknown_session_change_nothing(
    sessions: SessionService, store: InMemorySessionStore
) -> None:
    other_players = sessions.start_session("player-2", correlation_id="login").session_id
    into_other = wallet_body("BetPlaced", "bet-1", 300, other_players)
    into_nowhere = wallet_body("BetPlaced", "bet-2", 300, "sess-404")

    result = session_activity.process_batch(sqs_event(into_other, into_nowhere), sessions)

    assert result == {"batchItemFailures": []}
    assert activity(store, other_players) == SessionActivity()


def test_lambda_entry_point_uses_the_module_service(
    monkeypatch: pytest.MonkeyPatch, sessions: SessionService, store: InMemorySessionStore, session_id: str
) -> None:
    monkeypatch.setattr(session_activity, "_service", sessions)
    bet = wallet_body("BetPlaced", "bet-1", 300, session_id)

    assert session_activity.handler(sqs_event(bet), object()) == {"batchItemFailures": []}
    assert activity(store, session_id) == SessionActivity(bets=1, staked=300)
