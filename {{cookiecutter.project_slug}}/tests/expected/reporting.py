"""The reporting's part of the tools' tests: the daily report of the journey's GGR."""

from __future__ import annotations

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.compliance import CURRENCY

DEMO_STEPS = [(700, "daily report")]


def demo_lines() -> list[str]:
    # The hosted wallet's journey; in the hybrid mode the operator's play sets it (operator_wallet.py).
    return [f"GGR -7.00 {CURRENCY} today"] if registry.enabled("wallet") else []
