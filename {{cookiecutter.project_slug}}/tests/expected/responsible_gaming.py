"""Player protection's part of the tools' tests: the identity check, the limit reached, the KYC call."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.compliance import CURRENCY

DEMO_STEPS = [(100, "identity check"), (350, "limit reached")]
COUNTED = [(100, "kyc")]


def demo_lines() -> list[str]:
    return [f"a 6.00 {CURRENCY} bet refused (limit_exceeded"]
