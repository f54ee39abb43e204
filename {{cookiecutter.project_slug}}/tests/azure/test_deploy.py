"""make deploy on Azure (tools/azure/deploy.py): the commands a deploy runs, in order, and its refusals.

No deploy runs here (no subscription, no credentials): these tests check the tool's decisions through its
dry run, which prints every command with its real arguments and runs none. The runner's stop on a failing
step is tested with real processes in tests/gcp/test_deploy.py's twin, here on the Azure steps' order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tools.azure import deploy
from tools.azure.live import deployment
from tools.deploy_run import required_variables
from tools.infra_live import INFRA
from tools.project import PROJECT_ROOT

SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
STATE = ["--state-resource-group", "casino-tfstate", "--state-storage-account", "casinotfstate"]
MAKE = shutil.which("make") or "make"


@pytest.fixture
def archives(tmp_path: Path) -> Path:
    """A folder holding every archive make package writes, newer than the sources."""
    folder = tmp_path / "azure"
    folder.mkdir()
    for path in deploy.archives(folder).values():
        path.write_bytes(b"PK")
    return folder


@pytest.fixture
def var_file(tmp_path: Path) -> Path:
    """The stage's Terraform variables (their values do not matter to a dry run)."""
    path = tmp_path / "dev.tfvars"
    path.write_text("".join(f'{name} = "x"\n' for name in required_variables(INFRA, deploy.GIVEN)))
    return path


def dry_run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[str], str]:
    code = deploy.main(["--subscription", SUBSCRIPTION, "--stage", "dev", "--dry-run", *arguments])
    out = capsys.readouterr().out
    return code, [line.removeprefix("  $ ") for line in out.splitlines() if line.startswith("  $ ")], out


def test_dry_run_lists_every_command_in_order_and_runs_none(
    archives: Path, var_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, commands, out = dry_run(capsys, *STATE, "--archives", str(archives), "--var-file", str(var_file))

    assert code == 0, out
    apps = deploy.archives(archives)
    assert [" ".join(command.split(" ")[:3]) for command in commands] == [
        "az account show",
        "terraform -chdir=infra init",
        "terraform -chdir=infra plan",
        "terraform -chdir=infra apply",
    ] + ["az functionapp deploy"] * len(apps)
    init, plan, apply = commands[1:4]
    for setting in (
        f"subscription_id={SUBSCRIPTION}",
        "resource_group_name=casino-tfstate",
        "storage_account_name=casinotfstate",
        "container_name=tfstate",
        "key=dev.tfstate",
        "use_azuread_auth=true",
    ):
        assert f"-backend-config={setting}" in init
    assert f"-var-file={var_file} -var=subscription_id={SUBSCRIPTION} -var=stage=dev -out=dev.tfplan" in plan
    assert apply.endswith("apply -input=false dev.tfplan")
    assert "Dry run: nothing was run" in out
    assert not (PROJECT_ROOT / "infra" / "dev.tfplan").exists()


def test_each_built_app_is_published_by_one_deploy_after_the_apply(
    archives: Path, var_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, commands, out = dry_run(capsys, *STATE, "--archives", str(archives), "--var-file", str(var_file))

    prefix = deployment(SUBSCRIPTION, "dev").prefix
    published = commands[4:]
    assert published, out
    assert published == [
        f"az functionapp deploy --subscription={SUBSCRIPTION} --resource-group={prefix}-rg "
        f"--name={prefix}-{app} --src-path={path} --type=zip"
        for app, path in deploy.archives(archives).items()
    ]
    assert "asks: Apply the plan above?" in out.split("az functionapp deploy")[0]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--subscription", SUBSCRIPTION, "--stage", "Prod", *STATE], "STAGE='Prod'"),
        (["--subscription", SUBSCRIPTION, "--stage", "staging1", *STATE], "STAGE='staging1'"),
        (["--subscription", "my-subscription", "--stage", "dev", *STATE], "SUBSCRIPTION='my-subscription'"),
        (["--subscription", SUBSCRIPTION.upper(), "--stage", "dev", *STATE], "SUBSCRIPTION="),
        (["--subscription", SUBSCRIPTION, "--stage", "dev"], "STATE_STORAGE_ACCOUNT=''"),
        (["--subscription", SUBSCRIPTION, "--stage", "dev", *STATE[:2]], "STATE_STORAGE_ACCOUNT=''"),
    ],
)
def test_a_bad_stage_subscription_or_state_account_is_refused_before_any_command(
    arguments: list[str], named: str, archives: Path, var_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = deploy.main([*arguments, "--dry-run", "--archives", str(archives), "--var-file", str(var_file)])

    out = capsys.readouterr().out
    assert code == 2
    assert named in out
    assert "refused before any command ran" in out
    assert "$ " not in out


def test_a_missing_archive_is_refused_naming_it_and_make_package(
    archives: Path, var_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = next(iter(deploy.archives(archives).values()))
    missing.unlink()

    code, commands, out = dry_run(capsys, *STATE, "--archives", str(archives), "--var-file", str(var_file))

    assert code == 2
    assert f"{missing}: missing; run `make package` first" in out
    assert commands == []


def test_an_archive_older_than_the_sources_is_refused(
    archives: Path, var_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = list(deploy.archives(archives).values())[-1]
    os.utime(stale, (1_000_000_000, 1_000_000_000))

    code, commands, out = dry_run(capsys, *STATE, "--archives", str(archives), "--var-file", str(var_file))

    assert code == 2
    assert f"{stale}: older than " in out
    assert commands == []


def test_a_missing_variables_file_is_refused_naming_the_variables_it_needs_if_any(
    archives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    required = required_variables(INFRA, deploy.GIVEN)
    absent = tmp_path / "prod.tfvars"

    code, commands, out = dry_run(capsys, *STATE, "--archives", str(archives), "--var-file", str(absent))

    if not required:  # no module with server callers: every variable has a default, no file is needed
        assert code == 0
        assert "missing; create it" not in out
        return
    assert code == 2
    assert f"{absent}: missing; create it with stage dev's values of {', '.join(required)}" in out
    assert commands == []


def test_make_deploy_dry_run_passes_the_stage_subscription_and_state_account(var_file: Path) -> None:
    result = subprocess.run(
        [
            MAKE,
            "deploy",
            "DRY_RUN=1",
            "STAGE=dev",
            f"SUBSCRIPTION={SUBSCRIPTION}",
            "STATE_RESOURCE_GROUP=casino-tfstate",
            "STATE_STORAGE_ACCOUNT=casinotfstate",
            f"VAR_FILE={var_file}",
            f"PYTHON={sys.executable}",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    called = next(line for line in result.stdout.splitlines() if "-m tools.azure.deploy" in line)
    assert f'--subscription "{SUBSCRIPTION}" --stage "dev" --dry-run' in called
    assert f'--var-file "{var_file}"' in called
    assert '--state-resource-group "casino-tfstate" --state-storage-account "casinotfstate"' in called
    # The project's own .build/azure may hold no archives: then it refuses, naming make package.
    assert result.returncode == 0 or "run `make package` first" in result.stdout, result.stdout


def test_make_deploy_without_a_subscription_says_how_to_name_it() -> None:
    result = subprocess.run(
        [MAKE, "deploy", "DRY_RUN=1", "STAGE=dev", f"PYTHON={sys.executable}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "make deploy SUBSCRIPTION=<subscription id> STAGE=dev" in result.stderr
