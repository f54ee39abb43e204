"""A generated project's platform and module docs describe the cloud it was generated for.

The pages below are rendered per cloud (Jinja blocks on `cookiecutter.cloud_provider`): a GCP or Azure
project's page names no AWS-only service, and an AWS project's page names no GCP or Azure one, except
in a section whose heading says it compares with another cloud. Every file path a page names in
backticks exists in the generated project (or, for a page that says so, in the template).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from combinations import AZURE_COMBINATIONS, GCP_COMBINATIONS, SUPPORTED
from conftest import TEMPLATE_DIR, Bake, baked_once

# The pages held to their cloud. Other pages of docs/ join this list as they are rendered per cloud.
PAGES = (
    "leaderboards.md", "going-live.md", "scheduled-jobs.md", "reporting.md", "architecture.md", "networking.md",
    "security-defaults.md", "snapstart.md", "api.md", "index.md",
    "responsible-gaming.md", "deploying.md", "audit.md", "compliance.md",
    "local-development.md", "notifications.md", "promotions.md", "dependencies.md", "regions.md",
    "benchmarks.md", "operator-wallet.md",
)

# Pages of an AWS feature with no meaning elsewhere (Lambda SnapStart): pruned from GCP and Azure projects
# (manifest.yaml, providers.aws.files) and left out of their nav.
AWS_ONLY_PAGES = ("snapstart.md",)

# Names only one cloud has. Each is a regular expression searched case-sensitively.
ONLY_ON: dict[str, tuple[str, ...]] = {
    "aws": (
        r"\bLambda\b", r"DynamoDB", r"EventBridge", r"CloudWatch", r"serverless\.yml", r"\bSQS\b",
        r"Firehose", r"Athena", r"\bGlue\b", r"\bSSM\b", r"\bS3\b", r"s3://", r"X-Ray", r"CloudFormation",
        r"TransactWriteItems", r"batchItemFailures", r"\bosls\b", r"aws lambda", r"\baws \w+ ",
        r"SnapStart", r"serverless-wsgi", r"Powertools",
    ),
    "gcp": (
        r"Firestore", r"Pub/Sub", r"Cloud Scheduler", r"Cloud Run", r"Cloud Storage", r"BigQuery",
        r"Secret Manager", r"\bgcloud\b", r"gs://", r"Cloud KMS", r"Eventarc", r"functions-framework",
    ),
    "azure": (
        r"Table Storage", r"Storage Queues?", r"Event Grid", r"Key Vault", r"Azurite", r"Flex Consumption",
        r"Application Insights", r"Blob Storage", r"function apps?\b", r"\baz \w+", r"azure_apps/",
        r"App Service Authentication", r"NCRONTAB",
    ),
}
# Files a page may name that a command of the project writes (not generated): each with the file that writes it,
# so a project without that writer (another cloud's) still fails for naming them.
WRITTEN_BY: dict[str, str] = {
    "docs/controls.md": "tools/audit/report.py",  # make audit
    "docs/controls.json": "tools/audit/report.py",
    ".cruft.json": "tools/regenerate.py",  # cruft create, or the `cruft link` make regenerate runs first
    "bench-results.json": "tools/bench.py",  # make bench
    ".build/function-code.json": "tools/aws/package_code.py",  # make package (AWS)
    "function_app.py": "tools/azure/package.py",  # each app's archive (make package, Azure)
}
# A section whose heading names one of these compares with another cloud on purpose; its subsections
# (deeper headings) are part of it.
COMPARISON = re.compile(r"^#+ .*\b(compared with|unlike|other clouds?)\b", re.IGNORECASE)
HEADING = re.compile(r"^(#+) ")

CASES: dict[str, dict[str, Any]] = {
    **{case_id: answers for case_id, answers in SUPPORTED if case_id == "aws-default"},
    **dict(GCP_COMBINATIONS),
    **dict(AZURE_COMBINATIONS),
}

_BAKED: dict[str, Bake] = {}


def generated(case_id: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate a combination once per test process."""
    return baked_once(_BAKED, case_id, CASES[case_id], tmp_path_factory)


def own_lines(page: str) -> list[tuple[int, str]]:
    """Each (number, line) of the page outside a comparison section and its subsections."""
    kept = []
    comparing = 0  # the level of the comparison's heading; 0 outside one
    fenced = False
    for number, line in enumerate(page.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading and not (comparing and len(heading.group(1)) > comparing):
            comparing = len(heading.group(1)) if COMPARISON.match(line) else 0
        if not comparing:
            kept.append((number, line))
    return kept


def foreign_names(page: str, cloud: str) -> list[str]:
    """`line: name` for each other cloud's service the page names outside a comparison section."""
    found = []
    for number, line in own_lines(page):
        for other, names in ONLY_ON.items():
            if other == cloud:
                continue
            found += [f"{number}: {match.group(0)!r} ({other})" for name in names
                      for match in re.finditer(name, line)]
    return found


def missing_paths(page: str, project: Path) -> list[str]:
    """Each file path in backticks (`a/b.py`, `infra/x.tf`) outside a comparison section that no file of the
    project (or the template) ends with."""
    files = [path.as_posix() for path in project.rglob("*") if path.is_file()]
    template = [path.as_posix() for path in (TEMPLATE_DIR / "templates").rglob("*") if path.is_file()]
    own = "\n".join(line for _, line in own_lines(page))
    named = set(re.findall(r"`([\w./{}<>-]+\.(?:py|tf|yml|yaml|json|md))`", own))
    return sorted(
        name for name in named
        if "<" not in name and "{" not in name
        and not (TEMPLATE_DIR / name).is_file()
        and not (name in WRITTEN_BY and (project / WRITTEN_BY[name]).is_file())
        and not any(path.endswith("/" + name) for path in files + template)
    )


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_the_module_docs_name_only_their_clouds_services(
    case_id: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = generated(case_id, tmp_path_factory)
    cloud = CASES[case_id].get("cloud_provider", "aws")
    found = {
        name: names
        for name in PAGES
        if (project / "docs" / name).exists()
        and (names := foreign_names((project / "docs" / name).read_text(encoding="utf-8"), cloud))
    }
    assert found == {}, f"docs of a {cloud} project name another cloud's services"


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_every_file_the_module_docs_name_exists(case_id: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = generated(case_id, tmp_path_factory)
    missing = {
        name: paths
        for name in PAGES
        if (project / "docs" / name).exists()
        and (paths := missing_paths((project / "docs" / name).read_text(encoding="utf-8"), project))
    }
    assert missing == {}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_a_page_of_an_aws_only_feature_is_in_aws_projects_only(
    case_id: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = generated(case_id, tmp_path_factory)
    nav = (project / "mkdocs.yml").read_text(encoding="utf-8")
    present = [name for name in AWS_ONLY_PAGES if (project / "docs" / name).exists()]
    in_nav = [name for name in AWS_ONLY_PAGES if f": {name}" in nav]
    expected = list(AWS_ONLY_PAGES) if CASES[case_id].get("cloud_provider", "aws") == "aws" else []
    assert (present, in_nav) == (expected, expected)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_the_readme_describes_its_cloud_and_documents_every_make_target(
    case_id: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The generated README names no other cloud's service, and its commands table holds exactly the
    targets `make help` lists in that project (a GCP project was shown the AWS table, `make scan` included)."""
    project = generated(case_id, tmp_path_factory)
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert foreign_names(readme, CASES[case_id].get("cloud_provider", "aws")) == []
    listed = subprocess.run(["make", "--no-print-directory", "help"], cwd=project, capture_output=True, text=True,
                            check=True, timeout=60).stdout
    targets = {line.split()[1] for line in listed.splitlines() if line.startswith("  make ")}
    documented = re.findall(r"^\| `make ([\w-]+)", readme, re.MULTILINE)
    assert len(documented) == len(set(documented)), documented
    assert set(documented) == targets - {"help"}


def test_the_check_finds_a_service_of_another_cloud_and_spares_a_comparison() -> None:
    page = "# Jobs\n\nRuns on Cloud Scheduler.\n\n## Compared with AWS\n\nOn AWS, EventBridge schedules it.\n"
    assert foreign_names(page, "gcp") == []
    assert foreign_names(page, "aws") == ["3: 'Cloud Scheduler' (gcp)"]
    assert foreign_names(page.replace("Compared with AWS", "Notes"), "gcp") == ["7: 'EventBridge' (aws)"]


def test_a_comparison_spans_its_subsections_and_ends_at_the_next_section() -> None:
    page = ("# Jobs\n\n## Compared with AWS\n\n### Its schedules\n\nEventBridge.\n\n```\n# a comment\n```\n\n"
            "S3 too.\n\n## Costs\n\nSQS.\n")
    assert foreign_names(page, "gcp") == ["17: 'SQS' (aws)"]
    assert missing_paths(page + "\nSee `serverless.yml`.\n", Path("/nonexistent")) == ["serverless.yml"]
    assert missing_paths(page.replace("S3 too.", "See `serverless.yml`."), Path("/nonexistent")) == []
