"""What the audit expects of this project: the jurisdiction's numbers and the stated exceptions.

Rendered from the template's answers and manifest; edit it when a decision changes, and the change
shows in the next `make audit` report. Every exception carries its reason, which the report prints.
"""
{%- set rule = manifest.jurisdictions[cookiecutter.jurisdiction] %}

from __future__ import annotations

from dataclasses import dataclass

SERVICE = {{ cookiecutter.project_slug | tojson }}
# The countries the edge admits players from (manifest.yaml edge_countries): a stage's CloudFront geo
# restriction must admit these only; where the operator lists its markets (MGA), any list is its own.
EDGE_COUNTRIES: tuple[str, ...] = tuple({{ rule.get("edge_countries", []) | tojson }})
EDGE_COUNTRIES_LISTED_BY_OPERATOR = {{ "True" if rule.get("edge_countries_listed_by_operator") else "False" }}
# Every events:PutEvents of a function names the sources it publishes as (events:source), each under
# this prefix: a function that may publish any source could forge another module's events.
EVENT_SOURCE_PREFIX = {{ (cookiecutter.package_name ~ ".") | tojson }}
{%- set granting = [] %}
{%- for name, module in manifest.modules.items() if cookiecutter["module_" ~ name] and module.status == "available" %}
{%- for worker in module.get("workers", []) if worker.get("grants_bonuses") and cookiecutter.module_wallet %}{% set _ = granting.append(worker.logical ~ "LambdaFunction") %}{% endfor %}
{%- endfor %}
# The functions that grant bonuses through the wallet (manifest.yaml grants_bonuses), and what a grant
# writes in the wallet's table (manifest.yaml bonus_grant_attributes): their roles may write the table
# only inside TransactWriteItems, and only these attributes.
BONUS_GRANTING_FUNCTIONS: tuple[str, ...] = tuple({{ granting | tojson }})
BONUS_GRANT_ATTRIBUTES: frozenset[str] = frozenset(
    (
{%- for attribute in manifest.modules.wallet.bonus_grant_attributes %}
        {{ attribute | tojson }},
{%- endfor %}
    )
)
# Records (the ledger, the audit trail) are kept this long; logs are kept this many days.
RECORDS_RETENTION_YEARS = {{ rule.retention_years }}
LOG_RETENTION_DAYS = {{ rule.log_retention_days }}
# The modules the jurisdiction keeps off every public cloud region (manifest.yaml residency), and the
# functions each deploys: the no-wagering-function control fails if the stack has one of them.
{%- set wagering = rule.get("residency", {}).get("wagering_modules", []) %}
{%- set wagering_functions = [] %}
{%- for name in wagering %}{% set _ = wagering_functions.extend(manifest.modules[name].functions) %}{% endfor %}
WAGERING_MODULES: tuple[str, ...] = tuple({{ wagering | tojson }})
WAGERING_FUNCTIONS: tuple[str, ...] = tuple({{ wagering_functions | tojson }})


@dataclass(frozen=True)
class WildcardGrant:
    """IAM actions that accept no resource but "*", and why."""

    actions: frozenset[str]
    reason: str


# An identity-policy statement whose Resource is "*" must carry one of these Sids and only these
# actions. Add a Sid here only for actions whose service has no resource ARN for them.
WILDCARD_RESOURCE_GRANTS: dict[str, WildcardGrant] = {
    "DescribeNetworkInterfaces": WildcardGrant(
        frozenset({"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"}),
        "EC2's Describe actions have no resource ARN: Lambda lists the functions' network interfaces "
        "with them (private networking)",
    ),
    "XRayTraces": WildcardGrant(
        frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"}),
        "X-Ray trace segments and telemetry have no resource ARN: IAM accepts only * for them",
    ),
}

# HTTP API routes served without the JWT authorizer, and why.
PUBLIC_ROUTES: dict[str, str] = {
    "GET /health": "liveness probe for uptime monitors; answers without reading player data",
}

# The Powertools public layer version that carries each aws-lambda-powertools release, as the
# Powertools docs list it. requirements-dev.txt pins the library (tests and `make dev` run it), the
# functions run the layer (serverless.yml custom.region.powertoolsLayer): tests/test_dependencies.py
# fails when the pin has no entry here or the layer in serverless.yml is not that entry's, so an update
# PR of the library cannot leave the deployed layer behind.
POWERTOOLS_LAYERS: dict[str, int] = {
    "3.37.0": 38,
}
