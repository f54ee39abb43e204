"""The wallet over HTTP: HTTP API events with JWT claims through serverless-wsgi into Flask."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.api.app import MAX_BODY_BYTES
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

BET = {"transaction_id": "bet-1", "round_id": "round-1", "amount": 300, "currency": "EUR"}
WITHDRAWAL = {"transaction_id": "wd-1", "amount": 2_500, "currency": "EUR"}


@pytest.fixture
def funded(api: ApiClient) -> ApiClient:
    """The player holds 100.00 EUR."""
    response = api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 10_000, "currency": "EUR"})
    assert response.status == 201
    return api


def cash(api: ApiClient, player: str = PLAYER) -> int:
    response = api.get("/wallet", player=player)
    assert response.status == 200
    balance: int = response.json["cash"]
    return balance


def test_new_player_has_an_empty_wallet(api: ApiClient) -> None:
    response = api.get("/wallet")

    assert (response.status, response.json) == (200, {"currency": None, "cash": 0, "bonus": 0})


def test_deposit_then_balance(funded: ApiClient) -> None:
    assert funded.get("/wallet").json == {"currency": "EUR", "cash": 10_000, "bonus": 0}


def test_bet_is_created_then_replayed(funded: ApiClient, publisher: InMemoryEventPublisher) -> None:
    created = funded.post("/wallet/bets", {**BET, "session_id": "sess-1"})
    replayed = funded.post("/wallet/bets", {**BET, "session_id": "sess-1"})

    assert created.status == 201
    assert created.json == {
        "transaction_id": "bet-1",
        "kind": "bet",
        "amount": 300,
        "currency": "EUR",
        "balance": {"currency": "EUR", "cash": 9_700, "bonus": 0},
        "replayed": False,
    }
    assert replayed.status == 200
    assert replayed.json["replayed"] is True
    assert cash(funded) == 9_700
    assert [event.name for event in publisher.events] == ["FundsDeposited", "BetPlaced"]
    assert publisher.events[-1].detail["session_id"] == "sess-1"


def test_win_and_rollback_over_http(funded: ApiClient) -> None:
    funded.post("/wallet/bets", BET)
    funded.post("/wallet/bets", {**BET, "transaction_id": "bet-2", "round_id": "round-2"})

    win = funded.post(
        "/wallet/wins",
        {
            "transaction_id": "win-1",
            "bet_transaction_id": "bet-1",
            "round_id": "round-1",
            "amount": 900,
            "currency": "EUR",
        },
    )
    rollback = funded.post(
        "/wallet/rollbacks", {"transaction_id": "rb-1", "bet_transaction_id": "bet-2", "round_id": "round-2"}
    )

    assert (win.status, win.json["kind"], win.json["balance"]["cash"]) == (201, "win", 10_300)
    assert (rollback.status, rollback.json["amount"], rollback.json["balance"]["cash"]) == (201, 300, 10_600)


def test_bets_take_the_balance_named_by_funds(
    funded: ApiClient, wallet: Wallet, publisher: InMemoryEventPublisher
) -> None:
    wallet.grant_bonus(PLAYER, "grant-1", Money.of(500, "EUR"), correlation_id="promo-1")

    cash_bet = funded.post("/wallet/bets", {**BET, "funds": "cash"})
    bonus_bet = funded.post("/wallet/bets", {**BET, "transaction_id": "bet-2", "funds": "bonus"})
    short = funded.post("/wallet/bets", {**BET, "transaction_id": "bet-3", "funds": "bonus"})
    win = funded.post(
        "/wallet/wins",
        {
            "transaction_id": "win-2",
            "bet_transaction_id": "bet-2",
            "round_id": "round-1",
            "amount": 900,
            "currency": "EUR",
        },
    )

    assert cash_bet.json["balance"] == {"currency": "EUR", "cash": 9_700, "bonus": 500}
    assert bonus_bet.json["balance"] == {"currency": "EUR", "cash": 9_700, "bonus": 200}
    assert (short.status, short.error["code"]) == (402, "insufficient_funds")
    assert win.json["balance"] == {"currency": "EUR", "cash": 9_700, "bonus": 1_100}
    assert [event.detail["funds"] for event in publisher.events[-3:]] == ["cash", "bonus", "bonus"]
    assert wallet.reconcile(PLAYER).balanced


def test_events_carry_the_callers_correlation_id(
    funded: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    response = funded.post("/wallet/bets", BET, headers={"x-correlation-id": "round-77"})

    assert response.headers["x-correlation-id"] == "round-77"
    assert publisher.events[-1].correlation_id == "round-77"


def test_insufficient_funds_is_402_and_takes_nothing(
    funded: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    response = funded.post("/wallet/bets", {**BET, "amount": 10_001})

    assert response.status == 402
    assert response.error["code"] == "insufficient_funds"
    assert cash(funded) == 10_000
    assert [event.name for event in publisher.events] == ["FundsDeposited"]


def test_reused_transaction_id_with_another_amount_is_409(funded: ApiClient) -> None:
    funded.post("/wallet/bets", BET)

    response = funded.post("/wallet/bets", {**BET, "amount": 301})

    assert response.status == 409
    assert response.error == {
        "code": "transaction_conflict",
        "message": "the transaction id was already used with another payload",
        "field": "transaction_id",
    }
    assert cash(funded) == 9_700


def test_rollback_of_unknown_bet_blocks_late_bet(funded: ApiClient) -> None:
    rollback = funded.post(
        "/wallet/rollbacks", {"transaction_id": "rb-1", "bet_transaction_id": "bet-1", "round_id": "round-1"}
    )
    late_bet = funded.post("/wallet/bets", BET)

    assert (rollback.status, rollback.json["amount"]) == (201, 0)
    assert late_bet.status == 409
    assert late_bet.error["code"] == "bet_rolled_back"
    assert cash(funded) == 10_000


def test_players_only_see_their_own_wallet(funded: ApiClient) -> None:
    assert cash(funded, player=OTHER_PLAYER) == 0
    response = funded.post(
        "/wallet/wins",
        {
            "transaction_id": "win-1",
            "bet_transaction_id": "dep-1",
            "round_id": "round-1",
            "amount": 900,
            "currency": "EUR",
        },
        player=OTHER_PLAYER,
    )
    assert response.status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/wallet",
        "/wallet/deposits",
        "/wallet/withdrawals",
        "/wallet/bets",
        "/wallet/wins",
        "/wallet/rollbacks",
    ],
)
def test_wallet_routes_need_a_signed_in_player(funded: ApiClient, path: str) -> None:
    method = "GET" if path == "/wallet" else "POST"

    response = funded.request(method, path, BET if method == "POST" else None, player=None)

    assert response.status == 401
    assert response.error["code"] == "unauthorized"
    assert cash(funded) == 10_000


def test_empty_subject_claim_is_not_a_player(funded: ApiClient) -> None:
    assert funded.post("/wallet/bets", BET, player="").status == 401


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/wallet/bets", {"amount": 300, "currency": "EUR"}, "transaction_id", id="missing-id"),
        pytest.param(
            "/wallet/bets",
            {"transaction_id": "b", "round_id": "r", "currency": "EUR"},
            "amount",
            id="missing-amount",
        ),
        pytest.param(
            "/wallet/bets",
            {"transaction_id": "b", "round_id": "r", "amount": 300},
            "currency",
            id="missing-currency",
        ),
        pytest.param(
            "/wallet/bets",
            {"transaction_id": "b", "amount": 300, "currency": "EUR"},
            "round_id",
            id="bet-without-round",
        ),
        pytest.param("/wallet/bets", {**BET, "round_id": "a b"}, "round_id", id="bad-round-id"),
        pytest.param(
            "/wallet/wins",
            {"transaction_id": "w", "bet_transaction_id": "bet-1", "amount": 1, "currency": "EUR"},
            "round_id",
            id="win-without-round",
        ),
        pytest.param(
            "/wallet/wins",
            {
                "transaction_id": "w",
                "bet_transaction_id": "bet-1",
                "round_id": "round-1",
                "amount": 0,
                "currency": "EUR",
            },
            "amount",
            id="zero-win-that-does-not-close",
        ),
        pytest.param(
            "/wallet/wins",
            {
                "transaction_id": "w",
                "bet_transaction_id": "bet-1",
                "round_id": "round-1",
                "amount": 1,
                "currency": "EUR",
                "close_round": "yes",
            },
            "close_round",
            id="close-round-not-boolean",
        ),
        pytest.param(
            "/wallet/rollbacks",
            {"transaction_id": "rb", "bet_transaction_id": "bet-1"},
            "round_id",
            id="rollback-without-round",
        ),
        pytest.param("/wallet/bets", {**BET, "amount": -300}, "amount", id="negative-amount"),
        pytest.param("/wallet/bets", {**BET, "amount": 0}, "amount", id="zero-amount"),
        pytest.param("/wallet/bets", {**BET, "amount": 3.5}, "amount", id="float-amount"),
        pytest.param("/wallet/bets", {**BET, "amount": 300.0}, "amount", id="whole-float-amount"),
        pytest.param("/wallet/bets", {**BET, "amount": "300"}, "amount", id="string-amount"),
        pytest.param("/wallet/bets", {**BET, "amount": True}, "amount", id="boolean-amount"),
        pytest.param("/wallet/bets", {**BET, "amount": 10**13}, "amount", id="huge-amount"),
        pytest.param("/wallet/bets", {**BET, "currency": "eur"}, "currency", id="lower-case-currency"),
        pytest.param("/wallet/bets", {**BET, "currency": "EURO"}, "currency", id="four-letter-currency"),
        pytest.param("/wallet/bets", {**BET, "currency": 978}, "currency", id="numeric-currency"),
        pytest.param("/wallet/bets", {**BET, "transaction_id": ""}, "transaction_id", id="empty-id"),
        pytest.param("/wallet/bets", {**BET, "transaction_id": "a b"}, "transaction_id", id="id-with-space"),
        pytest.param("/wallet/bets", {**BET, "transaction_id": 42}, "transaction_id", id="numeric-id"),
        pytest.param("/wallet/bets", {**BET, "session_id": "../x"}, "session_id", id="bad-session-id"),
        pytest.param("/wallet/bets", {**BET, "player_id": OTHER_PLAYER}, "player_id", id="player-id-in-body"),
        pytest.param("/wallet/bets", {**BET, "funds": "gift"}, "funds", id="unknown-funds"),
        pytest.param("/wallet/bets", {**BET, "funds": "BONUS"}, "funds", id="upper-case-funds"),
        pytest.param("/wallet/bets", {**BET, "funds": None}, "funds", id="null-funds"),
        pytest.param("/wallet/bets", {**BET, "funds": ["bonus"]}, "funds", id="list-funds"),
        pytest.param("/wallet/deposits", {**BET, "funds": "bonus"}, "funds", id="deposit-with-funds"),
        pytest.param(
            "/wallet/deposits",
            {"transaction_id": "dep-2", "amount": 300, "currency": "EUR", "session_id": "s-1"},
            "session_id",
            id="deposit-with-session",
        ),
        pytest.param("/wallet/wins", BET, "bet_transaction_id", id="win-without-bet"),
        pytest.param(
            "/wallet/withdrawals",
            {"transaction_id": "wd-1", "currency": "EUR"},
            "amount",
            id="withdrawal-no-amount",
        ),
        pytest.param("/wallet/withdrawals", {**WITHDRAWAL, "amount": -1}, "amount", id="negative-withdrawal"),
        pytest.param(
            "/wallet/withdrawals", {**WITHDRAWAL, "currency": "eur"}, "currency", id="withdrawal-currency"
        ),
        pytest.param(
            "/wallet/withdrawals",
            {**WITHDRAWAL, "transaction_id": "a b"},
            "transaction_id",
            id="withdrawal-id",
        ),
        pytest.param(
            "/wallet/withdrawals", {**WITHDRAWAL, "funds": "bonus"}, "funds", id="withdrawal-of-bonus"
        ),
        pytest.param(
            "/wallet/rollbacks",
            {"transaction_id": "rb-1", "bet_transaction_id": "b", "amount": 1},
            "amount",
            id="rollback-with-amount",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field_and_moves_no_money(
    funded: ApiClient, publisher: InMemoryEventPublisher, path: str, body: dict[str, Any], field: str
) -> None:
    response = funded.post(path, body)

    assert response.status == 422
    assert response.error["code"] == "invalid_request"
    assert response.error["field"] == field
    assert cash(funded) == 10_000
    assert [event.name for event in publisher.events] == ["FundsDeposited"]


@pytest.mark.parametrize(
    "raw_body",
    [
        pytest.param('{"transaction_id": "bet-1", "amount": 300,', id="truncated"),
        pytest.param("amount=300&currency=EUR", id="form-encoded"),
        pytest.param('{"transaction_id": "bet-1", "amount": NaN, "currency": "EUR"}', id="nan"),
        pytest.param("[" * 100_00, id="deeply-nested"),
    ],
)
def test_malformed_json_is_400_and_moves_no_money(funded: ApiClient, raw_body: str) -> None:
    response = funded.post("/wallet/bets", raw_body=raw_body)

    assert response.status == 400
    assert response.error["code"] == "malformed_json"
    assert cash(funded) == 10_000


@pytest.mark.parametrize(
    ("raw_body", "field"),
    [
        pytest.param("", None, id="empty"),
        pytest.param("[]", None, id="array"),
        pytest.param('"bet"', None, id="string"),
        pytest.param(
            '{"transaction_id": "bet-1", "amount": 1, "amount": 300, "currency": "EUR"}', "amount", id="dup"
        ),
    ],
)
def test_body_must_be_one_json_object(funded: ApiClient, raw_body: str, field: str | None) -> None:
    response = funded.post("/wallet/bets", raw_body=raw_body)

    assert response.status == 422
    assert response.error["field"] == field
    assert cash(funded) == 10_000


def test_oversized_body_is_refused_before_parsing(funded: ApiClient) -> None:
    response = funded.post("/wallet/bets", {**BET, "padding": "x" * MAX_BODY_BYTES})

    assert response.status == 413
    assert cash(funded) == 10_000


def test_ledger_stays_reconciled_after_refusals(funded: ApiClient, ledger: InMemoryLedgerStore) -> None:
    funded.post("/wallet/bets", {**BET, "amount": -1})
    funded.post("/wallet/bets", raw_body="{")
    funded.post("/wallet/bets", BET)

    assert sum(entry.signed_amount for entry in ledger.entries(PLAYER)) == cash(funded) == 9_700


@pytest.mark.parametrize(
    "path", ["/wallet/deposits", "/wallet/withdrawals", "/wallet/bets", "/wallet/wins", "/wallet/rollbacks"]
)
@pytest.mark.parametrize(
    "raw_body",
    [
        pytest.param("null", id="null"),
        pytest.param(
            '{"transaction_id": {"$ne": null}, "amount": 1, "currency": "EUR"}', id="operator-object"
        ),
        pytest.param('{"transaction_id": ["bet-1"], "amount": 1, "currency": "EUR"}', id="list-id"),
        pytest.param('{"transaction_id": "b\\u00fcr", "amount": 1, "currency": "EUR"}', id="non-ascii-id"),
        pytest.param('{"transaction_id": "bet-1", "amount": 1e400, "currency": "EUR"}', id="infinite-amount"),
        pytest.param(
            '{"transaction_id": "bet-1", "amount": ' + "9" * 5000 + ', "currency": "EUR"}', id="huge-int"
        ),
        pytest.param(
            '{"transaction_id": "bet-1", "amount": 1, "currency": "EUR"}garbage', id="trailing-data"
        ),
        pytest.param("\ufeff{}", id="byte-order-mark"),
    ],
)
def test_hostile_bodies_are_refused_with_a_4xx(funded: ApiClient, path: str, raw_body: str) -> None:
    response = funded.post(path, raw_body=raw_body)

    assert 400 <= response.status < 500
    assert set(response.error) == {"code", "message", "field"}
    assert cash(funded) == 10_000


def test_logs_carry_outcomes_not_request_bodies(funded: ApiClient, caplog: pytest.LogCaptureFixture) -> None:
    marker = "card-4111111111111111"
    caplog.clear()

    funded.post("/wallet/bets", {**BET, "note": marker})
    funded.post("/wallet/bets", raw_body='{"transaction_id": "' + marker)

    assert caplog.records, "every request is logged"
    assert all(marker not in str(record.__dict__) for record in caplog.records)
    assert {getattr(record, "status", None) for record in caplog.records} == {422, 400}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/wallet/deposits", {"transaction_id": "dep-self", "amount": 500, "currency": "EUR"}),
        (
            "/wallet/wins",
            {
                "transaction_id": "win-self",
                "bet_transaction_id": "bet-x",
                "round_id": "round-1",
                "amount": 500,
                "currency": "EUR",
            },
        ),
        (
            "/wallet/rollbacks",
            {"transaction_id": "rb-self", "bet_transaction_id": "bet-x", "round_id": "round-1"},
        ),
    ],
    ids=["deposit", "win", "rollback"],
)
def test_player_token_cannot_credit_its_own_wallet(
    funded: ApiClient, path: str, body: dict[str, object]
) -> None:
    before = cash(funded)

    response = funded.post(path, body, as_player=True, scopes=("wallet:credit",))

    assert response.status == 403
    assert response.error["code"] == "forbidden"
    assert cash(funded) == before


def test_player_token_may_place_a_bet(funded: ApiClient) -> None:
    response = funded.post(
        "/wallet/bets",
        {"transaction_id": "bet-own", "round_id": "round-own", "amount": 100, "currency": "EUR"},
        scopes=None,
    )

    assert response.status == 201


def test_withdrawal_is_created_then_replayed(funded: ApiClient, publisher: InMemoryEventPublisher) -> None:
    created = funded.post("/wallet/withdrawals", WITHDRAWAL, headers={"x-correlation-id": "payout-7"})
    replayed = funded.post("/wallet/withdrawals", WITHDRAWAL)

    assert created.status == 201
    assert created.json == {
        "transaction_id": "wd-1",
        "kind": "withdrawal",
        "amount": 2_500,
        "currency": "EUR",
        "balance": {"currency": "EUR", "cash": 7_500, "bonus": 0},
        "replayed": False,
    }
    assert (replayed.status, replayed.json["replayed"], replayed.json["kind"]) == (200, True, "withdrawal")
    assert cash(funded) == 7_500
    assert [event.name for event in publisher.events] == ["FundsDeposited", "FundsWithdrawn"]
    assert publisher.events[-1].correlation_id == "payout-7"


def test_withdrawal_id_reused_with_another_amount_is_409(funded: ApiClient) -> None:
    funded.post("/wallet/withdrawals", WITHDRAWAL)

    response = funded.post("/wallet/withdrawals", {**WITHDRAWAL, "amount": 2_501})

    assert (response.status, response.error["code"], response.error["field"]) == (
        409,
        "transaction_conflict",
        "transaction_id",
    )
    assert cash(funded) == 7_500


def test_withdrawal_beyond_the_cash_is_402_and_bonus_never_pays_out(
    funded: ApiClient, wallet: Wallet, publisher: InMemoryEventPublisher
) -> None:
    wallet.grant_bonus(PLAYER, "grant-1", Money.of(500, "EUR"), correlation_id="promo-1")

    response = funded.post("/wallet/withdrawals", {**WITHDRAWAL, "amount": 10_001})

    assert (response.status, response.error["code"]) == (402, "insufficient_funds")
    assert funded.get("/wallet").json == {"currency": "EUR", "cash": 10_000, "bonus": 500}
    assert "FundsWithdrawn" not in [event.name for event in publisher.events]
    assert funded.post("/wallet/withdrawals", {**WITHDRAWAL, "amount": 10_000}).status == 201
    assert wallet.reconcile(PLAYER).balanced


def test_player_token_cannot_withdraw(funded: ApiClient, publisher: InMemoryEventPublisher) -> None:
    response = funded.post("/wallet/withdrawals", WITHDRAWAL, as_player=True, scopes=("wallet:credit",))

    assert (response.status, response.error["code"]) == (403, "forbidden")
    assert cash(funded) == 10_000
    assert [event.name for event in publisher.events] == ["FundsDeposited"]


# --- every answer carries the balance -----------------------------------------------------------------

HELD = {"currency": "EUR", "cash": 10_000, "bonus": 0}


def test_a_refused_bet_carries_the_balance_it_was_refused_against(funded: ApiClient) -> None:
    short = funded.post("/wallet/bets", {**BET, "amount": 10_001})
    invalid = funded.post("/wallet/bets", {**BET, "amount": 0})

    assert (short.status, short.json["balance"]) == (402, HELD)
    assert (invalid.status, invalid.json["balance"]) == (422, HELD)


def test_round_and_replay_refusals_carry_the_balance(funded: ApiClient) -> None:
    funded.post("/wallet/bets", BET)
    win = {"transaction_id": "win-1", "bet_transaction_id": "bet-1", "round_id": "round-1", "currency": "EUR"}
    funded.post("/wallet/wins", {**win, "amount": 100, "close_round": True})

    closed = funded.post("/wallet/wins", {**win, "transaction_id": "win-2", "amount": 100})
    reused = funded.post("/wallet/bets", {**BET, "amount": 301})
    unknown = funded.post(
        "/wallet/wins", {**win, "transaction_id": "win-3", "bet_transaction_id": "nope", "amount": 1}
    )

    after = {**HELD, "cash": 10_000 - 300 + 100}
    assert [(r.status, r.json["balance"]) for r in (closed, reused, unknown)] == [
        (409, after),
        (409, after),
        (404, after),
    ]


def test_a_refused_withdrawal_carries_the_balance(funded: ApiClient) -> None:
    response = funded.post("/wallet/withdrawals", {**WITHDRAWAL, "amount": 10_001})

    assert (response.status, response.json["balance"]) == (402, HELD)


def test_a_new_players_refusal_carries_an_empty_balance(api: ApiClient) -> None:
    response = api.post("/wallet/bets", BET)

    assert (response.status, response.json["balance"]) == (402, {"currency": None, "cash": 0, "bonus": 0})


def test_a_refusal_before_the_player_is_known_carries_no_balance(funded: ApiClient) -> None:
    """A stranger learns nothing: no token, a bad signature or a body without its player."""
    no_token = funded.post("/wallet/bets", BET, player=None)
    unsigned = funded.post("/wallet/withdrawals", WITHDRAWAL, unsigned=True)

    assert [no_token.status, unsigned.status] == [401, 401]
    assert ["balance" in no_token.json, "balance" in unsigned.json] == [False, False]
