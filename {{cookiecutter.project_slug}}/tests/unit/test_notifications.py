"""Notifications in memory: which events tell the player what, consent, self-exclusion, once per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.notifications import (
    CLAIM_LEASE,
    INDEFINITELY,
    Delivery,
    DeliveryInProgress,
    ExcludedFromMarketing,
    NotificationKind,
    NotificationService,
    PreferencesUpdate,
    Reason,
    UnreadableEvent,
    format_money,
)
from {{ cookiecutter.package_name }}.settings import SettingsError
from {{ cookiecutter.package_name }}.settings_notifications import NotificationSettings

PLAYER = "player-1"
SOURCE = "{{ cookiecutter.package_name }}.notifications"
THRESHOLD = 50_000


@pytest.fixture
def store() -> InMemoryNotificationStore:
    return InMemoryNotificationStore()


@pytest.fixture
def channel() -> InMemoryChannel:
    return InMemoryChannel()


@pytest.fixture
def service(
    store: InMemoryNotificationStore,
    channel: InMemoryChannel,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> NotificationService:
    return NotificationService(store, channel, publisher, clock, SOURCE, big_win_threshold=THRESHOLD)


def handle(service: NotificationService, name: str, event_id: str = "event-1", **detail: Any) -> Delivery:
    return service.handle(name, {"player_id": PLAYER, **detail}, event_id=event_id, correlation_id="corr-1")


def opt_in(service: NotificationService, player_id: str = PLAYER) -> None:
    service.update_preferences(player_id, PreferencesUpdate(marketing=True))


@pytest.mark.parametrize(
    ("name", "detail", "reason"),
    [
        pytest.param(
            "RealityCheckDue", {"elapsed_minutes": 60}, Reason.REALITY_CHECK_DUE, id="reality-check"
        ),
        pytest.param("LimitReached", {"limit_type": "deposit"}, Reason.LIMIT_REACHED, id="limit"),
        pytest.param("SelfExclusionStarted", {}, Reason.SELF_EXCLUSION_STARTED, id="self-exclusion"),
    ],
)
def test_service_messages_reach_players_who_declined_marketing(
    service: NotificationService, channel: InMemoryChannel, name: str, detail: dict[str, Any], reason: Reason
) -> None:
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=False))

    assert handle(service, name, **detail) is Delivery.SENT

    assert [(n.player_id, n.reason, n.kind) for n in channel.delivered] == [
        (PLAYER, reason, NotificationKind.SERVICE)
    ]


def test_reality_check_says_how_long_the_player_has_played(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    handle(service, "RealityCheckDue", elapsed_minutes=90)

    assert "90 minutes" in channel.delivered[0].text


def test_limit_reached_names_the_limit_when_the_event_does(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    handle(service, "LimitReached", "e-1", limit_type="daily_loss")
    handle(service, "LimitReached", "e-2")

    assert "daily loss limit" in channel.delivered[0].text
    assert "one of your limits" in channel.delivered[1].text


def test_bonus_reaches_a_player_who_opted_in(service: NotificationService, channel: InMemoryChannel) -> None:
    opt_in(service)

    assert handle(service, "BonusGranted", amount=2_500, currency="EUR") is Delivery.SENT

    assert channel.delivered[0].kind is NotificationKind.MARKETING
    assert "25.00 EUR" in channel.delivered[0].text


def test_marketing_is_withheld_from_a_player_who_never_chose(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    assert handle(service, "BonusGranted", amount=2_500, currency="EUR") is Delivery.SUPPRESSED
    assert channel.delivered == []


def test_the_operator_can_make_marketing_the_default(
    store: InMemoryNotificationStore,
    channel: InMemoryChannel,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    service = NotificationService(store, channel, publisher, clock, SOURCE, marketing_default=True)

    assert handle(service, "BonusGranted", amount=2_500, currency="EUR") is Delivery.SENT
    assert service.preferences(PLAYER).marketing is True


def test_marketing_is_not_sent_after_the_player_opts_out(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    opt_in(service)
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=False))

    assert handle(service, "BonusGranted", amount=2_500, currency="EUR") is Delivery.SUPPRESSED
    assert channel.delivered == []


def test_only_a_win_at_or_above_the_threshold_is_a_big_win(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    opt_in(service)

    assert (
        handle(service, "BetSettled", "win-small", amount=THRESHOLD - 1, currency="EUR") is Delivery.IGNORED
    )
    assert handle(service, "BetSettled", "win-big", amount=THRESHOLD, currency="EUR") is Delivery.SENT

    assert [n.notification_id for n in channel.delivered] == ["win-big"]
    assert channel.delivered[0].reason is Reason.BIG_WIN
    assert "500.00 EUR" in channel.delivered[0].text


def test_self_exclusion_is_recorded_and_stops_marketing_until_it_ends(
    service: NotificationService, channel: InMemoryChannel, clock: FixedClock
) -> None:
    opt_in(service)
    until = clock.now() + timedelta(days=180)

    handle(service, "SelfExclusionStarted", "excl-1", until=until.isoformat())
    during = handle(service, "BonusGranted", "bonus-1", amount=1_000, currency="EUR")
    clock.advance(timedelta(days=181))
    after = handle(service, "BonusGranted", "bonus-2", amount=1_000, currency="EUR")

    assert (during, after) == (Delivery.SUPPRESSED, Delivery.SENT)
    assert [n.reason for n in channel.delivered] == [Reason.SELF_EXCLUSION_STARTED, Reason.BONUS_GRANTED]
    assert until.date().isoformat() in channel.delivered[0].text
    assert service.preferences(PLAYER).excluded_until == until


def test_a_self_excluded_player_cannot_opt_into_marketing_until_the_exclusion_ends(
    service: NotificationService, clock: FixedClock
) -> None:
    handle(service, "SelfExclusionStarted", "excl-1", until=(clock.now() + timedelta(days=180)).isoformat())

    with pytest.raises(ExcludedFromMarketing) as refused:
        opt_in(service)
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=False))  # opting out is always allowed
    clock.advance(timedelta(days=181))
    opt_in(service)

    assert (refused.value.status, refused.value.code, refused.value.field) == (
        403,
        "self_excluded",
        "marketing",
    )
    assert service.preferences(PLAYER).marketing is True


@pytest.mark.parametrize(
    "detail",
    [pytest.param({}, id="no-end"), pytest.param({"until": "next spring"}, id="unreadable-end")],
)
def test_self_exclusion_without_a_readable_end_is_indefinite(
    service: NotificationService, detail: dict[str, Any]
) -> None:
    opt_in(service)

    handle(service, "SelfExclusionStarted", **detail)

    assert service.preferences(PLAYER).excluded_until == INDEFINITELY
    assert handle(service, "BonusGranted", "bonus-1", amount=1_000, currency="EUR") is Delivery.SUPPRESSED


def test_a_shorter_exclusion_does_not_cut_a_longer_one_short(
    service: NotificationService, clock: FixedClock
) -> None:
    longer = clock.now() + timedelta(days=365)
    shorter = clock.now() + timedelta(days=30)

    handle(service, "SelfExclusionStarted", "excl-1", until=longer.isoformat())
    handle(service, "SelfExclusionStarted", "excl-2", until=shorter.isoformat())

    assert service.preferences(PLAYER).excluded_until == longer


def test_redelivered_event_tells_the_player_once_and_announces_the_same_event(
    service: NotificationService, channel: InMemoryChannel, publisher: InMemoryEventPublisher
) -> None:
    first = handle(service, "RealityCheckDue")
    again = handle(service, "RealityCheckDue")

    assert (first, again) == (Delivery.SENT, Delivery.ALREADY_SENT)
    assert len(channel.delivered) == 1
    sent = [event for event in publisher.events if event.name == "NotificationSent"]
    assert {event.event_id for event in sent} == {sent[0].event_id}
    assert sent[0].source == SOURCE
    assert sent[0].correlation_id == "corr-1"
    assert sent[0].detail == {
        "player_id": PLAYER,
        "notification_id": "event-1",
        "reason": "reality_check_due",
        "kind": "service",
        "channel": "memory",
    }


class FlakyChannel(InMemoryChannel):
    """Fails the first `failures` deliveries, like a throttled SNS topic."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def deliver(self, notification: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("channel unavailable")
        super().deliver(notification)


def test_a_failed_send_is_given_back_and_sent_on_the_next_delivery(
    store: InMemoryNotificationStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    channel = FlakyChannel(failures=1)
    service = NotificationService(store, channel, publisher, clock, SOURCE)

    with pytest.raises(ConnectionError):
        handle(service, "LimitReached")
    assert publisher.events == []

    assert handle(service, "LimitReached") is Delivery.SENT
    assert len(channel.delivered) == 1


def test_a_delivery_claimed_by_another_worker_is_retried_later_not_sent_twice(
    service: NotificationService,
    store: InMemoryNotificationStore,
    channel: InMemoryChannel,
    clock: FixedClock,
) -> None:
    store.claim("event-1", clock.now(), clock.now() + CLAIM_LEASE)

    with pytest.raises(DeliveryInProgress):
        handle(service, "LimitReached")
    assert channel.delivered == []

    # The other worker died without finishing: once its lease is over, the event is sent.
    clock.advance(CLAIM_LEASE)
    assert handle(service, "LimitReached") is Delivery.SENT


def test_an_unreachable_player_is_recorded_not_retried(
    store: InMemoryNotificationStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    channel = InMemoryChannel(unreachable=frozenset({PLAYER}))
    service = NotificationService(store, channel, publisher, clock, SOURCE)

    assert handle(service, "LimitReached") is Delivery.UNDELIVERABLE
    assert handle(service, "LimitReached") is Delivery.ALREADY_SENT
    assert publisher.events == []


def test_other_events_are_ignored(service: NotificationService, channel: InMemoryChannel) -> None:
    assert handle(service, "BetPlaced", amount=100, currency="EUR") is Delivery.IGNORED
    assert channel.delivered == []


@pytest.mark.parametrize("detail", [{}, {"player_id": ""}, {"player_id": 7}])
def test_an_event_without_a_player_is_unreadable(
    service: NotificationService, detail: dict[str, Any]
) -> None:
    with pytest.raises(UnreadableEvent):
        service.handle("LimitReached", detail, event_id="event-1", correlation_id="corr-1")


def test_preferences_keep_what_an_update_leaves_out(service: NotificationService, clock: FixedClock) -> None:
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=True, email="ann@example.com"))

    service.update_preferences(PLAYER, PreferencesUpdate(marketing=False))
    kept = service.preferences(PLAYER)
    service.update_preferences(PLAYER, PreferencesUpdate(forget_email=True))
    forgotten = service.preferences(PLAYER)

    assert (kept.marketing, kept.email, kept.updated_at) == (False, "ann@example.com", clock.now())
    assert (forgotten.marketing, forgotten.email) == (False, None)


@pytest.mark.parametrize(
    "email",
    ["not-an-address", "a@b", "two@@example.com", "x" * 250 + "@example.com", "ann@example.com\n"],
)
def test_a_malformed_email_is_refused_and_nothing_changes(service: NotificationService, email: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        service.update_preferences(PLAYER, PreferencesUpdate(marketing=True, email=email))

    assert refused.value.field == "email"
    assert service.preferences(PLAYER).marketing is False


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (123_456, "EUR", "1,234.56 EUR"),
        (5, "GBP", "0.05 GBP"),
        (1_500, "JPY", "1,500 JPY"),
        (1_001, "KWD", "1.001 KWD"),
    ],
)
def test_money_reads_in_the_currencys_own_units(amount: int, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


def test_exclusion_end_without_a_timezone_is_read_as_utc(service: NotificationService) -> None:
    handle(service, "SelfExclusionStarted", until="2031-06-01T00:00:00")

    assert service.preferences(PLAYER).excluded_until == datetime(2031, 6, 1, tzinfo=UTC)


def test_settings_default_to_the_log_channel_and_no_marketing() -> None:
    settings = NotificationSettings.from_env({"NOTIFICATIONS_TABLE_NAME": "notifications"})

    assert (settings.channel, settings.big_win_threshold, settings.marketing_default) == (
        "log",
        100_000,
        False,
    )


@pytest.mark.parametrize(
    ("environment", "variable"),
    [
        pytest.param({}, "NOTIFICATIONS_TABLE_NAME", id="no-table"),
        pytest.param(
            {"NOTIFICATION_CHANNEL": "carrier-pigeon"}, "NOTIFICATION_CHANNEL", id="unknown-channel"
        ),
        pytest.param({"NOTIFICATION_CHANNEL": "sns"}, "NOTIFICATIONS_TOPIC_ARN", id="sns-without-topic"),
        pytest.param({"NOTIFICATION_CHANNEL": "ses"}, "NOTIFICATION_SENDER", id="ses-without-sender"),
        pytest.param({"BIG_WIN_THRESHOLD": "10.5"}, "BIG_WIN_THRESHOLD", id="fractional-threshold"),
        pytest.param({"BIG_WIN_THRESHOLD": "0"}, "BIG_WIN_THRESHOLD", id="zero-threshold"),
        pytest.param({"MARKETING_DEFAULT": "maybe"}, "MARKETING_DEFAULT", id="marketing-default-not-bool"),
    ],
)
def test_settings_refuse_what_the_worker_cannot_run_with(environment: dict[str, str], variable: str) -> None:
    base = {} if variable == "NOTIFICATIONS_TABLE_NAME" else {"NOTIFICATIONS_TABLE_NAME": "notifications"}

    with pytest.raises(SettingsError, match=variable):
        NotificationSettings.from_env({**base, **environment})
