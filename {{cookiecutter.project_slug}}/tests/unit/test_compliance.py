"""The jurisdiction's rules are one fact: the compliance module and the stack agree on them."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from tools import sbom

from {{ cookiecutter.package_name }}.compliance.deployment import deployment_event


def packaged(folder: Path, *zips: str) -> Path:
    """A package folder holding these zips (each with this project's package in it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in zips:
        with zipfile.ZipFile(folder / name, "w") as opened:
            opened.writestr(f"src/{sbom.PACKAGE}/__init__.py", f"# {name}\n")
    return folder


def test_a_deployment_event_names_stage_commit_and_deployer() -> None:
    at = datetime(2030, 1, 1, tzinfo=UTC)
    artifacts = [
        {
            "artifact": "api.zip",
            "sha256": "00",
            "sbom": "api.cdx.json",
            "sbom_serial": "urn:uuid:1",
            "sbom_sha256": "11",
        }
    ]

    event = deployment_event(
        stage="prod", commit="abc123", deployed_by="arn:aws:iam::1:role/deployer", at=at, artifacts=artifacts
    )
    again = deployment_event(
        stage="prod", commit="abc123", deployed_by="arn:aws:iam::1:role/deployer", at=at, artifacts=artifacts
    )

    assert event.name == "StackDeployed"
    assert event.source == "{{ cookiecutter.package_name }}.deployment"
    assert event.detail["stage"] == "prod"
    assert event.detail["commit"] == "abc123"
    assert event.detail["artifacts"] == artifacts
    assert event.event_id == again.event_id  # the same deployment, published twice, is recorded once
    assert event.correlation_id != again.correlation_id


def test_the_deployment_names_each_deployed_zip_and_the_sbom_kept_beside_it(tmp_path: Path) -> None:
    package = packaged(tmp_path / ".serverless", "api.zip", "wallet.zip")
    written = sbom.write_all(package, sbom.PROJECT_ROOT)
    (package / "wallet.cdx.json").unlink()  # a zip whose SBOM went missing is named as such

    artifacts = sbom.deployed_artifacts(package)

    api, wallet = artifacts
    document = package / "api.cdx.json"
    assert document in written
    assert api == {
        "artifact": "api.zip",
        "sha256": hashlib.sha256((package / "api.zip").read_bytes()).hexdigest(),
        "sbom": "api.cdx.json",
        "sbom_serial": json.loads(document.read_text(encoding="utf-8"))["serialNumber"],
        "sbom_sha256": hashlib.sha256(document.read_bytes()).hexdigest(),
    }
    assert wallet["artifact"] == "wallet.zip"
    assert wallet["sbom"] is None
    assert wallet["sbom_sha256"] is None
    event = deployment_event(
        stage="prod", commit="abc123", deployed_by="arn", at=datetime.now(UTC), artifacts=artifacts
    )
    assert event.detail["artifacts"][0]["sbom_sha256"] == api["sbom_sha256"]
