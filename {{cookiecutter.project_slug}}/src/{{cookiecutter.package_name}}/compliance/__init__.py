"""The jurisdiction's rules, as this project was generated for them ({{ cookiecutter.jurisdiction }}).

Rendered from the template's manifest: record retention, the default limits policy, the regions the
data may live in, and the critical events the audit trail records. Regenerating the project for
another jurisdiction (make regenerate) rewrites this module and the stack settings derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import registry

{%- set rule = manifest.jurisdictions[cookiecutter.jurisdiction] %}
{%- set limits = rule.limits %}

JURISDICTION = "{{ cookiecutter.jurisdiction }}"
TITLE = "{{ rule.title }}"
# Play, account and audit records are kept this long; the audit archive's Object Lock enforces it.
RETENTION_YEARS = {{ rule.retention_years }}
LOG_RETENTION_DAYS = {{ rule.log_retention_days }}
# Whether a bet needs the player's active session, checked in the bet's own write (docs/compliance.md).
BET_NEEDS_SESSION = {{ rule.bet_needs_session }}
# The house currency (ISO 4217): promotions' and leaderboards' rewards and the demo's money are in it.
CURRENCY = "{{ rule.currency }}"
# The regulator's approval recorded at generation for a region outside the jurisdiction's list
# (`_residency_override_reason`), and that region; none: only the jurisdiction's regions (tools/residency.py).
APPROVAL = {{ cookiecutter._residency_override_reason | trim | tojson }}
APPROVED_REGION: str | None = {{ (cookiecutter.region | tojson) if cookiecutter._residency_override_reason | trim else "None" }}
# Every region of this cloud the template offers (its manifest cites where each cloud's list comes from).
CLOUD_REGIONS: tuple[str, ...] = (
{%- for region in manifest.providers[cookiecutter.cloud_provider].regions %}
    "{{ region }}",
{%- endfor %}
)
ALLOWED_REGIONS: tuple[str, ...] = (
    # The regions the data may live in (docs/compliance.md names the rule); none: no residency rule.
{%- for region in rule.allowed_regions.get(cookiecutter.cloud_provider, []) %}
    "{{ region }}",
{%- endfor %}
)


@dataclass(frozen=True, slots=True)
class LimitsPolicy:
    """The responsible-gaming defaults of the jurisdiction (docs/compliance.md cites the rules)."""

    deposit_limit_prompt_at_registration: bool
    reality_check_minutes: int | None
    cool_off_hours: int
    self_exclusion_min_months: int
    # Whether stakes of bonus money count towards wager and loss limits (cash stakes always do).
    bonus_stakes_count_towards_limits: bool


LIMITS_POLICY = LimitsPolicy(
    deposit_limit_prompt_at_registration={{ limits.deposit_limit_prompt_at_registration }},
    reality_check_minutes={{ limits.reality_check_minutes if limits.reality_check_minutes is not none else "None" }},
    cool_off_hours={{ limits.cool_off_hours }},
    self_exclusion_min_months={{ limits.self_exclusion_min_months }},
    bonus_stakes_count_towards_limits={{ limits.bonus_stakes_count_towards_limits }},
)

# (source after the package name, event name, the module that publishes it or "core", planned) of every
# critical event the jurisdiction's audit trail records; planned ones are not published yet.
CRITICAL_EVENTS: tuple[tuple[str, str, str, bool], ...] = (
    # In the manifest's order; planned events and the modules this project lacks are filtered below.
{%- for name in rule.audit_events %}
{%- set event = manifest.audit_events[name] %}
    ("{{ event.source }}", "{{ name }}", "{{ event.module }}", {{ event.get("status") == "planned" }}),
{%- endfor %}
)

# (source after the package name, event name) of every critical event the audit trail records here;
# the EventBridge rule AuditTrailRule routes exactly these to the auditTrail worker.
AUDITED_EVENTS: frozenset[tuple[str, str]] = frozenset(
    (source, name)
    for source, name, module, planned in CRITICAL_EVENTS
    if not planned and (module == "core" or registry.publishes(module))
)
