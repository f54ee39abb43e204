"""Private networking and the edge, each on its own: the mixed option combinations of one project.

Every supported combination's `make audit` (test_audit.py) already packages and audits dev (both
options off) and prod (both on, for the regulated jurisdictions). This file packages ONE small uk-gc
project for two more stages, each with one option on, and audits them the way `make audit` does
(cfn-lint, checkov with zero failed checks, every control), so the four combinations are covered
without generating another project per combination.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BIN, Bake, bake, run

TEMPLATE_NODE_MODULES = os.environ.get("TEMPLATE_NODE_MODULES", "")
SCAN_BIN = Path(os.environ.get("TEMPLATE_SCAN_BIN", ""))
OFFLINE = {"AWS_ACCESS_KEY_ID": "offline", "AWS_SECRET_ACCESS_KEY": "offline"}
ANSWERS = {
    "jurisdiction": "uk-gc", "region": "eu-west-2", "module_wallet": False, "module_responsible_gaming": False,
    "module_promotions": False, "module_notifications": False, "module_leaderboards": False,
    "module_reporting": False, "module_scheduled_jobs": False,
}
# (stage, its params as a user adds them under serverless.yml's params)
STAGES = {
    "private": "  private:\n    privateNetworking: true\n",
    "edge": "  edge:\n    edge: true\n",
}
NETWORK_CONTROLS = {"network-functions-in-private-subnets", "network-endpoint-policies-scoped", "network-https-only"}
EDGE_CONTROLS = {"edge-waf-attached", "edge-origin-closed", "edge-geo-restriction", "edge-tls-and-headers"}


def add_stages(project: Path) -> None:
    """Add the two stages after prod's params, as a user would."""
    serverless_yml = project / "serverless.yml"
    text = serverless_yml.read_text(encoding="utf-8")
    marker = "\nprovider:\n"
    assert marker in text, "serverless.yml's params no longer end before provider: update this test"
    serverless_yml.write_text(text.replace(marker, "".join(STAGES.values()) + marker, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Bake, dict[str, Any]]:
    if not (TEMPLATE_NODE_MODULES and (SCAN_BIN / "checkov").exists()):
        pytest.fail("TEMPLATE_NODE_MODULES and TEMPLATE_SCAN_BIN are unset: run the tests with `make test`")
    baked = bake(tmp_path_factory.mktemp("networking"), ANSWERS)
    assert baked.returncode == 0, baked.output
    project = baked.project
    add_stages(project)
    python = os.environ.get("PYTHON", "python3")
    templates = project / ".build" / "stages"
    templates.mkdir(parents=True)
    for stage in STAGES:
        run(["make", "package", f"STAGE={stage}", f"PYTHON={python}", f"NODE_MODULES={TEMPLATE_NODE_MODULES}"],
            project, env=OFFLINE)
        template = project / ".serverless" / "cloudformation-template-update-stack.json"
        (templates / f"{stage}.json").write_bytes(template.read_bytes())
    stage_args = [arg for stage in STAGES for arg in ("--stage", stage)]
    result = subprocess.run(
        [python, "-m", "tools.audit", *stage_args, "--template", str(templates / "{stage}.json"),
         "--scan-bin", str(SCAN_BIN), "--json", str(templates / "controls.json")],
        cwd=project, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, **OFFLINE, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return baked, json.loads((templates / "controls.json").read_text(encoding="utf-8"))


def resources(baked: Bake, stage: str) -> dict[str, Any]:
    template = json.loads((baked.project / ".build" / "stages" / f"{stage}.json").read_text(encoding="utf-8"))
    conditions = template["Conditions"]
    found: dict[str, Any] = {
        name: resource for name, resource in template["Resources"].items()
        if resource.get("Condition") is None or conditions[resource["Condition"]] == {"Fn::Equals": [True, True]}
    }
    return found


def functions(found: dict[str, Any]) -> dict[str, Any]:
    return {name: r for name, r in found.items() if r["Type"] == "AWS::Lambda::Function"}


def skipped_checks(function: dict[str, Any]) -> set[str]:
    return {skip["id"] for skip in function.get("Metadata", {}).get("checkov", {}).get("skip", [])}


def test_each_mixed_stage_passes_cfn_lint_checkov_and_every_control(audited: tuple[Bake, dict[str, Any]]) -> None:
    _, report = audited
    statuses = {control["id"]: control["status"] for control in report["controls"]}

    assert "fail" not in statuses.values(), statuses
    assert statuses["cfn-lint"] == statuses["checkov"] == "pass"
    checkov = next(control for control in report["controls"] if control["id"] == "checkov")
    print(f"\nmixed stages: {checkov['summary']}")


def test_private_networking_alone_puts_every_function_in_the_vpc_and_checks_ckv_aws_117(
    audited: tuple[Bake, dict[str, Any]],
) -> None:
    baked, _ = audited
    found = resources(baked, "private")

    assert functions(found)
    for name, function in functions(found).items():
        network = function["Properties"]["VpcConfig"]
        assert len(network["SubnetIds"]) == 2 and network["SecurityGroupIds"], name
        assert "CKV_AWS_117" not in skipped_checks(function), name
    kinds = {r["Type"] for r in found.values()}
    assert "AWS::CloudFront::Distribution" not in kinds
    assert not kinds & {"AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::Route"}
    endpoints = [r["Properties"] for r in found.values() if r["Type"] == "AWS::EC2::VPCEndpoint"]
    assert {e["VpcEndpointType"] for e in endpoints} == {"Gateway", "Interface"}
    assert all(e["PolicyDocument"]["Statement"][0]["Condition"] for e in endpoints)


def test_the_edge_alone_fronts_the_api_with_waf_and_the_jurisdictions_countries(
    audited: tuple[Bake, dict[str, Any]],
) -> None:
    baked, _ = audited
    found = resources(baked, "edge")

    for name, function in functions(found).items():
        assert "VpcConfig" not in function["Properties"], name
        assert "CKV_AWS_117" in skipped_checks(function), name
    (distribution,) = [r for r in found.values() if r["Type"] == "AWS::CloudFront::Distribution"]
    config = distribution["Properties"]["DistributionConfig"]
    assert ":wafv2:us-east-1:" in config["WebACLId"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    geo = config["Restrictions"]["GeoRestriction"]
    assert geo["Locations"] == {"Fn::If": ["EdgeAllowsSomeCountries", ["GB"], {"Ref": "AWS::NoValue"}]}
    assert not any(r["Type"] == "AWS::EC2::VPC" for r in found.values())


def test_the_edge_closes_the_apis_own_address_with_a_secret_header_the_api_checks(
    audited: tuple[Bake, dict[str, Any]],
) -> None:
    baked, _ = audited
    found = resources(baked, "edge")
    config = found["ApiDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    (header,) = origin["OriginCustomHeaders"]
    parts = header["HeaderValue"]["Fn::Join"][1]
    variables = found["ApiLambdaFunction"]["Properties"]["Environment"]["Variables"]
    read = [s for s in found["ApiIamRoleLambdaExecution"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            if s.get("Sid") == "EdgeOriginSecret"]

    assert found["EdgeOriginSecret"]["Type"] == "AWS::SecretsManager::Secret"
    assert parts[0].endswith("resolve:secretsmanager:") and parts[1] == {"Ref": "EdgeOriginSecret"}
    assert variables["ORIGIN_VERIFY_HEADER"] == {"Fn::If": ["Edge", header["HeaderName"], ""]}
    assert variables["ORIGIN_VERIFY_SECRET_ID"] == {"Fn::If": ["Edge", {"Ref": "EdgeOriginSecret"}, ""]}
    assert read and read[0]["Action"] == ["secretsmanager:GetSecretValue"]


def test_without_the_edge_the_api_checks_no_header(audited: tuple[Bake, dict[str, Any]]) -> None:
    baked, _ = audited
    template = json.loads((baked.project / ".build" / "stages" / "private.json").read_text(encoding="utf-8"))
    found = resources(baked, "private")

    assert template["Conditions"]["Edge"] == {"Fn::Equals": [False, True]}
    assert "EdgeOriginSecret" not in found and "SecretsManagerEndpoint" not in found


def test_the_report_skips_each_off_option_with_its_param(audited: tuple[Bake, dict[str, Any]]) -> None:
    _, report = audited
    summaries = {control["id"]: control["summary"] for control in report["controls"]}

    for control in NETWORK_CONTROLS:
        private, edge = summaries[control].split("; edge: ")
        assert private.startswith("private: ") and "privateNetworking: false" not in private, private
        assert "privateNetworking: false" in edge, edge
    for control in EDGE_CONTROLS:
        private, edge = summaries[control].split("; edge: ")
        assert "edge: false" in private, private
        assert edge.endswith("1 distribution checked") or "against GB" in edge, edge
    assert summaries["edge-origin-closed"].endswith("edge: 1 API function(s) and 1 distribution checked")


def test_the_edge_web_acl_is_for_cloudfront_with_managed_rules_and_stricter_money_budgets(
    audited: tuple[Bake, dict[str, Any]],
) -> None:
    baked, _ = audited
    path = baked.project / "bootstrap" / "edge-waf.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    acl = document["Resources"]["EdgeWebAcl"]["Properties"]
    budgets = {name: spec["Default"] for name, spec in document["Parameters"].items() if "Requests" in name}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"]
               if "ManagedRuleGroupStatement" in r["Statement"]}
    logging = document["Resources"]["EdgeWebAclLogging"]["Properties"]

    assert acl["Scope"] == "CLOUDFRONT"
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
    assert budgets["MoneyRequestsPerClient"] < budgets["ServerRequestsPerClient"] < budgets["RequestsPerClient"]
    assert all(rules[name]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
               for name in ("server-calls-per-client", "money-per-client", "requests-per-client"))
    assert {"SingleHeader": {"Name": "authorization"}} in logging["RedactedFields"]
    run([str(SCAN_BIN / "cfn-lint"), str(path)], baked.project)
    output = run([str(SCAN_BIN / "checkov"), "-f", str(path), "--framework", "cloudformation", "--output", "json",
                  "--compact", "--skip-download"], baked.project)
    assert json.loads(output[output.index("{"):])["summary"]["failed"] == 0
