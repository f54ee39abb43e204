"""make deploy on GCP (tools/gcp/deploy.py): the commands a deploy runs, in order, and its refusals.

No deploy runs here (no Google project, no credentials): these tests check the tool's decisions through
its dry run, which prints every command with its real arguments and runs none, and the runner's stop on a
failing step with real processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tools.deploy_run import Step, run_steps, tool_notes
from tools.gcp import deploy
from tools.gcp.live import deployment
from tools.gcp.package import source_version
from tools.project import PROJECT_ROOT

PROJECT = "lucky-star-dev"
MAKE = shutil.which("make") or "make"


@pytest.fixture
def archives(tmp_path: Path) -> Path:
    """A folder holding every archive make package writes, newer than the sources."""
    folder = tmp_path / "gcp"
    folder.mkdir()
    for path in deploy.archives(source_version(), folder):
        path.write_bytes(b"PK")
    return folder


def dry_run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[str], str]:
    code = deploy.main(["--project", PROJECT, "--stage", "dev", "--dry-run", *arguments])
    out = capsys.readouterr().out
    return code, [line.removeprefix("  $ ") for line in out.splitlines() if line.startswith("  $ ")], out


def test_dry_run_lists_every_command_in_order_and_runs_none(
    archives: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, commands, out = dry_run(capsys, "--archives", str(archives))

    assert code == 0, out
    bucket = f"{deployment(PROJECT, 'dev').unique}-sources"
    assert [" ".join(command.split(" ")[:3]) for command in commands] == [
        "gcloud auth print-access-token",
        "gcloud auth application-default",
        "gcloud projects describe",
        "terraform -chdir=infra init",
        "terraform -chdir=infra plan",
        "terraform -chdir=infra apply",
        "gcloud storage cp",
        "terraform -chdir=infra plan",
        "terraform -chdir=infra apply",
    ]
    init, bucket_plan, bucket_apply, upload, plan, apply = commands[3:]
    assert "init -input=false -reconfigure" in init
    assert f"-backend-config=bucket={PROJECT}-terraform-state -backend-config=prefix=dev" in init
    assert "plan" in bucket_plan
    assert "-target=google_storage_bucket.sources" in bucket_plan
    assert bucket_apply.endswith("apply -input=false dev-sources.tfplan")
    assert upload.endswith(f"gs://{bucket}/ --project={PROJECT}")
    assert "-target" not in plan
    assert plan.endswith("-out=dev.tfplan")
    assert apply.endswith("apply -input=false dev.tfplan")
    assert "[7/7] terraform apply of that plan" in out
    assert "Dry run: nothing was run" in out
    assert not (PROJECT_ROOT / "infra" / "dev.tfplan").exists()


def test_every_archive_is_uploaded_before_the_functions_are_planned(
    archives: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, commands, _ = dry_run(capsys, "--archives", str(archives))

    upload = next(i for i, command in enumerate(commands) if command.startswith("gcloud storage cp"))
    full_plan = next(i for i, c in enumerate(commands) if " plan " in c and "-target" not in c)
    assert upload < full_plan
    uploaded = commands[upload].split(" ")[3:-2]
    assert sorted(uploaded) == sorted(str(path) for path in deploy.archives(source_version(), archives))
    assert uploaded, "no archive to upload"


def test_the_stage_project_and_source_version_reach_terraform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in deploy.archives("42", tmp_path):
        path.write_bytes(b"PK")
    variables = tmp_path / "dev.tfvars"
    variables.write_text('alert_email = "ops@example.com"\n', encoding="utf-8")

    code, commands, out = dry_run(
        capsys, "--archives", str(tmp_path), "--source-version", "42", "--var-file", str(variables)
    )

    assert code == 0, out
    for plan in (c for c in commands if " plan " in c):
        assert (
            f"-var-file={variables} -var=project_id={PROJECT} -var=stage=dev -var=source_version=42" in plan
        )
    assert all(name.endswith("-42.zip") for name in commands[6].split(" ")[3:-2])


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--project", PROJECT, "--stage", "Prod"], "STAGE='Prod'"),
        (["--project", PROJECT, "--stage", "staging1"], "STAGE='staging1'"),
        (["--project", "Lucky_Star", "--stage", "dev"], "PROJECT='Lucky_Star'"),
        (["--project", "abc", "--stage", "dev"], "PROJECT='abc'"),
    ],
)
def test_a_bad_stage_or_project_id_is_refused_before_any_command(
    arguments: list[str], named: str, archives: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = deploy.main([*arguments, "--dry-run", "--archives", str(archives)])

    out = capsys.readouterr().out
    assert code == 2
    assert named in out
    assert "refused before any command ran" in out
    assert "$ " not in out


def test_a_missing_archive_is_refused_naming_it_and_make_package(
    archives: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = deploy.archives(source_version(), archives)[0]
    missing.unlink()

    code, commands, out = dry_run(capsys, "--archives", str(archives))

    assert code == 2
    assert f"{missing}: missing; run `make package` first" in out
    assert commands == []


def test_an_archive_older_than_the_sources_is_refused(
    archives: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = deploy.archives(source_version(), archives)[-1]
    os.utime(stale, (1_000_000_000, 1_000_000_000))

    code, commands, out = dry_run(capsys, "--archives", str(archives))

    assert code == 2
    assert f"{stale}: older than " in out
    assert "run `make package` first" in out
    assert commands == []


def test_a_failing_step_stops_the_deploy_naming_it_and_what_was_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "third-step-ran"
    steps = [
        Step("first", [[sys.executable, "-c", "pass"]]),
        Step("second", [[sys.executable, "-c", "raise SystemExit(3)"]], on_failure="Run it again."),
        Step("third", [[sys.executable, "-c", f"open({str(marker)!r}, 'w')"]]),
    ]

    code = run_steps(steps, dry_run=False, auto_approve=False)

    out = capsys.readouterr().out
    assert code == 1
    assert "step 2 of 3 (second) failed:" in out
    assert "exited 3. Done before it: 1 first. Run it again." in out
    assert not marker.exists()


def test_an_apply_not_confirmed_runs_nothing_of_its_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "applied"
    steps = [Step("apply", [[sys.executable, "-c", f"open({str(marker)!r}, 'w')"]], ask="Apply?")]

    code = run_steps(steps, dry_run=False, auto_approve=False, ask=lambda question: "no")

    assert code == 1
    assert "not confirmed" in capsys.readouterr().out
    assert not marker.exists()
    assert run_steps(steps, dry_run=False, auto_approve=True) == 0
    assert marker.exists()


def test_make_deploy_dry_run_passes_the_stage_and_project(archives: Path) -> None:
    result = subprocess.run(
        [MAKE, "deploy", "DRY_RUN=1", "STAGE=dev", f"PROJECT={PROJECT}", f"PYTHON={sys.executable}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    # The project's own .build/gcp may hold no archives: a refusal naming make package is the answer then.
    assert '--project "lucky-star-dev" --stage "dev" --dry-run' in result.stdout, (
        result.stdout + result.stderr
    )
    assert result.returncode == 0 or "run `make package` first" in result.stdout


def test_make_deploy_without_a_project_says_how_to_name_it() -> None:
    result = subprocess.run(
        [MAKE, "deploy", "DRY_RUN=1", "STAGE=dev", f"PYTHON={sys.executable}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "make deploy PROJECT=<project id> STAGE=dev" in result.stderr


def test_a_tool_missing_from_path_refuses_a_deploy_and_is_only_noted_by_a_dry_run() -> None:
    problems, notes = tool_notes(("terraform-not-installed",), dry_run=False)
    assert problems == ["terraform-not-installed: not on PATH; install it (infra/README.md, Deploying)"]
    assert notes == []

    problems, notes = tool_notes(("terraform-not-installed",), dry_run=True)
    assert problems == []
    assert notes == [
        "note: terraform-not-installed: not on PATH; install it (infra/README.md, Deploying) "
        "(a real deploy would stop here)"
    ]
