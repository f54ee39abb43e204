"""Regenerating for another region changes only region lines and keeps the user's edits."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PYTHON, TEMPLATE_DIR, bake, run


def tree(root: Path) -> dict[str, list[str]]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8").splitlines()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_another_region_changes_only_region_lines(tmp_path: Path) -> None:
    first = bake(tmp_path / "eu-west-1", {"region": "eu-west-1"})
    second = bake(tmp_path / "eu-central-1", {"region": "eu-central-1"})
    assert first.returncode == second.returncode == 0, first.output + second.output
    before, after = tree(first.project), tree(second.project)
    assert before.keys() == after.keys()
    changed = []
    for name in before:
        for line in difflib.unified_diff(before[name], after[name], lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            changed.append((name, line))
            assert "eu-west-1" in line or "eu-central-1" in line, (name, line)
    changed_files = {name for name, _ in changed}
    assert {"serverless.yml", ".cookiecutter.json"} <= changed_files
    # The region is written in few places: the stack, the answers and the README's first line; the
    # tests read it from serverless.yml (tests/support/region.py). Docs may name it as often as they like.
    outside_docs = sorted(name for name in changed_files if not name.startswith("docs/"))
    print(f"files a region change touches outside docs: {len(outside_docs)}: {outside_docs}")
    assert len(outside_docs) <= 3, outside_docs
    assert all(line[0] in "+-" for _, line in changed)


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A git repository holding the template as it is in this working tree (cruft clones it)."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".venv-*", ".cache", "build", "__pycache__", ".pytest_cache", ".ruff_cache"))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    run([*git, "init", "-q", "-b", "main"], repo)
    run([*git, "add", "-A"], repo)
    run([*git, "commit", "-q", "-m", "template"], repo)
    return repo


def test_cruft_update_to_a_new_region_keeps_local_edits(template_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "projects"
    run([str(BIN / "cruft"), "create", str(template_repo), "--no-input", "--output-dir", str(out)], tmp_path)
    project = out / "casino-backend"
    cruft_state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert len(cruft_state["commit"]) == 40
    wallet = project / "src" / "casino_backend" / "domain" / "wallet.py"
    wallet.write_text(wallet.read_text(encoding="utf-8") + "\n# house rule: reviewed by compliance\n",
                      encoding="utf-8")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    run([*git, "init", "-q", "-b", "main"], project)
    run([*git, "add", "-A"], project)
    run([*git, "commit", "-q", "-m", "generated, with a local edit"], project)

    run([str(BIN / "cruft"), "update", "--skip-apply-ask", "--variables-to-update", '{"region": "eu-central-1"}'],
        project)

    assert "# house rule: reviewed by compliance" in wallet.read_text(encoding="utf-8")
    assert "name: eu-central-1" in (project / "serverless.yml").read_text(encoding="utf-8")
    assert json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["region"] == "eu-central-1"
    run([str(BIN / "cruft"), "check"], project)


def test_make_regenerate_writes_a_sibling_for_the_new_region(template_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "projects"
    run([str(BIN / "cruft"), "create", str(template_repo), "--no-input", "--output-dir", str(out)], tmp_path)
    project = out / "casino-backend"
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nOur on-call rota: see the wiki.\n", encoding="utf-8")

    output = run(["make", "regenerate", "REGION=eu-west-2", "JURISDICTION=uk-gc", f"PYTHON={PYTHON}"], project)

    sibling = out / "casino-backend-eu-west-2"
    assert "Done:" in output
    assert "Our on-call rota" in (sibling / "README.md").read_text(encoding="utf-8")
    answers = json.loads((sibling / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert (answers["region"], answers["jurisdiction"]) == ("eu-west-2", "uk-gc")
    config = (sibling / "serverless.yml").read_text(encoding="utf-8")
    assert "name: eu-west-2" in config and "jurisdiction: uk-gc" in config
    assert "name: eu-west-1" in (project / "serverless.yml").read_text(encoding="utf-8"), "the original stays"


def test_make_regenerate_refuses_a_region_the_jurisdiction_forbids(template_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "projects"
    run([str(BIN / "cruft"), "create", str(template_repo), "--no-input", "--output-dir", str(out),
         "--extra-context", '{"jurisdiction": "mga", "region": "eu-south-1"}'], tmp_path)
    project = out / "casino-backend"

    result = subprocess.run(["make", "regenerate", "REGION=us-east-1", f"PYTHON={PYTHON}"], cwd=project,
                            capture_output=True, text=True, check=False)

    assert result.returncode != 0
    assert "region" in result.stderr and "mga" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["casino-backend"], "nothing half-written"


NJ_SUPPORTING_ONLY = {f"module_{name}": name == "sessions" for name in (
    "sessions", "wallet", "operator_wallet", "responsible_gaming", "promotions", "notifications", "leaderboards",
    "reporting", "scheduled_jobs")}


def test_usnj_refuses_the_wallet_on_a_public_cloud_naming_the_law_and_the_way_out(tmp_path: Path) -> None:
    result = bake(tmp_path, {"jurisdiction": "us-nj", "region": "us-east-1"})

    assert result.returncode != 0
    assert "- module_wallet: module_wallet and module_responsible_gaming conduct wagering" in result.output
    assert "N.J.S.A. 5:12-95.22(a)" in result.output and "N.J.A.C. 13:69O-1.1" in result.output
    assert "No public cloud region is in Atlantic City" in result.output
    # The way out is the hybrid mode: the supporting modules around the operator's own wallet.
    assert ("The fix is the hybrid mode: module_operator_wallet=true with module_wallet=false and "
            "module_responsible_gaming=false") in result.output
    # Scheduled jobs run there without the jobs of the hosted wallet's ledger, and the refusal says so.
    assert "not deployed there: reconciliation and dataExport" in result.output
    assert "for example: " in result.output
    example = result.output.split("for example: ", 1)[1].split()
    assert {"module_operator_wallet=true", "module_wallet=false", "module_responsible_gaming=false",
            "module_sessions=true", "module_leaderboards=true", "module_reporting=true",
            "module_promotions=true", "module_notifications=true", "module_scheduled_jobs=true"} <= set(example)
    assert list(tmp_path.iterdir()) == []
    refusal = result.output[result.output.index("  - module_wallet:"):].split("\n")[:2]
    guide = (TEMPLATE_DIR / "docs" / "06-compliance.md").read_text(encoding="utf-8")
    assert "\n".join(refusal) in guide, "docs/06-compliance.md quotes the refusal word for word"


def test_usnj_refusal_cannot_be_overridden(tmp_path: Path) -> None:
    """The statute allows only temporary backup equipment elsewhere: a recorded reason opens no region."""
    result = bake(tmp_path, {"jurisdiction": "us-nj", "region": "us-east-1",
                             "_residency_override_reason": "Division letter 2030-01"})

    assert result.returncode != 0
    assert "module_wallet" in result.output


def test_usnj_supporting_modules_generate_with_the_residency_note(tmp_path: Path) -> None:
    result = bake(tmp_path, {**NJ_SUPPORTING_ONLY, "jurisdiction": "us-nj", "region": "us-east-1"})

    assert result.returncode == 0, result.output
    assert "Note on residency: Supporting modules only: this project must not take wagers" in result.output
    compliance = (result.project / "docs" / "compliance.md").read_text(encoding="utf-8")
    assert "N.J.S.A. 5:12-95.22(a)" in compliance


def test_usnj_refusal_example_generates_the_hybrid_mode(tmp_path: Path) -> None:
    """The answers the refusal suggests are a project that generates: its fix is real."""
    refused = bake(tmp_path / "refused", {"jurisdiction": "us-nj", "region": "us-east-1"})
    example = refused.output.split("for example: ", 1)[1].split("\n", 1)[0].split()
    answers = {name: value == "true" for name, value in (pair.split("=") for pair in example)}

    result = bake(tmp_path / "hybrid", {**answers, "jurisdiction": "us-nj", "region": "us-east-1"})

    assert result.returncode == 0, result.output
    registry = next((result.project / "src").glob("*/registry.py")).read_text(encoding="utf-8")
    assert '"operator_wallet"' in registry and '"wallet"' not in registry.split("ABSENT")[0]


def test_ukgc_allows_any_region_and_warns_about_uk_gdpr_transfers(tmp_path: Path) -> None:
    result = bake(tmp_path, {"jurisdiction": "uk-gc", "region": "us-east-1"})

    assert result.returncode == 0, result.output
    assert "Note on residency: us-east-1 under 'uk-gc'" in result.output
    assert "UK GDPR Chapter V" in result.output
    assert "https://www.legislation.gov.uk/eur/2016/679/chapter/V" in result.output


def test_ukgc_in_an_adequate_region_gives_no_transfer_warning(tmp_path: Path) -> None:
    result = bake(tmp_path, {"jurisdiction": "uk-gc", "region": "eu-west-2"})

    assert result.returncode == 0, result.output
    assert "Note on residency" not in result.output


def test_mga_outside_the_eea_needs_a_recorded_approval(tmp_path: Path) -> None:
    refused = bake(tmp_path / "refused", {"jurisdiction": "mga", "region": "us-east-1"})
    approved = bake(tmp_path / "approved", {"jurisdiction": "mga", "region": "us-east-1",
                                            "_residency_override_reason": "MGA approval ref. TI-2030-7"})

    assert refused.returncode != 0
    assert "needs the regulator's approval" in refused.output and "_residency_override_reason" in refused.output
    assert approved.returncode == 0, approved.output
    assert "generating it on the recorded approval: MGA approval ref. TI-2030-7" in approved.output
    regions = (approved.project / "docs" / "regions.md").read_text(encoding="utf-8")
    assert "MGA approval ref. TI-2030-7" in regions
    residency_output = run([PYTHON, "-m", "tools.residency"], approved.project)
    assert "recorded approval" in residency_output
