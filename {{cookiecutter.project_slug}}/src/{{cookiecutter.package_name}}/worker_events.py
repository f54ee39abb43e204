"""An event as a worker receives it, whatever delivered it: its name and its detail object.

On AWS an SQS record carries it (handlers/sqs.py reads the EventBridge envelope); on GCP a Pub/Sub push
(gcp_push.py). What a worker does with one event takes a BusEvent, so both clouds run the same step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .observability import valid_correlation_id


class MalformedEvent(ValueError):
    """The message is not an event this worker understands."""


@dataclass(frozen=True)
class BusEvent:
    """What happened (EventBridge's detail-type, the Pub/Sub message's `type`) and its detail object."""

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
