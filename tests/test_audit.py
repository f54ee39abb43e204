"""`make audit` in generated projects: every supported combination passes; a weakened default fails.

Each case packages its project offline with the shared node_modules and runs the scanners from the
shared scanner environment (both set by `make test`), so a case costs one `osls package` and one
cfn-lint and checkov run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from combinations import SUPPORTED
from conftest import BIN, TEMPLATE_DIR, bake
from packaged_stack import deployed_zip_paths

TEMPLATE_NODE_MODULES = os.environ.get("TEMPLATE_NODE_MODULES", "")
SCAN_BIN = Path(os.environ.get("TEMPLATE_SCAN_BIN", ""))


def make_audit(project: Path, stage: str | None = None) -> tuple[int, str, dict[str, Any]]:
    """Run `make audit` in a generated project (every stage, or `stage`): status, output, docs/controls.json."""
    if not (TEMPLATE_NODE_MODULES and (SCAN_BIN / "checkov").exists()):
        pytest.fail("TEMPLATE_NODE_MODULES and TEMPLATE_SCAN_BIN are unset: run the tests with `make test`")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "offline", "AWS_SECRET_ACCESS_KEY": "offline",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    tools = [f"PYTHON={os.environ.get('PYTHON', 'python3')}", f"NODE_MODULES={TEMPLATE_NODE_MODULES}",
             f"SCAN_VENV={SCAN_BIN.parent}", *([f"STAGE={stage}"] if stage else [])]
    result = subprocess.run(["make", "audit", *tools], cwd=project, env=env, capture_output=True, text=True,
                            timeout=1200, check=False)
    output = result.stdout + result.stderr
    report_path = project / "docs" / "controls.json"
    assert report_path.exists(), f"make audit wrote no report:\n{output[-4000:]}"
    return result.returncode, output, json.loads(report_path.read_text(encoding="utf-8"))


def with_status(report: dict[str, Any], status: str) -> dict[str, dict[str, Any]]:
    return {control["id"]: control for control in report["controls"] if control["status"] == status}


@pytest.mark.parametrize(("case_id", "answers"), SUPPORTED, ids=[case[0] for case in SUPPORTED])
def test_supported_combination_passes_the_audit(
    case_id: str, answers: dict[str, Any], tmp_path: Path
) -> None:
    baked = bake(tmp_path, answers)
    assert baked.returncode == 0, baked.output
    stage = None if modules_beyond_the_default(answers) or case_id == "aws-default" else "prod"
    code, output, report = make_audit(baked.project, stage)
    assert code == 0, output[-6000:]
    assert report["stage"] == (stage or "{dev,prod}"), report["stage"]
    assert with_status(report, "fail") == {}
    assert with_status(report, "pass").keys() >= {"cfn-lint", "checkov", "iam-no-wildcard-actions",
                                                   "iam-one-role-per-function", "cors-not-wildcard"}
    for control in with_status(report, "skip").values():
        assert control["summary"], control["id"]
    markdown = (baked.project / "docs" / "controls.md").read_text(encoding="utf-8")
    for control in report["controls"]:
        assert f"`{control['id']}`" in markdown
    sizes = zip_sizes(baked.project)
    assert_api_sbom_names_the_locked_packages(baked.project)
    publishers = publishers_and_their_sources(baked.project)
    summary = report["summary"]
    print(f"\n{case_id}: {', '.join(f'{name} {size // 1024} KB' for name, size in sizes.items())}")
    print(f"{case_id}: events:source by publisher: {publishers}")
    print(f"{case_id}: {summary['pass']} pass, {summary['fail']} fail, {summary['skip']} skip "
          f"(skipped: {', '.join(sorted(with_status(report, 'skip')))})")


def modules_beyond_the_default(answers: dict[str, Any]) -> set[str]:
    """The modules a combination switches on that the default project leaves off.

    Stages differ in settings that every module shares (locks, retention, concurrency), not per
    module: the default project, with every module it offers, audits each stage, and so does a
    combination with a module the default lacks; the others audit prod, the stage players reach,
    which keeps a combination's audit to one package (the full run's time, docs/03-developing.md).
    """
    defaults = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key for key, value in answers.items()
            if key.startswith("module_") and value is True and defaults.get(key) is False}


def publishers_and_their_sources(project: Path) -> dict[str, list[str]]:
    """Every function of the packaged template whose role may events:PutEvents, with the sources its
    events:source condition names; one without that condition fails (it could forge any module's events)."""
    template = json.loads((project / ".serverless" / "cloudformation-template-update-stack.json").read_text())
    package = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["package_name"]
    resources = template["Resources"]
    publishers: dict[str, list[str]] = {}
    for logical_id, function in resources.items():
        if function["Type"] != "AWS::Lambda::Function":
            continue
        role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                if "events:PutEvents" not in actions:
                    continue
                sources = statement.get("Condition", {}).get("StringEquals", {}).get("events:source")
                assert sources, f"{logical_id} may publish events of any source: {statement}"
                assert all(source.startswith(f"{package}.") for source in sources), (logical_id, sources)
                publishers[logical_id] = sources
    assert "ApiLambdaFunction" in publishers, publishers
    return publishers


def zip_sizes(project: Path) -> dict[str, int]:
    """The zips the packaged stack deploys, by function: workers carry no Flask and stay under 200 KB, the
    API under 5 MB (not the first zip osls leaves for each function, which nothing deploys)."""
    zips = deployed_zip_paths(project)
    assert zips, "make audit packaged no zip"
    sizes = {}
    for function, archive in sorted(zips.items()):
        names = zipfile.ZipFile(archive).namelist()
        size = archive.stat().st_size
        if function == "api":
            assert size < 5_000_000, (archive.name, size)
        else:
            assert not [name for name in names if name.startswith("flask/")], archive.name
            assert size < 200_000, (archive.name, size)
        sizes[function] = size
    return sizes


def assert_api_sbom_names_the_locked_packages(project: Path) -> None:
    """api.zip's CycloneDX SBOM, beside it, names the zip's hash and the locked Flask it carries."""
    sbom = json.loads((project / ".serverless" / "api.cdx.json").read_text(encoding="utf-8"))
    assert sbom["bomFormat"] == "CycloneDX"
    digest = hashlib.sha256((project / ".serverless" / "api.zip").read_bytes()).hexdigest()
    assert sbom["metadata"]["component"]["hashes"] == [{"alg": "SHA-256", "content": digest}]
    locked = dict(re.findall(r"(?m)^([a-z0-9-]+)==(\S+)", (project / "requirements.txt").read_text()))
    carried = {c["name"]: c["version"] for c in sbom["components"] if c.get("purl", "").startswith("pkg:pypi/")}
    assert carried == locked, (carried, locked)
    assert {"flask", "werkzeug", "jinja2"} <= carried.keys()


@dataclass(frozen=True)
class Weakening:
    """An edit of the default project's serverless.yml that undoes one default.

    Each edit is (pattern, replacement), the pattern matching exactly once. The audit must fail
    `control` with a finding that contains `finding`. `also_failing` names other controls allowed to
    fail with it: checkov has its own check for several of these defaults.
    """

    control: str
    finding: str
    edits: list[tuple[str, str]]
    also_failing: frozenset[str] = frozenset()


XRAY_STATEMENT = re.escape("    iamRoleStatements:\n      - Sid: XRayTraces")
WALLET_TABLE_ARN = '{"Fn::GetAtt": [WalletTable, Arn]}'
STACK_KEY = r"Fn::GetAtt: \[DataKey, Arn\]"
WEBHOOK_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # pragma: allowlist secret
CHECKOV = frozenset({"checkov"})
AUDIT_BUCKET = """  Resources:
    AuditTrailArchive:
      Type: AWS::S3::Bucket
      Properties:
        Tags:
          - {Key: purpose, Value: audit-trail}
        VersioningConfiguration: {Status: Enabled}
        PublicAccessBlockConfiguration:
          BlockPublicAcls: true
          BlockPublicPolicy: true
          IgnorePublicAcls: true
          RestrictPublicBuckets: true
        BucketEncryption:
          ServerSideEncryptionConfiguration:
            - ServerSideEncryptionByDefault:
                SSEAlgorithm: aws:kms
                KMSMasterKeyID: {"Fn::GetAtt": [DataKey, Arn]}
"""

WEAKENED: dict[str, Weakening] = {
    "action-star": Weakening(
        "iam-no-wildcard-actions", "ApiIamRoleLambdaExecution (Sid Everything): Action *", [(
            XRAY_STATEMENT,
            "    iamRoleStatements:\n      - Sid: Everything\n        Effect: Allow\n        Action: '*'\n"
            f"        Resource: {WALLET_TABLE_ARN}\n      - Sid: XRayTraces",
        )], CHECKOV),
    "resource-star-without-reason": Weakening(
        "iam-wildcard-resources-justified", "ApiIamRoleLambdaExecution (Sid ReadAnyTable): Resource *", [(
            XRAY_STATEMENT,
            "    iamRoleStatements:\n      - Sid: ReadAnyTable\n        Effect: Allow\n"
            "        Action: dynamodb:GetItem\n        Resource: '*'\n      - Sid: XRayTraces",
        )], CHECKOV),
    "shared-role": Weakening(
        "iam-one-role-per-function", "SessionActivityLambdaFunction: shares role ApiIamRoleLambdaExecution", [
            (r"(    handler: \w+/handlers/session_activity\.handler\n(?:    .*\n)*?)"
             r"    iamRoleStatements:\n      # The plugin adds sqs:.*\n(?:      .*\n)*",
             "\\1    role: ApiIamRoleLambdaExecution\n"),
            # The role's whole extension goes with it (its name and its managed policies).
            (r"    SessionActivityIamRoleLambdaExecution:\n      Properties:\n        RoleName:\n"
             r"          Ref: AWS::NoValue\n(?:        ManagedPolicyArns: .*\n)?", ""),
        ]),
    "queue-without-dlq": Weakening("queues-have-dlq", "SessionActivityQueue: no RedrivePolicy", [(
        r"        RedrivePolicy:\n          deadLetterTargetArn:\n"
        r"            Fn::GetAtt: \[SessionActivityDeadLetterQueue, Arn\]\n"
        r"          maxReceiveCount: 3\n",
        "",
    )]),
    "queue-without-kms": Weakening(
        "queues-encrypted-with-cmk", "SessionActivityDeadLetterQueue: no customer-managed KMS key", [(
            r"(    SessionActivityDeadLetterQueue:\n      Type: AWS::SQS::Queue\n      Properties:\n)"
            rf"        KmsMasterKeyId:\n          {STACK_KEY}\n",
            r"\1",
        )], CHECKOV),
    "table-without-kms": Weakening("tables-encrypted-with-cmk", "WalletTable: SSESpecification", [(
        r"(    WalletTable:\n(?:      .*\n)*?        SSESpecification:\n)"
        r"          SSEEnabled: true\n          SSEType: KMS\n"
        rf"          KMSMasterKeyId:\n            {STACK_KEY}\n",
        r"\1          SSEEnabled: false\n",
    )], CHECKOV),
    "table-without-pitr": Weakening(
        "tables-point-in-time-recovery", "SessionsTable: PointInTimeRecoveryEnabled is not true", [(
            r"(    SessionsTable:\n(?:      .*\n)*?          PointInTimeRecoveryEnabled: )true",
            r"\1false",
        )], CHECKOV),
    "cors-star": Weakening("cors-not-wildcard", 'HttpApi: AllowOrigins ["*"]', [(
        r"    corsAllowedOrigins:\n      - http://localhost:3000\n      - https://play.dev.example.com\n",
        "    corsAllowedOrigins: ['*']\n",
    )]),
    "short-log-retention": Weakening("logs-retention-from-jurisdiction", "ApiLogGroup: RetentionInDays 30", [
        (r"  logRetentionInDays: \d+\n", "  logRetentionInDays: 30\n"),
    ]),
    "log-group-without-kms": Weakening(
        "logs-encrypted-with-cmk", "ApiLogGroup: no customer-managed KMS key", [(
            rf"    ApiLogGroup:\n      Properties:\n        KmsKeyId:\n          {STACK_KEY}\n",
            "",
        )], CHECKOV),
    "tracing-off": Weakening("lambda-tracing-active", "ApiLambdaFunction: TracingConfig.Mode", [
        (r"  tracing:\n    lambda: true\n", "  tracing:\n    lambda: false\n"),
    ], CHECKOV),
    "secret-in-environment": Weakening(
        "lambda-no-plain-secrets-in-env", "ApiLambdaFunction: PAYMENT_API_KEY holds a secret", [(
            r"(    LOG_LEVEL: \$\{param:logLevel\}\n)",
            r"\1    PAYMENT_API_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
        )]),
    # Found by its value (detect-secrets' entropy plugin), in the api function's own environment.
    "webhook-key-by-value": Weakening(
        "lambda-no-plain-secrets-in-env",
        "ApiLambdaFunction: PAYMENT_WEBHOOK_KEY holds a secret (detect-secrets: Hex High Entropy String", [(
            r"(      PAYMENT_PROVIDER_KEY_PARAMETER: \$\{self:custom\.paymentProviderKeyParameter\}\n)",
            rf"\1      PAYMENT_WEBHOOK_KEY: {WEBHOOK_KEY}\n",
        )]),
    # A plain word has no entropy to find: the project's name rule finds it.
    "signing-key-by-name": Weakening(
        "lambda-no-plain-secrets-in-env", "ApiLambdaFunction: JWT_SIGNING_KEY holds a secret (its name", [(
            r"(      PAYMENT_PROVIDER_KEY_PARAMETER: \$\{self:custom\.paymentProviderKeyParameter\}\n)",
            r"\1      JWT_SIGNING_KEY: plaintext\n",
        )]),
    # Only prod's params allow every origin: `make audit` audits every stage, so it fails naming prod.
    "cors-star-prod-only": Weakening("cors-not-wildcard", '[prod] HttpApi: AllowOrigins ["*"]', [(
        r"(\n  prod:\n)", "\\1    corsAllowedOrigins: ['*']\n",
    )]),
    "route-without-authorizer": Weakening("api-routes-authorized", "(GET /wallet): no authorizer", [(
        r"(          method: GET\n          path: /wallet\n)          authorizer: \{name: playerJwt\}\n",
        r"\1",
    )]),
    # Only prod's params choose dev's GOVERNANCE lock: an archive that could be emptied on prod.
    "governance-lock-on-prod": Weakening(
        "audit-bucket-object-lock", "[prod] AuditArchiveBucket: default retention mode is GOVERNANCE", [(
            r"(\n  prod:\n)", "\\1    auditArchiveRetention: {Mode: GOVERNANCE, Days: 1}\n",
        )]),
    # The promotions worker's publishing statement loses its events:source condition.
    "publisher-without-source": Weakening(
        "iam-publishers-name-their-sources",
        "PromotionsIamRoleLambdaExecution (Sid PublishDomainEvents): events:PutEvents without an "
        "events:source condition", [(
            r"(      - Sid: PublishDomainEvents  # only the sources it publishes as.*\n(?:        .*\n){4})"
            r"        Condition:\n          StringEquals:\n            events:source: \[\w+\.promotions\]\n",
            r"\1",
        )]),
    # The first bonus-granting worker (promotions) may write any attribute of the wallet's table.
    "bonus-grant-any-attribute": Weakening(
        "iam-bonus-grants-scoped", "PromotionsLambdaFunction (Sid BonusGrantWrites): writes any attribute", [(
            r"          ForAllValues:StringEquals:\n            dynamodb:Attributes: \[[^\]]*\]\n", "",
        )]),
    # Prod gets the edge, and CloudFront stops sending the secret header: the execute-api address is open.
    "edge-origin-open": Weakening(
        "edge-origin-closed", "ApiDistribution: origin http-api sends no header from a secret", [
            (r"(\n  prod:\n)", "\\1    edge: true\n"),
            (r"              # Replaces any header of that name a viewer sends\..*\n.*\n"
             r"              OriginCustomHeaders:\n(?:                .*\n)+", ""),
        ]),
    "audit-bucket-without-object-lock": Weakening(
        "audit-bucket-object-lock", "AuditTrailArchive: Object Lock is not enabled", [
            (r"(?m)^  Resources:\n", AUDIT_BUCKET),
        ], CHECKOV | {"buckets-private-tls-only"}),
}

# One `make audit` per batch keeps the suite fast; the edits of a batch touch different resources, and
# each finding names its resource, so every control is seen failing for its own edit. (The generated
# project's tests/test_audit.py weakens one default at a time on a synthetic stack.)
BATCHES = {
    "iam-queues-tables-cors-logs-audit-bucket": [
        "action-star", "shared-role", "queue-without-dlq", "table-without-kms", "cors-star",
        "short-log-retention", "audit-bucket-without-object-lock", "signing-key-by-name",
        "publisher-without-source", "bonus-grant-any-attribute",
    ],
    "resources-kms-pitr-tracing-secrets-routes-prod": [
        "resource-star-without-reason", "queue-without-kms", "table-without-pitr", "log-group-without-kms",
        "tracing-off", "secret-in-environment", "route-without-authorizer", "webhook-key-by-value",
        "cors-star-prod-only", "governance-lock-on-prod", "edge-origin-open",
    ],
}


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, generated once; each batch edits its own copy."""
    baked = bake(tmp_path_factory.mktemp("audit-default"))
    assert baked.returncode == 0, baked.output
    return baked.project


def test_batches_weaken_every_listed_default_once() -> None:
    batched = [name for names in BATCHES.values() for name in names]
    assert sorted(batched) == sorted(WEAKENED)
    assert len({WEAKENED[name].control for name in batched}) >= 8


@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
def test_weakened_defaults_fail_the_audit_naming_their_controls(
    default_project: Path, batch: list[str], tmp_path: Path
) -> None:
    project = tmp_path / default_project.name
    shutil.copytree(default_project, project, symlinks=True)
    serverless_yml = project / "serverless.yml"
    text = serverless_yml.read_text(encoding="utf-8")
    for name in batch:
        for pattern, replacement in WEAKENED[name].edits:
            text, count = re.subn(pattern, replacement, text, count=1)
            assert count == 1, f"{name}: the default serverless.yml no longer matches {pattern!r}"
    serverless_yml.write_text(text, encoding="utf-8")
    code, output, report = make_audit(project)
    assert code != 0, output[-4000:]
    failed = with_status(report, "fail")
    for name in batch:
        weakening = WEAKENED[name]
        assert weakening.control in failed, f"{name}: {weakening.control} did not fail\n{output[-4000:]}"
        assert f"FAIL  {weakening.control}" in output
        offenders = failed[weakening.control]["offenders"]
        assert any(weakening.finding in offender for offender in offenders), (name, offenders)
    expected = {WEAKENED[name].control for name in batch}
    allowed = expected.union(*(WEAKENED[name].also_failing for name in batch))
    assert set(failed) <= allowed, f"unexpected failures: {set(failed) - allowed}\n{output[-4000:]}"


def _run_steps(workflow: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(index, job, step) of every step of every job, in order."""
    return [(index, job, step) for job, spec in workflow["jobs"].items()
            for index, step in enumerate(spec["steps"])]


def _recipe(makefile: str, target: str) -> list[str]:
    """The recipe lines of one Makefile target."""
    match = re.search(rf"(?m)^{target}:.*\n((?:\t.*\n)+)", makefile)
    assert match, f"no {target} target"
    return [line.strip() for line in match.group(1).splitlines()]


def test_the_audit_gates_ci_and_every_deploy(default_project: Path) -> None:
    """CI audits every stage; the deploy workflow and `make deploy` audit the stage before deploying."""
    workflows = default_project / ".github" / "workflows"
    ci = yaml.safe_load((workflows / "ci.yml").read_text(encoding="utf-8"))
    ci_runs = [step.get("run", "") for _, _, step in _run_steps(ci)]
    assert "make audit" in ci_runs, f"ci.yml runs no `make audit` of every stage: {ci_runs}"

    deploy = yaml.safe_load((workflows / "deploy.yml").read_text(encoding="utf-8"))
    steps = _run_steps(deploy)
    audits = [i for i, _, step in steps if re.search(r"\bmake audit STAGE=", step.get("run", ""))]
    credentials = [i for i, _, step in steps if "configure-aws-credentials" in step.get("uses", "")]
    deploys = [i for i, _, step in steps if re.search(r"\bmake deploy\b", step.get("run", ""))]
    assert audits and credentials and deploys, steps
    assert max(audits) < min(credentials) < min(deploys), "the audit must pass before credentials and deploy"

    makefile = (default_project / "aws.mk").read_text(encoding="utf-8")
    recipe = _recipe(makefile, "deploy")
    audit_line = next(i for i, line in enumerate(recipe) if re.search(r"\baudit STAGE=\$\(STAGE\)", line))
    deploy_line = next(i for i, line in enumerate(recipe) if "$(OSLS) deploy" in line)
    assert audit_line < deploy_line, recipe
    assert "package scan" not in makefile.split("\ndeploy:", 1)[1].split("\n\n", 1)[0]


def test_controls_cite_the_checkov_checks_of_the_same_property() -> None:
    """The ids a control cites are CloudFormation checks of the pinned checkov, not guesses."""
    catalogue = (TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "tools" / "audit" / "catalogue.py").read_text()
    cited = {control: re.findall(r'"(CKV2?_AWS_\d+)"', ids)
             for control, ids in re.findall(r'id="([a-z0-9-]+)",(?:(?!\n    \),).)*?checkov=\(([^)]*)\)',
                                            catalogue, re.S)}
    assert len(cited) >= 12, cited
    if not (SCAN_BIN / "checkov").exists():
        pytest.fail("TEMPLATE_SCAN_BIN is unset: run the tests with `make test`")
    listed = subprocess.run([str(SCAN_BIN / "checkov"), "--list", "--framework", "cloudformation"],
                            capture_output=True, text=True, check=True, timeout=300).stdout
    known = set(re.findall(r"\|\s*(CKV2?_AWS_\d+)\s*\|", listed))
    unknown = {control: [i for i in ids if i not in known] for control, ids in cited.items()}
    assert not any(unknown.values()), unknown
