"""The longest names package offline with the real CLI and pass cfn-lint and checkov.

Every supported combination is packaged and scanned by `make audit` (test_audit.py); this module adds
the case that stresses name limits: the longest slug and stage with every module on, so every
function, rule, queue and alarm name is at its longest.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from combinations import LONGEST_SLUG
from conftest import Bake, bake, run
from packaged_stack import deployed_zip_paths

TEMPLATE_NODE_MODULES = os.environ.get("TEMPLATE_NODE_MODULES", "")
SCAN_BIN = Path(os.environ.get("TEMPLATE_SCAN_BIN", ""))

# (id, answers, stage). The longest slug with the longest stage proves every name fits its limit.
PACKAGED = [
    ("aws-all-modules-longest-names", {"project_slug": LONGEST_SLUG, "region": "ap-southeast-2"}, "staging"),
]


@pytest.fixture(params=PACKAGED, ids=[case[0] for case in PACKAGED], scope="module")
def packaged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    if not (TEMPLATE_NODE_MODULES and (SCAN_BIN / "checkov").exists()):
        pytest.fail("TEMPLATE_NODE_MODULES and TEMPLATE_SCAN_BIN are unset: run the tests with `make test`")
    case_id, answers, stage = request.param
    result = bake(tmp_path_factory.mktemp(case_id), answers)
    assert result.returncode == 0, result.output
    started = time.monotonic()
    run(["make", "package", f"STAGE={stage}", f"PYTHON={os.environ.get('PYTHON', 'python3')}",
         f"NODE_MODULES={TEMPLATE_NODE_MODULES}"], result.project,
        env={"AWS_ACCESS_KEY_ID": "offline", "AWS_SECRET_ACCESS_KEY": "offline"})
    zips = sorted((result.project / ".serverless").glob("*.zip"))
    sizes = ", ".join(f"{z.name} {z.stat().st_size // 1024} KB" for z in zips)
    print(f"\n{case_id}: osls package took {time.monotonic() - started:.1f} s; {sizes}")
    return result


def stack(project: Bake) -> Path:
    return project.project / ".serverless" / "cloudformation-template-update-stack.json"


def test_cfn_lint_passes(packaged: Bake) -> None:
    run([str(SCAN_BIN / "cfn-lint"), str(stack(packaged))], packaged.project)


def test_checkov_reports_no_failed_check(packaged: Bake) -> None:
    output = run([str(SCAN_BIN / "checkov"), "-f", str(stack(packaged)), "--framework", "cloudformation",
                  "--output", "json", "--compact", "--skip-download"], packaged.project)
    report = json.loads(output[output.index("{"):])
    summary = report["summary"]
    print(f"\ncheckov: {summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped")
    assert summary["failed"] == 0, [c["check_id"] for c in report["results"]["failed_checks"]]
    assert summary["passed"] >= 25
    for skipped in report["results"]["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert len(reason) > 40, f"{skipped['check_id']} skipped without a reason"


def test_workers_carry_no_flask(packaged: Bake) -> None:
    """The zips the stack deploys (Code.S3Key): osls also leaves each function's first zip in .serverless/,
    which the individual packaging replaces and nothing deploys."""
    zips = deployed_zips(packaged)
    assert zips
    for name, archive in zips.items():
        names = archive.namelist()
        if name != "api":
            assert not [n for n in names if n.startswith("flask/")], name
            size = Path(str(archive.filename)).stat().st_size
            assert size < 200_000, (name, size)


def deployed_zips(project: Bake) -> dict[str, zipfile.ZipFile]:
    """Each function's zip as the packaged template deploys it (Code.S3Key), by function name."""
    return {name: zipfile.ZipFile(path) for name, path in deployed_zip_paths(project.project).items()}


def test_each_zip_carries_its_functions_modules_and_their_bytecode(packaged: Bake) -> None:
    """tools/aws/package_code.py decides; the zips osls wrote hold exactly that, with hash-checked bytecode."""
    code = json.loads((packaged.project / ".build" / "function-code.json").read_text(encoding="utf-8"))
    runtime_tag = "cpython-" + code["runtime"].removeprefix("python").replace(".", "")
    zips = deployed_zips(packaged)
    assert set(zips) == set(code["modules"])
    for name, bundle in zips.items():
        package = min(code["modules"][name], key=len)
        names = bundle.namelist()
        own = sorted(n.removeprefix("src/") for n in names
                     if n.endswith(".py") and n.removeprefix("src/").startswith(package + "/"))
        assert own == sorted(f.removeprefix("src/") for f in code["functions"][name] if f.endswith(".py")), name
        compiled = [n for n in names if n.endswith(".pyc")]
        if not code["bytecode"]:
            assert not compiled, name
            continue
        for source in own:
            folder, _, file = source.rpartition("/")
            pyc = next((n for n in compiled if n.endswith(f"{folder}/__pycache__/{file[:-3]}.{runtime_tag}.pyc")), None)
            assert pyc, (name, source)
            assert int.from_bytes(bundle.read(pyc)[4:8], "little") == 0b11, pyc  # PEP 552: checked hash
    if code["bytecode"]:  # the API's Flask comes compiled too (by pip, hash-based with SOURCE_DATE_EPOCH)
        flask = [n for n in zips["api"].namelist() if n.startswith("flask/__pycache__/")]
        assert flask and all(int.from_bytes(zips["api"].read(n)[4:8], "little") == 0b11 for n in flask)
    # A worker carries its own module's domain, not the others' nor the API.
    audit = code["modules"]["auditTrail"]
    assert not [m for m in audit if m.endswith((".wallet", ".promotions", ".leaderboards")) or ".api" in m], audit
