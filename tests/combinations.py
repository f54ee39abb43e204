"""The readable list of supported answer combinations, and of answers that must be refused.

Each entry's id names its combination; tests parametrize over these lists.
"""

from __future__ import annotations

from typing import Any

PLANNED_OFF = {
    "module_responsible_gaming": False,
    "module_promotions": False,
    "module_notifications": False,
    "module_leaderboards": False,
    "module_reporting": False,
    "module_scheduled_jobs": False,
}

# Pairwise over the buildable modules (sessions x wallet), jurisdictions, Python versions and
# regions: every pair of values appears in at least one combination.
SUPPORTED: list[tuple[str, dict[str, Any]]] = [
    ("aws-default", {}),
    ("aws-sessions-only", {"module_wallet": False, **PLANNED_OFF}),
    ("aws-wallet-only-ukgc-py312", {
        "module_sessions": False, **PLANNED_OFF,
        "jurisdiction": "uk-gc", "region": "eu-west-2", "python_version": "3.12",
    }),
    ("aws-mga-eu-south-1-py314", {"jurisdiction": "mga", "region": "eu-south-1", "python_version": "3.14"}),
    ("aws-usnj-us-east-1-sessions-only-py312", {
        "module_wallet": False, **PLANNED_OFF,
        "jurisdiction": "us-nj", "region": "us-east-1", "python_version": "3.12",
    }),
    ("aws-none-ap-southeast-2-wallet-only", {
        "module_sessions": False, **PLANNED_OFF, "region": "ap-southeast-2", "python_version": "3.14",
    }),
]

# Valid but hostile answers: quotes, apostrophes, backslashes, unicode, shell syntax.
# (Template syntax in answers is tested through a replay file: see test_hostile_answers.py.)
HOSTILE: list[tuple[str, dict[str, Any]]] = [
    ("quotes-and-apostrophes", {
        "project_name": "O'Brien's \"Lucky\" Casino",
        "description": "Bets & wins: \"fast\", 'safe' and \\escaped\\ too",
    }),
    ("unicode-name", {
        "project_name": "Café Königsberg — Ünïcødé Casino ✓",
        "description": "Spiele für alle: ¡olé! 幸运",
    }),
    ("backslashes-and-shell", {
        "project_name": "Back\\slash `Casino` $(whoami)",
        "project_slug": "backslash-casino",
        "author_name": "Ops \\ Team \"$HOME\"",
    }),
]

# Answers that must be refused: (id, answers, the field the message must name).
UNSUPPORTED: list[tuple[str, dict[str, Any], str]] = [
    ("slug-uppercase", {"project_slug": "Lucky-Casino"}, "project_slug"),
    ("slug-starts-with-digit", {"project_slug": "7-stars"}, "project_slug"),
    ("slug-underscore", {"project_slug": "lucky_casino"}, "project_slug"),
    ("slug-trailing-hyphen", {"project_slug": "lucky-"}, "project_slug"),
    ("slug-too-long", {"project_slug": "a" + "-casino" * 7}, "project_slug"),
    ("slug-with-space", {"project_slug": "lucky casino"}, "project_slug"),
    ("package-keyword", {"package_name": "class"}, "package_name"),
    ("package-with-hyphen", {"package_name": "lucky-casino"}, "package_name"),
    ("name-empty", {"project_name": "   ", "project_slug": "casino"}, "project_name"),
    ("name-too-long", {"project_name": "Casino " * 20, "project_slug": "casino"}, "project_name"),
    ("name-with-newline", {"project_name": "Lucky\nCasino", "project_slug": "lucky-casino"}, "project_name"),
    ("email-without-at", {"author_email": "platform.example.com"}, "author_email"),
    ("alert-email-with-space", {"alert_email": "ops team@example.com"}, "alert_email"),
    ("unknown-region", {"region": "eu-west-9"}, "region"),
    ("gcp-region-on-aws", {"region": "europe-west1"}, "region"),
    ("azure-region-on-aws", {"region": "westeurope"}, "region"),
    ("unknown-provider", {"cloud_provider": "oracle"}, "cloud_provider"),
    ("gcp-not-built-yet", {"cloud_provider": "gcp", "region": "europe-west1"}, "cloud_provider"),
    ("azure-not-built-yet", {"cloud_provider": "azure", "region": "westeurope"}, "cloud_provider"),
    ("unknown-jurisdiction", {"jurisdiction": "nowhere"}, "jurisdiction"),
    ("usnj-outside-us", {"jurisdiction": "us-nj", "region": "eu-west-1"}, "region"),
    ("mga-outside-eu", {"jurisdiction": "mga", "region": "us-east-1"}, "region"),
    ("promotions-without-wallet", {"module_wallet": False}, "module_promotions"),
    ("reporting-without-wallet", {"module_wallet": False, "module_promotions": False,
                                  "module_leaderboards": False, "module_scheduled_jobs": False,
                                  "module_responsible_gaming": False}, "module_reporting"),
    ("no-buildable-module", {"module_wallet": False, "module_sessions": False, **PLANNED_OFF}, "module_"),
    ("module-not-a-boolean", {"module_wallet": "maybe"}, "module_wallet"),
    ("python-too-old", {"python_version": "3.9"}, "python_version"),
]
