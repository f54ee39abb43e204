"""The operator's wallet adapter against a real HTTP server: the local fake of the operator's platform.

Bonus credits are signed over time, method, path and body with the stack's key, carry their
transaction id as the idempotency key, are retried after a failure or a timeout, and stay one credit.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tools.operator_platform import BONUS_CREDITS_PATH, FakeOperatorPlatform

from {{ cookiecutter.package_name }}.adapters.operator_platform import OperatorPlatformClient
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.operator_wallet import (
    BonusCredit,
    OperatorRefused,
    OperatorUnavailable,
)

KEY = "whsec-operator-wallet-test"  # pragma: allowlist secret (a test key)
CREDIT = BonusCredit("player-1", "mission:daily:player-1:2030-01-01", Money(1_000, "USD"), "corr-1")


@pytest.fixture
def platform() -> Iterator[FakeOperatorPlatform]:
    fake = FakeOperatorPlatform(KEY, excluded=frozenset({"player-excluded"}))
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def client(platform: FakeOperatorPlatform, key: str = KEY, **options: float) -> OperatorPlatformClient:
    return OperatorPlatformClient(platform.url, lambda: key, sleep=lambda _: None, **options)  # type: ignore[arg-type]


def test_a_signed_credit_reaches_the_operators_wallet(platform: FakeOperatorPlatform) -> None:
    client(platform).credit_bonus(CREDIT)

    assert platform.credits == {CREDIT.transaction_id: CREDIT.as_json()}


def test_a_credit_sent_twice_is_credited_once(platform: FakeOperatorPlatform) -> None:
    client(platform).credit_bonus(CREDIT)
    client(platform).credit_bonus(CREDIT)

    assert len(platform.credits) == 1
    assert platform.attempts == 2


def test_a_failing_platform_is_retried_and_credits_once(platform: FakeOperatorPlatform) -> None:
    platform.fail_next = 2

    client(platform).credit_bonus(CREDIT)

    assert platform.attempts == 3
    assert len(platform.credits) == 1


def test_a_platform_that_keeps_failing_is_unavailable_after_the_last_try(
    platform: FakeOperatorPlatform,
) -> None:
    platform.fail_next = 10

    with pytest.raises(OperatorUnavailable):
        client(platform).credit_bonus(CREDIT)

    assert platform.attempts == 3
    assert platform.credits == {}


def test_a_platform_that_times_out_is_retried_then_unavailable(platform: FakeOperatorPlatform) -> None:
    platform.delay = 0.5

    with pytest.raises(OperatorUnavailable):
        client(platform, timeout=0.1, attempts=2).credit_bonus(CREDIT)


def test_a_credit_signed_with_another_key_is_refused_for_good(platform: FakeOperatorPlatform) -> None:
    with pytest.raises(OperatorRefused):
        client(platform, key="not-the-stacks-key").credit_bonus(CREDIT)

    assert platform.credits == {}
    assert platform.attempts == 1  # a 401 is final: no retry


def test_a_stale_signature_is_refused_by_the_platform(platform: FakeOperatorPlatform) -> None:
    stale = OperatorPlatformClient(
        platform.url, lambda: KEY, clock=lambda: 1_000_000_000.0, sleep=lambda _: None
    )

    with pytest.raises(OperatorRefused):
        stale.credit_bonus(CREDIT)

    assert platform.credits == {}


def test_plain_http_is_refused_except_to_this_machine() -> None:
    with pytest.raises(ValueError, match="https"):
        OperatorPlatformClient("http://wallet.operator.example.com", lambda: KEY)

    OperatorPlatformClient("https://wallet.operator.example.com", lambda: KEY)
    OperatorPlatformClient("http://127.0.0.1:8790", lambda: KEY)


def test_the_credits_path_is_the_one_the_fake_serves() -> None:
    from {{ cookiecutter.package_name }}.adapters.operator_platform import (
        BONUS_CREDITS_PATH as ADAPTER_PATH,
    )

    assert ADAPTER_PATH == BONUS_CREDITS_PATH
