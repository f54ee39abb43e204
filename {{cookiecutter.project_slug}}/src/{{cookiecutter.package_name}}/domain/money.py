"""Money in integer minor units with its currency: never floats."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ValidationFailed

CURRENCY_RE = re.compile(r"[A-Z]{3}")
# Upper bound of one transaction: guards against overflow and fat-finger amounts (1e12 minor units).
MAX_AMOUNT = 10**12


@dataclass(frozen=True, slots=True)
class Money:
    """A positive amount in minor units (cents, pence) of an ISO 4217 currency."""

    amount: int
    currency: str

    @classmethod
    def of(cls, amount: object, currency: object, *, field: str = "amount") -> Money:
        """Validate raw input into Money, naming the offending field on refusal."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValidationFailed(f"{field} must be an integer number of minor units", field=field)
        if amount <= 0 or amount > MAX_AMOUNT:
            raise ValidationFailed(f"{field} must be between 1 and {MAX_AMOUNT}", field=field)
        if not isinstance(currency, str) or not CURRENCY_RE.fullmatch(currency):
            raise ValidationFailed("currency must be a three-letter ISO 4217 code", field="currency")
        return cls(amount, currency)
