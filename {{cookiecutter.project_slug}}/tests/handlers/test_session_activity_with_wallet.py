"""The session-activity worker fed by the wallet's own events (with the wallet module)."""

from __future__ import annotations

import pytest
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.sessions import SessionActivity, SessionService
from {{ cookiecutter.package_name }}.handlers import session_activity

PLAYER = "player-1"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"


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


def test_events_the_wallet_publishes_are_what_the_worker_reads(
    sessions: SessionService,
    store: InMemorySessionStore,
    session_id: str,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    # Imported here: this file stays in a project without the wallet (uncollected there, still linted).
    from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
    from {{ cookiecutter.package_name }}.domain.wallet import Wallet

    wallet = Wallet(InMemoryLedgerStore(relay=publisher), clock, WALLET_SOURCE)
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", Money.of(400, "EUR"), correlation_id="c", session_id=session_id)
    wallet.settle_win(
        PLAYER, "win-1", "bet-1", Money.of(1_200, "EUR"), correlation_id="c", session_id=session_id
    )
    bodies = [eventbridge_body(event) for event in publisher.events if event.source == WALLET_SOURCE]

    assert session_activity.process_batch(sqs_event(*bodies), sessions) == {"batchItemFailures": []}
    assert activity(store, session_id) == SessionActivity(bets=1, staked=400, won=1_200)
