"""infra/monitoring.tf's alert queries, and whether a log line the code writes is one they count.

No emulator serves Application Insights, so the `where Message has/contains "…"` terms of an alert's
Kusto query (the part that reads the line the code wrote) are evaluated here: a line counts when it
holds one of the phrases, case-insensitively, as `has` and `contains` match. A query with no such term
fails the caller's test rather than being skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

MONITORING = Path(__file__).resolve().parents[2] / "infra" / "monitoring.tf"
_ALERT = re.compile(
    r'^    ([\w-]+) = \{\n(?:      .*\n)*?      query\s*=\s*"((?:[^"\\]|\\.)*)"', re.MULTILINE
)
_PHRASE = re.compile(r'Message (?:has|contains) "((?:[^"\\]|\\.)*)"')


def alert_queries(path: Path = MONITORING) -> dict[str, str]:
    """Each alert's query by its key in `local.alerts`, its escaped quotes read as quotes."""
    return {key: raw.replace('\\"', '"') for key, raw in _ALERT.findall(path.read_text(encoding="utf-8"))}


def counts(query: str, line: str) -> bool:
    """Whether the alert's query counts the log line (its text, as Application Insights' Message)."""
    phrases = _PHRASE.findall(query)
    assert phrases, f"the query reads no phrase of the line: {query!r}"
    return any(phrase.lower() in line.lower() for phrase in phrases)
