"""infra/monitoring.tf's log-based metrics, and whether a log line the code writes is one they count.

No emulator serves Cloud Logging, so the `jsonPayload` terms of a metric's filter (the part that reads
the line the code wrote; the `resource` terms name where it runs) are evaluated here, in the logging
query language's meaning: `=` an equal value, `>`, `>=`, `<`, `<=` a number compared. A filter term of
another shape fails the caller's test rather than being skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

MONITORING = Path(__file__).resolve().parents[2] / "infra" / "monitoring.tf"
_METRIC = re.compile(
    r'^resource "google_logging_metric" "(\w+)" \{.*?^  filter\s*=\s*"((?:[^"\\]|\\.)*)"',
    re.DOTALL | re.MULTILINE,
)
_TERM = re.compile(r'jsonPayload\.([\w.]+)\s*(=|>=|<=|>|<)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)')


def log_metric_filters(path: Path = MONITORING) -> dict[str, str]:
    """Each google_logging_metric's filter by resource name, its escaped quotes read as quotes."""
    return {name: raw.replace('\\"', '"') for name, raw in _METRIC.findall(path.read_text(encoding="utf-8"))}


def payload_terms(log_filter: str) -> list[tuple[str, str, str | float]]:
    """The filter's jsonPayload terms (all ANDed): (field path, operator, value)."""
    terms = []
    for clause in (part.strip() for part in log_filter.split(" AND ")):
        if not clause.startswith("jsonPayload."):
            continue
        term = _TERM.fullmatch(clause)
        assert term is not None, f"a filter term this check cannot read: {clause!r}"
        path, operator, raw = term.groups()
        terms.append((path, operator, json.loads(raw) if raw.startswith('"') else float(raw)))
    return terms


def counts(log_filter: str, line: dict[str, Any]) -> bool:
    """Whether the metric with this filter counts the JSON log line (its jsonPayload)."""
    terms = payload_terms(log_filter)
    assert terms, f"the filter reads no field of the line: {log_filter!r}"
    return all(_holds(_field(line, path), operator, value) for path, operator, value in terms)


def _field(line: dict[str, Any], path: str) -> Any:
    value: Any = line
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _holds(found: Any, operator: str, wanted: str | float) -> bool:
    if found is None:
        return False
    if operator == "=":
        return bool(found == wanted) if isinstance(wanted, str) else _number(found) == wanted
    number = _number(found)
    if number is None or isinstance(wanted, str):
        return False
    compared = {">": number > wanted, ">=": number >= wanted, "<": number < wanted, "<=": number <= wanted}
    return compared[operator]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def log_lines(output: str) -> list[dict[str, Any]]:
    """The JSON lines of captured output."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]
