"""An event as the workers read it, whatever carried it: its type and its detail (the event's envelope)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..observability import valid_correlation_id


class MalformedEvent(ValueError):
    """The message is not an event this worker understands."""


@dataclass(frozen=True)
class BusEvent:
    """What happened (`detail_type`: the event's name) and its detail object (EventBridge's `detail`,
    the CloudEvent's `data` on Azure: the same envelope, domain/events.py)."""

    detail_type: str
    detail: dict[str, Any]

    @property
    def correlation_id(self) -> str | None:
        """The correlation id the event carries, if it is a usable one."""
        return valid_correlation_id(self.detail.get("correlation_id"))

    def text(self, name: str) -> str:
        """The detail's `name` field, which must be a non-empty string."""
        value = self.detail.get(name)
        if not isinstance(value, str) or not value:
            raise MalformedEvent(f"{name} must be a non-empty string")
        return value

    def amount(self, maximum: int | None = None) -> int:
        """The detail's amount in minor units: an integer from 0 (to `maximum`, if given)."""
        value = self.detail.get("amount")
        rule = "a non-negative integer" if maximum is None else f"an integer between 0 and {maximum}"
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise MalformedEvent(f"amount must be {rule}")
        if maximum is not None and value > maximum:
            raise MalformedEvent(f"amount must be {rule}")
        return value
