"""Patterns match the whole value: a trailing line break is not a valid currency or correlation id.

(`$` in a pattern also matches before a final newline, so `re.match(r"^[A-Z]{3}$", "EUR\\n")` succeeds:
every pattern here is used with fullmatch.)
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.observability import valid_correlation_id


@pytest.mark.parametrize("currency", ["EUR\n", "EUR\r\n", " EUR", "eur"])
def test_a_currency_with_anything_around_it_is_refused(currency: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        Money.of(100, currency)

    assert refused.value.field == "currency"


@pytest.mark.parametrize("value", ["request-1\n", "request-1\r", "\nrequest-1"])
def test_a_correlation_id_with_a_line_break_is_not_used(value: str) -> None:
    assert valid_correlation_id(value) is None


def test_a_plain_currency_and_correlation_id_are_accepted() -> None:
    assert Money.of(100, "EUR").currency == "EUR"
    assert valid_correlation_id("request-1") == "request-1"
