"""The readable list of supported answer combinations, and of answers that must be refused.

Each entry's id names its combination; tests parametrize over these lists.
"""

from __future__ import annotations

from typing import Any

# The longest slug the prompt allows: its package name makes every line that names it longest, so a
# combination with it proves the generated code stays lint- and format-clean for any name.
LONGEST_SLUG = "lucky-star-casino-platform-eu-operations"

MODULES = ("sessions", "wallet", "operator_wallet", "responsible_gaming", "promotions", "notifications",
           "leaderboards", "reporting", "scheduled_jobs")


def only(*modules: str) -> dict[str, bool]:
    """Answers that switch on exactly these modules."""
    unknown = set(modules) - set(MODULES)
    assert not unknown, unknown
    return {f"module_{name}": name in modules for name in MODULES}


# Pairwise over the eight modules (test_manifest.py proves every pair of on/off values that the
# modules' dependencies allow appears in some combination), with each jurisdiction, Python version
# and a spread of regions. Responsible gaming, whose limits come from the jurisdiction, meets three of them.
# us-nj takes supporting modules only (sessions): N.J.S.A. 5:12-95.22(a) keeps the wallet out of public clouds.
SUPPORTED: list[tuple[str, dict[str, Any]]] = [
    ("aws-default", {}),
    ("aws-usnj-us-east-1-sessions-only-py312", {
        **only("sessions"), "jurisdiction": "us-nj", "region": "us-east-1", "python_version": "3.12",
    }),
    # The hybrid mode: the supporting modules around the operator's own wallet, where N.J.S.A.
    # 5:12-95.22(a) keeps the wallet itself off every public cloud region. Its scheduled jobs are the
    # sessions' only: the ledger's (reconciliation, export) need the hosted wallet (manifest `needs`).
    ("aws-usnj-us-east-1-hybrid-operator-wallet-promotions-notifications-leaderboards-reporting-jobs", {
        **only("sessions", "operator_wallet", "promotions", "notifications", "leaderboards", "reporting",
               "scheduled_jobs"),
        "jurisdiction": "us-nj", "region": "us-east-1",
    }),
    ("aws-ukgc-wallet-promotions-notifications-py312", {
        **only("wallet", "promotions", "notifications"),
        "jurisdiction": "uk-gc", "region": "eu-west-2", "python_version": "3.12",
    }),
    ("aws-ap-southeast-2-wallet-leaderboards-reporting-py314-longest-slug", {
        **only("wallet", "leaderboards", "reporting"), "region": "ap-southeast-2", "python_version": "3.14",
        "project_slug": LONGEST_SLUG,
    }),
    ("aws-mga-eu-south-1-protection-jobs", {
        **only("sessions", "wallet", "responsible_gaming", "scheduled_jobs"),
        "jurisdiction": "mga", "region": "eu-south-1",
    }),
    # Sweden and Ontario are data only in the manifest: these two prove a new jurisdiction generates
    # and passes without code (they took the places of a second uk-gc and a us-nj wallet combination).
    ("aws-se-eu-north-1-promotions-reporting-jobs-py314", {
        **only("sessions", "wallet", "promotions", "reporting", "scheduled_jobs"),
        "jurisdiction": "se", "region": "eu-north-1", "python_version": "3.14",
    }),
    ("aws-caon-ca-central-1-protection-notifications-leaderboards-py312-longest-slug", {
        **only("sessions", "wallet", "responsible_gaming", "notifications", "leaderboards"),
        "jurisdiction": "ca-on", "region": "ca-central-1", "python_version": "3.12", "project_slug": LONGEST_SLUG,
    }),
]

# The GCP combinations: tests/test_gcp_infra.py checks each one's Terraform offline (the infra check, the
# audit of this flavour) and runs its `make package`, and CLOUD_WHOLE below its lint and whole suite (SUPPORTED
# is AWS's: its tests package with osls and scan CloudFormation). Every module on, a few modules alone, each
# jurisdiction with a GCP region rule, the hybrid mode, another Python and the longest slug.
GCP_COMBINATIONS: list[tuple[str, dict[str, Any]]] = [
    ("gcp-default", {"cloud_provider": "gcp", "region": "europe-west1"}),
    ("gcp-mga-europe-west8-protection-notifications-jobs-py312", {
        **only("sessions", "wallet", "responsible_gaming", "notifications", "scheduled_jobs"), "cloud_provider": "gcp",
        "jurisdiction": "mga", "region": "europe-west8", "python_version": "3.12",
    }),
    ("gcp-ukgc-europe-west2-wallet-promotions-reporting-py314-longest-slug", {
        **only("wallet", "promotions", "reporting"), "cloud_provider": "gcp", "jurisdiction": "uk-gc",
        "region": "europe-west2", "python_version": "3.14", "project_slug": LONGEST_SLUG,
    }),
    ("gcp-usnj-us-east4-sessions-only", {
        **only("sessions"), "cloud_provider": "gcp", "jurisdiction": "us-nj", "region": "us-east4",
    }),
    # The hybrid mode on GCP: the supporting modules around the operator's own wallet (as AWS's one).
    ("gcp-usnj-us-east4-hybrid", {
        **only("sessions", "operator_wallet", "promotions", "notifications", "leaderboards", "reporting",
               "scheduled_jobs"),
        "cloud_provider": "gcp", "jurisdiction": "us-nj", "region": "us-east4",
    }),
]

# The Azure combinations, checked offline and packaged by tests/test_azure_infra.py, linted and tested whole by
# CLOUD_WHOLE. A small pairwise set: every module on; money modules alone under a jurisdiction with an Azure
# region rule, the longest slug and another Python; a supporting module alone; the hybrid mode.
AZURE_COMBINATIONS: list[tuple[str, dict[str, Any]]] = [
    ("azure-default", {"cloud_provider": "azure", "region": "westeurope"}),
    ("azure-mga-italynorth-wallet-promotions-reporting-py314-longest-slug", {
        **only("wallet", "promotions", "reporting"), "cloud_provider": "azure", "jurisdiction": "mga",
        "region": "italynorth", "python_version": "3.14", "project_slug": LONGEST_SLUG,
    }),
    ("azure-usnj-eastus-sessions-only-py312", {
        **only("sessions"), "cloud_provider": "azure", "jurisdiction": "us-nj", "region": "eastus",
        "python_version": "3.12",
    }),
    # The hybrid mode on Azure: the supporting modules around the operator's own wallet (as AWS's).
    ("azure-usnj-eastus-hybrid", {
        **only("sessions", "operator_wallet", "promotions", "notifications", "leaderboards", "reporting",
               "scheduled_jobs"),
        "cloud_provider": "azure", "jurisdiction": "us-nj", "region": "eastus",
    }),
]

# Every GCP and Azure combination's whole project is checked like a supported one (tests/test_generated_project.py:
# ruff, ruff format, mypy and the whole pytest on the cloud's own environment and local servers). The cloud's
# own template test runs some files on the default project (tests/test_gcp_infra.py on the emulators, with the
# longest slug; tests/test_azure_local.py on Azurite): that project's run leaves them out (`ran_elsewhere`), and
# the Azure default takes the longest slug as they do, so no test runs twice on the same kind of project.
CLOUD_ENVIRONMENTS: dict[str, dict[str, Any]] = {
    "gcp": {"python": "TEMPLATE_GCP_PYTHON", "env": {}},
    "azure": {"python": "TEMPLATE_AZURE_PYTHON", "env": {"AZURITE": "TEMPLATE_AZURITE"}},
}
_CONTRACTS = ("tests/contract/test_ledger_store_contract.py",
              "tests/contract/test_ledger_store_contract_with_sessions.py")
_RUN_BY_THE_CLOUDS_OWN_TEST: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "gcp-default": ({}, ("tests/gcp", *_CONTRACTS)),
    "azure-default": ({"project_slug": LONGEST_SLUG}, ("tests/azure", *_CONTRACTS)),
}


def _whole(case_id: str, answers: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    extra, ran_elsewhere = _RUN_BY_THE_CLOUDS_OWN_TEST.get(case_id, ({}, ()))
    suffix = "-longest-slug" if extra and not case_id.endswith("longest-slug") else ""
    return (case_id + suffix, {**answers, **extra},
            {**CLOUD_ENVIRONMENTS[answers["cloud_provider"]], "ran_elsewhere": ran_elsewhere})


CLOUD_WHOLE: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    _whole(case_id, answers) for case_id, answers in [*GCP_COMBINATIONS, *AZURE_COMBINATIONS]
]

# Allowed pairs of modules that no combination above has, each for its reason (test_manifest.py holds
# this list to exactly the pairs missing). The hybrid mode has one combination, to keep the full run's
# time: these pairs with it on are left to that project's own tests of each module.
PAIRS_LEFT_OUT: list[tuple[str, bool, str, bool]] = [
    ("sessions", False, "operator_wallet", True),
    ("operator_wallet", True, "promotions", False),
    ("operator_wallet", True, "notifications", False),
    ("operator_wallet", True, "leaderboards", False),
    ("operator_wallet", True, "reporting", False),
    ("operator_wallet", True, "scheduled_jobs", False),
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
    ("license-not-offered", {"license": "GPL-3.0-only"}, "license"),
    ("unknown-region", {"region": "eu-west-9"}, "region"),
    ("gcp-region-on-aws", {"region": "europe-west1"}, "region"),
    ("azure-region-on-aws", {"region": "westeurope"}, "region"),
    ("unknown-provider", {"cloud_provider": "oracle"}, "cloud_provider"),
    ("aws-region-on-gcp", {"cloud_provider": "gcp", "region": "eu-west-1"}, "region"),
    ("gcp-mga-outside-eu", {"cloud_provider": "gcp", "jurisdiction": "mga", "region": "us-central1"}, "region"),
    ("aws-region-on-azure", {"cloud_provider": "azure", "region": "eu-west-1"}, "region"),
    ("azure-mga-outside-eu", {"cloud_provider": "azure", "jurisdiction": "mga", "region": "eastus"}, "region"),
    ("unknown-jurisdiction", {"jurisdiction": "nowhere"}, "jurisdiction"),
    ("usnj-outside-us", {**only("sessions"), "jurisdiction": "us-nj", "region": "eu-west-1"}, "region"),
    # N.J.S.A. 5:12-95.22(a): wagering stays in Atlantic City, where no public cloud region is.
    ("usnj-wallet-on-public-cloud", {"jurisdiction": "us-nj", "region": "us-east-1"}, "module_wallet"),
    ("usnj-wallet-without-protection", {**only("sessions", "wallet"), "jurisdiction": "us-nj",
                                        "region": "us-east-2"}, "module_wallet"),
    # The hybrid mode: the operator's wallet holds the money, so the hosted wallet cannot be on with it;
    # its scheduled jobs still need the sessions they clean up and purge.
    ("hybrid-with-the-hosted-wallet", {"module_operator_wallet": True}, "module_operator_wallet"),
    ("hybrid-with-responsible-gaming", {**only("sessions", "operator_wallet", "responsible_gaming")},
     "module_operator_wallet"),
    ("hybrid-jobs-need-sessions", {**only("operator_wallet", "scheduled_jobs")}, "module_scheduled_jobs"),
    ("mga-outside-eu", {"jurisdiction": "mga", "region": "us-east-1"}, "region"),
    ("mga-switzerland-is-not-eea", {"jurisdiction": "mga", "region": "eu-central-2"}, "region"),
    ("promotions-without-wallet", {"module_wallet": False}, "module_promotions"),
    ("reporting-without-wallet", {"module_wallet": False, "module_promotions": False,
                                  "module_leaderboards": False, "module_scheduled_jobs": False,
                                  "module_responsible_gaming": False}, "module_reporting"),
    ("no-module", only(), "module_"),
    ("module-not-a-boolean", {"module_wallet": "maybe"}, "module_wallet"),
    ("python-too-old", {"python_version": "3.9"}, "python_version"),
    ("python-2", {"python_version": "2.7"}, "python_version"),
    ("slug-empty", {"project_slug": ""}, "project_slug"),
    # The Serverless CLI refuses service names under 2 characters.
    ("slug-one-character", {"project_slug": "a"}, "project_slug"),
    ("slug-double-hyphen", {"project_slug": "lucky--casino"}, "project_slug"),
    # A trailing newline in any free-text answer (`$` in a pattern would let it through).
    *[(f"{field.replace('_', '-')}-trailing-newline", {field: value + "\n"}, field) for field, value in (
        ("project_name", "Lucky Casino"),
        ("project_slug", "lucky-casino"),
        ("package_name", "lucky_casino"),
        ("description", "Our casino"),
        ("author_name", "Ops"),
        ("author_email", "ops@lucky.example"),
        ("alert_email", "alerts@lucky.example"),
        ("region", "eu-west-1"),
    )],
    ("author-name-empty", {"author_name": " "}, "author_name"),
]

