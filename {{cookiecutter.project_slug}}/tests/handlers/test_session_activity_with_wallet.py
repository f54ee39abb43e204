"""The session-activity worker fed by the wallet's own events (with the wallet module)."""

from __future__ import annotations

from tests.handlers import test_session_activity as worker_tests
from tests.handlers.test_session_activity import PLAYER, WALLET_SOURCE, activity
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.sessions import SessionActivity, SessionService
from {{ cookiecutter.package_name }}.handlers import session_activity

# The worker's own tests' fixtures (a store, the session service on it, a started session), defined there.
store, sessions, session_id = worker_tests.store, worker_tests.sessions, worker_tests.session_id


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
