"""The AWS project's docs: the SSM parameters and scopes going live names, the node versions package.json
accepts, the pinned osls and its framework version.
"""

from __future__ import annotations

import json
import re

from tests.test_docs import LOCAL_DEVELOPMENT, PROJECT_ROOT

GOING_LIVE = PROJECT_ROOT / "docs" / "going-live.md"


def test_going_live_names_every_ssm_parameter_or_says_there_is_none() -> None:
    guide = GOING_LIVE.read_text(encoding="utf-8")
    parameters = ssm_parameters()
    assert [name for name in parameters if f"`{name}`" not in guide] == []
    if parameters:
        assert "`<each of the above>-previous`" in guide
    else:
        assert "no SSM parameter to create" in guide


def test_going_live_names_every_scope_the_api_checks() -> None:
    guide = GOING_LIVE.read_text(encoding="utf-8")
    assert [scope for scope in sorted(scopes_checked()) if f"`{scope}`" not in guide] == []


def test_the_docs_name_the_node_versions_package_json_accepts() -> None:
    engines = json.loads((PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))["engines"]["node"]
    assert f"`{engines}`" in LOCAL_DEVELOPMENT.read_text(encoding="utf-8")
    assert f"`{engines}`" in (PROJECT_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_the_docs_explain_the_pinned_osls_and_its_framework_version() -> None:
    package = json.loads((PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["osls"]
    serverless = (PROJECT_ROOT / "serverless.yml").read_text(encoding="utf-8")
    assert f'frameworkVersion: "{pinned}"' in serverless
    assert f'`frameworkVersion: "{pinned}"`' in LOCAL_DEVELOPMENT.read_text(encoding="utf-8")


def ssm_parameters() -> list[str]:
    """The SSM parameters serverless.yml names (under custom), as the guide writes them."""
    serverless = (PROJECT_ROOT / "serverless.yml").read_text(encoding="utf-8")
    service = re.search(r"^service: (\S+)", serverless, re.MULTILINE)
    assert service is not None
    pattern = r"^\s+\w+Parameter: /\$\{self:service\}/\$\{sls:stage\}/(\S+)$"
    return [f"/{service.group(1)}/<stage>/{name}" for name in re.findall(pattern, serverless, re.MULTILINE)]


def scopes_checked() -> set[str]:
    """Every scope the HTTP API's authorizers require, and every scope constant the API's code uses."""
    serverless = (PROJECT_ROOT / "serverless.yml").read_text(encoding="utf-8")
    groups = re.findall(r"scopes: \[([^\]]*)\]", serverless)
    found = {scope for group in groups for scope in re.findall(r'"([^"]+)"', group)}
    code = "\n".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "src").glob("*/api/*.py"))
    for name, scope in re.findall(r'^([A-Z_]*SCOPE) = "([^"]+)"', code, re.MULTILINE):
        if len(re.findall(rf"\b{name}\b", code)) > 1:  # used beyond its definition
            found.add(scope)
    return found
