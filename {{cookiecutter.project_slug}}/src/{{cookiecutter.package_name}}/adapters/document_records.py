"""Player protection and timestamps as the document stores keep them (Firestore, Table Storage).

Both stores hold a flat record of strings and numbers: the limits and pending changes as JSON lists,
moments as fixed-width UTC ISO 8601 strings (they sort as strings, the ledger's order). Each store adds
its own keys and writes the version in its own number type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..domain.guard import PlayerProtection

# The moments a protection record keeps when they are set.
MOMENTS = ("self_excluded_until", "cooling_off_until", "blocked_until")


def timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with a fixed width, so timestamps sort as strings."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def protection_fields(protection: PlayerProtection) -> dict[str, Any]:
    """The record's fields of a protection, without its keys and version."""
    fields: dict[str, Any] = {
        "kyc": protection.kyc.value,
        "limits": json.dumps(
            [
                [limit.kind.value, limit.period.value, limit.amount, limit.currency]
                for limit in protection.limits
            ]
        ),
        "pending": json.dumps(
            [
                [
                    change.kind.value,
                    change.period.value,
                    change.amount,
                    change.currency,
                    timestamp(change.effective_at),
                ]
                for change in protection.pending
            ]
        ),
    }
    for name in MOMENTS:
        moment = getattr(protection, name)
        if moment is not None:
            fields[name] = timestamp(moment)
    return fields


def protection_from_fields(player_id: str, fields: Mapping[str, Any], version: int) -> PlayerProtection:
    """The protection a record holds (its version read by the store, in its own number type)."""
    from ..domain.guard import KycStatus, Limit, LimitKind, LimitPeriod, PendingLimit, PlayerProtection

    def moment(name: str) -> datetime | None:
        return datetime.fromisoformat(fields[name]) if name in fields else None

    return PlayerProtection(
        player_id=player_id,
        kyc=KycStatus(fields["kyc"]),
        limits=tuple(
            Limit(LimitKind(kind), LimitPeriod(period), amount, currency)
            for kind, period, amount, currency in json.loads(fields["limits"])
        ),
        pending=tuple(
            PendingLimit(LimitKind(kind), LimitPeriod(period), amount, currency, datetime.fromisoformat(at))
            for kind, period, amount, currency, at in json.loads(fields["pending"])
        ),
        self_excluded_until=moment("self_excluded_until"),
        cooling_off_until=moment("cooling_off_until"),
        version=version,
    )
