"""The api function's cold-start choice per stage: provisioned concurrency or Lambda SnapStart.

The default project is packaged offline for its prod stage twice: as generated (two provisioned
instances), and with `apiSnapStart: true` in place of them, as docs/snapstart.md shows. Each packaged
template is checked for what Lambda and the HTTP API need, and passes cfn-lint and checkov.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Bake, bake, run

TEMPLATE_NODE_MODULES = os.environ.get("TEMPLATE_NODE_MODULES", "")
SCAN_BIN = Path(os.environ.get("TEMPLATE_SCAN_BIN", ""))
OFFLINE = {"AWS_ACCESS_KEY_ID": "offline", "AWS_SECRET_ACCESS_KEY": "offline"}
STAGE = "prod"
GENERATED_PROD = "  prod:\n    apiProvisionedConcurrency: 2\n"
# (id, the prod params written into serverless.yml; None: as generated)
CHOICES = [
    ("provisioned-concurrency", None),
    ("snapstart", "  prod:\n    apiSnapStart: true\n"),
]


def choose(project: Path, prod_params: str) -> None:
    """Write the prod stage's params into the project's serverless.yml, as a user would."""
    serverless_yml = project / "serverless.yml"
    text = serverless_yml.read_text(encoding="utf-8")
    assert GENERATED_PROD in text, "the generated prod params changed: update this test"
    serverless_yml.write_text(text.replace(GENERATED_PROD, prod_params), encoding="utf-8")


def package(project: Path, *, check: bool = True) -> subprocess.CompletedProcess[str] | str:
    command = ["make", "package", f"STAGE={STAGE}", f"PYTHON={os.environ.get('PYTHON', 'python3')}",
               f"NODE_MODULES={TEMPLATE_NODE_MODULES}"]
    if check:
        return run(command, project, env=OFFLINE)
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **OFFLINE})


@pytest.fixture(params=CHOICES, ids=[choice[0] for choice in CHOICES], scope="module")
def packaged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Bake]:
    if not (TEMPLATE_NODE_MODULES and (SCAN_BIN / "checkov").exists()):
        pytest.fail("TEMPLATE_NODE_MODULES and TEMPLATE_SCAN_BIN are unset: run the tests with `make test`")
    choice, prod_params = request.param
    result = bake(tmp_path_factory.mktemp(choice))
    assert result.returncode == 0, result.output
    if prod_params is not None:
        choose(result.project, prod_params)
    package(result.project)
    return choice, result


def template(project: Bake) -> Path:
    return project.project / ".serverless" / "cloudformation-template-update-stack.json"


def resources(project: Bake) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(template(project).read_text(encoding="utf-8"))["Resources"]
    return found


def of_type(found: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: resource for name, resource in found.items() if resource["Type"] == kind}


def test_the_http_api_calls_the_alias_of_the_chosen_setting(packaged: tuple[str, Bake]) -> None:
    choice, project = packaged
    found = resources(project)
    api = found["ApiLambdaFunction"]["Properties"]
    aliases = of_type(found, "AWS::Lambda::Alias")
    alias_name = "snapstart" if choice == "snapstart" else "provisioned"

    assert len(aliases) == 1, aliases
    (alias_id, alias), = aliases.items()
    assert alias["Properties"]["Name"] == alias_name
    assert alias["Properties"]["FunctionName"] == {"Ref": "ApiLambdaFunction"}
    version_id = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
    assert found[version_id]["Type"] == "AWS::Lambda::Version"
    assert found[version_id]["Properties"]["FunctionName"] == {"Ref": "ApiLambdaFunction"}
    qualified = {"Fn::Join": [":", [{"Fn::GetAtt": ["ApiLambdaFunction", "Arn"]}, alias_name]]}
    integrations = of_type(found, "AWS::ApiGatewayV2::Integration")
    assert [i["Properties"]["IntegrationUri"] for i in integrations.values()] == [qualified]
    assert all(i["DependsOn"] == alias_id for i in integrations.values())
    permissions = [p["Properties"] for p in of_type(found, "AWS::Lambda::Permission").values()
                   if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]
    assert [p["FunctionName"] for p in permissions] == [qualified]
    if choice == "snapstart":
        assert api["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
    else:
        assert "SnapStart" not in api
        assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}


def test_no_other_function_gets_snapstart(packaged: tuple[str, Bake]) -> None:
    _, project = packaged
    functions = of_type(resources(project), "AWS::Lambda::Function")

    assert [name for name, f in functions.items() if "SnapStart" in f["Properties"]] in (
        [], ["ApiLambdaFunction"]
    )


def test_cfn_lint_passes(packaged: tuple[str, Bake]) -> None:
    _, project = packaged
    run([str(SCAN_BIN / "cfn-lint"), str(template(project))], project.project)


def test_checkov_reports_no_failed_check(packaged: tuple[str, Bake]) -> None:
    choice, project = packaged
    output = run([str(SCAN_BIN / "checkov"), "-f", str(template(project)), "--framework", "cloudformation",
                  "--output", "json", "--compact", "--skip-download"], project.project)
    summary = json.loads(output[output.index("{"):])["summary"]
    print(f"\n{choice}: checkov {summary['passed']} passed, {summary['failed']} failed")
    assert summary["failed"] == 0
    assert summary["passed"] >= 25


def test_a_stage_with_both_is_refused_naming_both_settings(tmp_path: Path) -> None:
    if not TEMPLATE_NODE_MODULES:
        pytest.fail("TEMPLATE_NODE_MODULES is unset: run the tests with `make test`")
    result = bake(tmp_path)
    assert result.returncode == 0, result.output
    choose(result.project, "  prod:\n    apiProvisionedConcurrency: 2\n    apiSnapStart: true\n")

    refused = package(result.project, check=False)

    assert isinstance(refused, subprocess.CompletedProcess)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "SnapStart" in output
    assert "provisioned concurrency" in output
    assert not template(result).exists()
