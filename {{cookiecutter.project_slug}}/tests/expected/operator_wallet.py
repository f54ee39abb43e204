"""The hybrid mode's part of the tools' tests: the operator's signed play through the webhook, with
promotions its first deposit, and with leaderboards the mission reward credited at the operator's (fake)
platform."""

from __future__ import annotations

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.compliance import CURRENCY

DEMO_STEPS = [(300, "operator play")]
if registry.enabled("promotions"):
    DEMO_STEPS.insert(0, (200, "operator deposit"))
if registry.enabled("leaderboards"):
    DEMO_STEPS.append((650, "operator bonus"))


def demo_lines() -> list[str]:
    # The operator's wallet staked 12.50, rolled 2.50 back and paid 25.00 (its webhook's events).
    lines = [f"GGR -15.00 {CURRENCY} today"] if registry.enabled("reporting") else []
    if registry.enabled("leaderboards"):
        lines.append(f"the operator's wallet received the signed bonus credit 10.00 {CURRENCY}")
    return lines
