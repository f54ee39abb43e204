"""serverless.yml reads with the one CloudFormation-aware loader (tools/cfn_yaml.py)."""

from __future__ import annotations

import json

from tests.support.tables import SERVERLESS_YML
from tools import cfn_yaml


def test_serverless_yml_reads_with_the_one_loader() -> None:
    document = cfn_yaml.load_file(SERVERLESS_YML)

    assert document["service"] == "{{ cookiecutter.project_slug }}"
    # The answers the project was generated from (.cookiecutter.json) name the same region.
    answers = json.loads((SERVERLESS_YML.parent / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert document["custom"]["region"]["name"] == answers["region"]
