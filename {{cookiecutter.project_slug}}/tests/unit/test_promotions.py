"""Promotion rules against in-memory adapters: triggers, one grant per player per promotion, wagering."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.promotions import (
    BonusGrant,
    HostedBonusWallet,
    Promotion,
    PromotionBoard,
    PromotionRulesError,
    PromotionService,
    Trigger,
    bonus_transaction_id,
    packaged_promotions,
    parse_promotions,
)
from {{ cookiecutter.package_name }}.domain.wallet import Balance, Wallet

WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
PROMOTIONS_SOURCE = "{{ cookiecutter.package_name }}.promotions"
PLAYER = "player-1"
OTHER_PLAYER = "player-2"
LAUNCH = datetime(2029, 1, 1, tzinfo=UTC)

WELCOME = Promotion(
    promotion_id="welcome",
    title="100% of the first deposit up to 100.00 EUR",
    trigger=Trigger.FIRST_DEPOSIT,
    currency="EUR",
    bonus=10_000,
    wagering_multiplier=30,
    starts_at=LAUNCH,
    match_percent=100,
)
THREE_BETS = Promotion(
    promotion_id="three-bets",
    title="Three bets of at least 1.00 EUR in a day",
    trigger=Trigger.BETS_IN_A_DAY,
    currency="EUR",
    bonus=500,
    wagering_multiplier=10,
    starts_at=LAUNCH,
    bets_required=3,
    min_stake=100,
)
TOURNAMENT = Promotion(
    promotion_id="tournament",
    title="Enter a tournament",
    trigger=Trigger.TOURNAMENT_ENTRY,
    currency="EUR",
    bonus=1_000,
    wagering_multiplier=2,
    starts_at=LAUNCH,
)


def eur(amount: int) -> Money:
    return Money.of(amount, "EUR")


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE)


@pytest.fixture
def store() -> InMemoryPromotionStore:
    return InMemoryPromotionStore()


def service_with(
    promotions: list[Promotion],
    store: InMemoryPromotionStore,
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> PromotionService:
    return PromotionService(
        promotions, store, HostedBonusWallet(wallet), ledger, publisher, clock, PROMOTIONS_SOURCE
    )


@pytest.fixture
def promotions(
    store: InMemoryPromotionStore,
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> PromotionService:
    return service_with([WELCOME, THREE_BETS, TOURNAMENT], store, wallet, ledger, publisher, clock)


def deposit(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, amount: int, number: int = 1
) -> list[str]:
    """A deposit into the wallet, then its FundsDeposited handled by the promotions."""
    wallet.deposit(PLAYER, f"dep-{number}", eur(amount), correlation_id=f"deposit-{number}")
    return promotions.on_deposit(
        PLAYER, f"event-dep-{number}", eur(amount), clock.now(), correlation_id=f"deposit-{number}"
    )


def events(publisher: InMemoryEventPublisher, name: str) -> list[Any]:
    return [event for event in publisher.events if event.name == name]


def balance(wallet: Wallet, player_id: str = PLAYER) -> Balance:
    found = wallet.balance(player_id)
    assert found is not None
    return found


# Rules as data


def test_packaged_rules_parse_into_promotions() -> None:
    packaged = packaged_promotions()

    triggers = {promotion.trigger for promotion in packaged}
    assert Trigger.FIRST_DEPOSIT in triggers
    assert Trigger.BETS_IN_A_DAY in triggers
    # Only the leaderboards publish TournamentEntered: without them no promotion may wait for it.
    assert (Trigger.TOURNAMENT_ENTRY in triggers) is registry.enabled("leaderboards")
    assert len({promotion.promotion_id for promotion in packaged}) == len(packaged)


def rules(**changes: Any) -> str:
    rule: dict[str, Any] = {
        "promotion_id": "welcome",
        "title": "Welcome",
        "trigger": "first_deposit",
        "currency": "EUR",
        "match_percent": 100,
        "bonus": 10_000,
        "wagering_multiplier": 30,
        "starts_at": "2029-01-01T00:00:00+00:00",
        "ends_at": None,
    }
    rule.update(changes)
    return json.dumps({"promotions": [{k: v for k, v in rule.items() if v is not ...}]})


def test_a_rule_reads_into_a_promotion() -> None:
    (promotion,) = parse_promotions(rules(ends_at="2029-02-01T00:00:00+00:00"))

    assert promotion == Promotion(
        promotion_id="welcome",
        title="Welcome",
        trigger=Trigger.FIRST_DEPOSIT,
        currency="EUR",
        bonus=10_000,
        wagering_multiplier=30,
        starts_at=LAUNCH,
        ends_at=datetime(2029, 2, 1, tzinfo=UTC),
        match_percent=100,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"promotion_id": "Welcome Bonus"}, "promotion_id", id="id-with-spaces"),
        pytest.param({"trigger": "birthday"}, "trigger", id="unknown-trigger"),
        pytest.param({"trigger": ["first_deposit"]}, "trigger", id="trigger-as-list"),
        pytest.param({"currency": "euro"}, "currency", id="bad-currency"),
        pytest.param({"bonus": 0}, "bonus", id="zero-bonus"),
        pytest.param({"bonus": 10.5}, "bonus", id="fractional-bonus"),
        pytest.param({"bonus": True}, "bonus", id="boolean-bonus"),
        pytest.param({"wagering_multiplier": 101}, "wagering_multiplier", id="absurd-wagering"),
        pytest.param({"match_percent": ...}, "match_percent", id="deposit-match-without-percent"),
        pytest.param({"starts_at": "2029-01-01T00:00:00"}, "starts_at", id="start-without-offset"),
        pytest.param({"starts_at": "soon"}, "starts_at", id="start-not-a-date"),
        pytest.param({"ends_at": "2028-12-31T00:00:00+00:00"}, "ends_at", id="ends-before-start"),
        pytest.param({"bets_required": 3}, "bets_required", id="field-of-another-trigger"),
        pytest.param({"title": " "}, "title", id="blank-title"),
    ],
)
def test_a_malformed_rule_is_refused_naming_its_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PromotionRulesError, match=rf": {field} "):
        parse_promotions(rules(**changes))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not json", id="not-json"),
        pytest.param("[]", id="not-an-object"),
        pytest.param('{"promotions": {}}', id="promotions-not-a-list"),
        pytest.param('{"promotions": [], "extra": 1}', id="unknown-top-level-field"),
        pytest.param('{"promotions": [7]}', id="rule-not-an-object"),
    ],
)
def test_a_malformed_rules_file_is_refused(text: str) -> None:
    with pytest.raises(PromotionRulesError):
        parse_promotions(text)


def test_two_promotions_with_one_id_are_refused() -> None:
    rule = json.loads(rules())["promotions"][0]

    with pytest.raises(PromotionRulesError, match="appears twice"):
        parse_promotions(json.dumps({"promotions": [rule, rule]}))


# First deposit


def test_first_deposit_earns_its_match_up_to_the_cap(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    assert deposit(wallet, promotions, clock, 25_000) == ["welcome: granted"]

    assert balance(wallet) == Balance(PLAYER, "EUR", cash=25_000, bonus=10_000)
    grant = store.grant(PLAYER, "welcome")
    assert grant == BonusGrant(
        player_id=PLAYER,
        promotion_id="welcome",
        transaction_id=bonus_transaction_id("welcome", PLAYER),
        amount=10_000,
        currency="EUR",
        wagering_required=300_000,
        wagered=0,
        granted_at=clock.now(),
    )


def test_bonus_granted_carries_the_deposits_correlation_id(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    deposit(wallet, promotions, clock, 2_000)

    (granted,) = events(publisher, "BonusGranted")
    assert granted.source == WALLET_SOURCE
    assert granted.correlation_id == "deposit-1"
    assert granted.detail["amount"] == 2_000
    assert granted.detail["transaction_id"] == "promo:welcome:player-1"


def test_only_the_first_deposit_earns_the_welcome_bonus(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    deposit(wallet, promotions, clock, 1_000, number=1)

    assert deposit(wallet, promotions, clock, 9_000, number=2) == ["not the first deposit"]
    assert balance(wallet).bonus == 1_000
    assert len(events(publisher, "BonusGranted")) == 1


def test_redelivered_first_deposit_grants_once(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    deposit(wallet, promotions, clock, 1_000)

    again = promotions.on_deposit(PLAYER, "event-dep-1", eur(1_000), clock.now(), correlation_id="deposit-1")

    assert again == ["welcome: already granted"]
    assert balance(wallet).bonus == 1_000
    assert len(events(publisher, "BonusGranted")) == 1


def test_a_grant_lost_after_the_wallet_credit_is_recorded_on_redelivery(
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    class ForgetfulStore(InMemoryPromotionStore):
        """Crashes once between the wallet's credit and the grant's record."""

        crashed = False

        def record_grant(self, grant: BonusGrant) -> bool:
            if not self.crashed:
                self.crashed = True
                raise ConnectionError("lost the connection")
            return super().record_grant(grant)

    store = ForgetfulStore()
    promotions = service_with([WELCOME], store, wallet, ledger, publisher, clock)
    wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")
    with pytest.raises(ConnectionError):
        promotions.on_deposit(PLAYER, "event-dep-1", eur(1_000), clock.now(), correlation_id="c")

    assert promotions.on_deposit(PLAYER, "event-dep-1", eur(1_000), clock.now(), correlation_id="c") == [
        "welcome: granted"
    ]
    assert balance(wallet).bonus == 1_000
    assert store.grant(PLAYER, "welcome") is not None
    assert len(events(publisher, "BonusGranted")) == 1


def test_deposit_in_another_currency_earns_nothing(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "GBP"), correlation_id="c")

    outcome = promotions.on_deposit(PLAYER, "e-1", Money.of(1_000, "GBP"), clock.now(), correlation_id="c")

    assert outcome == ["no first-deposit promotion"]
    assert store.grants(PLAYER) == []
    assert balance(wallet).bonus == 0


def test_a_first_deposit_before_the_promotion_starts_uses_up_the_first_deposit(
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    store: InMemoryPromotionStore,
) -> None:
    later = replace(WELCOME, starts_at=clock.now() + timedelta(days=1))
    promotions = service_with([later], store, wallet, ledger, publisher, clock)
    assert deposit(wallet, promotions, clock, 1_000, number=1) == ["no first-deposit promotion"]
    clock.advance(timedelta(days=2))

    assert deposit(wallet, promotions, clock, 1_000, number=2) == ["not the first deposit"]
    assert store.grants(PLAYER) == []


def test_a_promotion_that_has_ended_grants_nothing(
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    store: InMemoryPromotionStore,
) -> None:
    ended = replace(WELCOME, ends_at=clock.now())
    promotions = service_with([ended], store, wallet, ledger, publisher, clock)

    assert deposit(wallet, promotions, clock, 1_000) == ["no first-deposit promotion"]


# N bets in a day


def place_bets(
    wallet: Wallet,
    promotions: PromotionService,
    clock: FixedClock,
    count: int,
    stake: int = 100,
    first: int = 1,
) -> list[list[str]]:
    outcomes = []
    for number in range(first, first + count):
        wallet.place_bet(PLAYER, f"bet-{number}", eur(stake), correlation_id=f"round-{number}")
        outcomes.append(
            promotions.on_bet_placed(
                PLAYER, f"event-bet-{number}", eur(stake), clock.now(), correlation_id=f"round-{number}"
            )
        )
    return outcomes


@pytest.fixture
def funded(wallet: Wallet, store: InMemoryPromotionStore, clock: FixedClock) -> Wallet:
    """The player holds 100.00 EUR cash; the deposit was not seen by the promotions."""
    wallet.deposit(PLAYER, "dep-0", eur(10_000), correlation_id="c")
    store.claim_first_deposit(PLAYER, "event-dep-0")
    return wallet


def test_the_nth_bet_of_a_day_earns_the_bonus(
    funded: Wallet, promotions: PromotionService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    outcomes = place_bets(funded, promotions, clock, 3)

    assert outcomes == [["three-bets: bet counted"], ["three-bets: bet counted"], ["three-bets: granted"]]
    assert balance(funded).bonus == 500
    (granted,) = events(publisher, "BonusGranted")
    assert granted.correlation_id == "round-3"


def test_a_redelivered_bet_is_counted_once(
    funded: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    place_bets(funded, promotions, clock, 2)
    for _ in range(3):
        promotions.on_bet_placed(PLAYER, "event-bet-2", eur(100), clock.now(), correlation_id="round-2")

    assert store.grant(PLAYER, "three-bets") is None
    assert place_bets(funded, promotions, clock, 1, first=3) == [["three-bets: granted"]]


def test_bets_of_two_days_do_not_add_up(
    funded: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    place_bets(funded, promotions, clock, 2)
    clock.advance(timedelta(days=1))

    assert place_bets(funded, promotions, clock, 2, first=3) == [["three-bets: bet counted"]] * 2
    assert store.grant(PLAYER, "three-bets") is None


def test_bets_below_the_minimum_stake_do_not_count(
    funded: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    outcomes = place_bets(funded, promotions, clock, 3, stake=99)

    assert outcomes == [["three-bets: stake below the minimum"]] * 3
    assert store.grant(PLAYER, "three-bets") is None


def test_bets_after_the_grant_are_not_counted_again(
    funded: Wallet, promotions: PromotionService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    place_bets(funded, promotions, clock, 3)
    clock.advance(timedelta(days=1))

    assert place_bets(funded, promotions, clock, 3, first=4) == [["three-bets: already granted"]] * 3
    assert balance(funded).bonus == 500
    assert len(events(publisher, "BonusGranted")) == 1


# Tournament entry


def test_a_tournament_entry_earns_its_bonus_once(
    funded: Wallet, promotions: PromotionService, clock: FixedClock
) -> None:
    first = promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry-1")
    second = promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry-2")

    assert (first, second) == (["tournament: granted"], ["tournament: already granted"])
    assert balance(funded).bonus == 1_000


def test_a_grant_never_opens_a_wallet_in_the_promotions_currency(
    wallet: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    # A player without money would be locked into EUR by a bonus; one holding GBP cannot take EUR.
    without_wallet = promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="c")
    wallet.deposit(OTHER_PLAYER, "dep-gbp", Money.of(1_000, "GBP"), correlation_id="c")
    in_pounds = promotions.on_tournament_entered(OTHER_PLAYER, clock.now(), correlation_id="c")

    assert without_wallet == in_pounds == ["tournament: no wallet in EUR"]
    assert wallet.balance(PLAYER) is None
    assert store.grants(PLAYER) == store.grants(OTHER_PLAYER) == []


# Wagering


def settle(
    wallet: Wallet, promotions: PromotionService, bet: str, win: int, *, event: str | None = None
) -> list[str]:
    """Pay a win on `bet`, then hand its BetSettled to the promotions."""
    wallet.settle_win(PLAYER, f"win-{bet}-{event or 1}", bet, eur(win), correlation_id=f"settle-{bet}")
    return promotions.on_bet_settled(PLAYER, event or f"event-win-{bet}", bet, correlation_id=f"settle-{bet}")


def granted(store: InMemoryPromotionStore, promotion_id: str = "tournament") -> BonusGrant:
    grant = store.grant(PLAYER, promotion_id)
    assert grant is not None
    return grant


@pytest.fixture
def owing(funded: Wallet, promotions: PromotionService, clock: FixedClock) -> Wallet:
    """The player holds the tournament bonus (1_000): 2_000 of wagering owed; the clock moved on."""
    promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry")
    clock.advance(timedelta(minutes=1))
    return funded


def test_a_settled_bets_stake_pays_down_the_wagering(
    owing: Wallet, promotions: PromotionService, store: InMemoryPromotionStore
) -> None:
    owing.place_bet(PLAYER, "bet-1", eur(300), correlation_id="c")

    # The win is what the event carries; the requirement counts the stake, not the win.
    assert settle(owing, promotions, "bet-1", 5_000) == ["stake counted"]
    assert (granted(store).wagered, granted(store).remaining) == (300, 1_700)


def test_a_second_win_on_one_bet_counts_its_stake_once(
    owing: Wallet, promotions: PromotionService, store: InMemoryPromotionStore
) -> None:
    owing.place_bet(PLAYER, "bet-1", eur(300), correlation_id="c")
    settle(owing, promotions, "bet-1", 100)

    assert settle(owing, promotions, "bet-1", 100, event="event-second-win") == ["stake already counted"]
    assert granted(store).wagered == 300


def test_a_redelivered_settlement_counts_once(
    owing: Wallet, promotions: PromotionService, store: InMemoryPromotionStore
) -> None:
    owing.place_bet(PLAYER, "bet-1", eur(300), correlation_id="c")
    settle(owing, promotions, "bet-1", 100)

    again = promotions.on_bet_settled(PLAYER, "event-win-bet-1", "bet-1", correlation_id="settle-bet-1")

    assert again == ["stake counted"]
    assert granted(store).wagered == 300


def test_bets_placed_before_the_grant_do_not_count(
    funded: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    funded.place_bet(PLAYER, "bet-early", eur(300), correlation_id="c")
    clock.advance(timedelta(minutes=1))
    promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry")

    assert settle(funded, promotions, "bet-early", 100) == ["no open wagering requirement"]
    assert granted(store).wagered == 0


def test_a_bet_that_is_not_the_players_counts_nothing(
    owing: Wallet, promotions: PromotionService, store: InMemoryPromotionStore
) -> None:
    owing.deposit(OTHER_PLAYER, "dep-other", eur(1_000), correlation_id="c")
    owing.place_bet(OTHER_PLAYER, "bet-other", eur(300), correlation_id="c")

    outcome = promotions.on_bet_settled(PLAYER, "event-x", "bet-other", correlation_id="c")

    assert outcome == ["not a bet of the player"]
    assert granted(store).wagered == 0


def test_completing_the_wagering_announces_it_once_with_the_settlements_correlation_id(
    owing: Wallet,
    promotions: PromotionService,
    store: InMemoryPromotionStore,
    publisher: InMemoryEventPublisher,
) -> None:
    owing.place_bet(PLAYER, "bet-1", eur(1_500), correlation_id="c")
    owing.place_bet(PLAYER, "bet-2", eur(1_500), correlation_id="c")
    settle(owing, promotions, "bet-1", 10)

    assert settle(owing, promotions, "bet-2", 10) == ["stake counted", "tournament: wagering completed"]
    grant = granted(store)
    assert (grant.wagered, grant.remaining, grant.completed) == (2_000, 0, True)
    (completed,) = events(publisher, "WageringCompleted")
    assert completed.source == PROMOTIONS_SOURCE
    assert completed.correlation_id == "settle-bet-2"
    assert completed.detail == {
        "player_id": PLAYER,
        "promotion_id": "tournament",
        "bonus_transaction_id": "promo:tournament:player-1",
        "amount": 1_000,
        "currency": "EUR",
        "wagering_required": 2_000,
    }


def test_a_redelivered_completion_publishes_the_same_event_again(
    owing: Wallet, promotions: PromotionService, publisher: InMemoryEventPublisher
) -> None:
    # The first delivery may have died between counting the stake and publishing: publish again,
    # under the same event id, so consumers that deduplicate see one completion.
    owing.place_bet(PLAYER, "bet-1", eur(2_000), correlation_id="c")
    settle(owing, promotions, "bet-1", 10)

    promotions.on_bet_settled(PLAYER, "event-win-bet-1", "bet-1", correlation_id="settle-bet-1")

    first, again = events(publisher, "WageringCompleted")
    assert first.event_id == again.event_id
    assert again.correlation_id == "settle-bet-1"


def test_a_stake_left_over_goes_to_the_next_grant(
    owing: Wallet,
    promotions: PromotionService,
    clock: FixedClock,
    store: InMemoryPromotionStore,
) -> None:
    place_bets(owing, promotions, clock, 3)  # earns three-bets: 5_000 of wagering, after the tournament
    clock.advance(timedelta(minutes=1))
    owing.place_bet(PLAYER, "bet-big", eur(2_500), correlation_id="c")

    settle(owing, promotions, "bet-big", 10)

    # The three bets of 100 were placed after the tournament grant, but not settled: they count nothing.
    assert (granted(store, "tournament").wagered, granted(store, "tournament").completed) == (2_000, True)
    assert granted(store, "three-bets").wagered == 500


def test_a_bonus_without_wagering_is_complete_when_granted(
    funded: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    store: InMemoryPromotionStore,
) -> None:
    free = replace(TOURNAMENT, wagering_multiplier=0)
    promotions = service_with([free], store, funded, ledger, publisher, clock)

    promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="c")

    assert granted(store).completed_at == clock.now()
    assert granted(store).remaining == 0


# What players see


def test_the_board_lists_running_promotions_by_trigger(
    store: InMemoryPromotionStore, clock: FixedClock
) -> None:
    upcoming = replace(THREE_BETS, promotion_id="upcoming", starts_at=clock.now() + timedelta(days=1))
    board = PromotionBoard([WELCOME, THREE_BETS, upcoming, TOURNAMENT], store, clock)

    assert board.active_promotions() == [WELCOME, THREE_BETS, TOURNAMENT]
    assert board.active_promotions(Trigger.BETS_IN_A_DAY) == [THREE_BETS]
    clock.advance(timedelta(days=1))
    assert board.active_promotions(Trigger.BETS_IN_A_DAY) == [THREE_BETS, upcoming]


def test_the_board_shows_a_players_own_grants_oldest_first(
    owing: Wallet, promotions: PromotionService, clock: FixedClock, store: InMemoryPromotionStore
) -> None:
    place_bets(owing, promotions, clock, 3)
    board = PromotionBoard([], store, clock)

    assert [grant.promotion_id for grant in board.player_grants(PLAYER)] == ["tournament", "three-bets"]
    assert board.player_grants(OTHER_PLAYER) == []
