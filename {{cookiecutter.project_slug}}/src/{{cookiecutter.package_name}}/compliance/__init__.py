"""The jurisdiction's rules, as this project was generated for them ({{ cookiecutter.jurisdiction }}).

Rendered from the template's manifest: record retention, the default limits policy, the regions the
data may live in, and the critical events the audit trail records. Regenerating the project for
another jurisdiction (make regenerate) rewrites this module and the stack settings derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass

{%- set rule = manifest.jurisdictions[cookiecutter.jurisdiction] %}
{%- set limits = rule.limits %}

JURISDICTION = "{{ cookiecutter.jurisdiction }}"
TITLE = "{{ rule.title }}"
# Play, account and audit records are kept this long; the audit archive's Object Lock enforces it.
RETENTION_YEARS = {{ rule.retention_years }}
LOG_RETENTION_DAYS = {{ rule.log_retention_days }}
{%- set regions = rule.allowed_regions.get(cookiecutter.cloud_provider, []) %}
# The regions the data may live in (docs/compliance.md names the rule); empty: no residency rule.
{%- if regions %}
ALLOWED_REGIONS: tuple[str, ...] = (
{%- for region in regions %}
    "{{ region }}",
{%- endfor %}
)
{%- else %}
ALLOWED_REGIONS: tuple[str, ...] = ()
{%- endif %}


@dataclass(frozen=True, slots=True)
class LimitsPolicy:
    """The responsible-gaming defaults of the jurisdiction (docs/compliance.md cites the rules)."""

    deposit_limit_prompt_at_registration: bool
    reality_check_minutes: int | None
    cool_off_hours: int
    self_exclusion_min_months: int


LIMITS_POLICY = LimitsPolicy(
    deposit_limit_prompt_at_registration={{ limits.deposit_limit_prompt_at_registration }},
    reality_check_minutes={{ limits.reality_check_minutes if limits.reality_check_minutes is not none else "None" }},
    cool_off_hours={{ limits.cool_off_hours }},
    self_exclusion_min_months={{ limits.self_exclusion_min_months }},
)
{%- set audited = [] %}
{%- for name in rule.audit_events %}
{%- set event = manifest.audit_events[name] %}
{%- if event.get("status") != "planned" and (event.module == "core" or (cookiecutter["module_" ~ event.module] and manifest.modules[event.module].status == "available")) %}
{%- set audited = audited.append((event.source, name)) %}
{%- endif %}
{%- endfor %}

# (source after the package name, event name) of every critical event the audit trail records here;
# the EventBridge rule AuditTrailRule routes exactly these to the auditTrail worker.
AUDITED_EVENTS: frozenset[tuple[str, str]] = frozenset(
    {
{%- for source, name in audited %}
        ("{{ source }}", "{{ name }}"),
{%- endfor %}
    }
)
