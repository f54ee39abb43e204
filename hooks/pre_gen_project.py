"""Validate the answers before any file is written; a refusal leaves no project directory."""

from __future__ import annotations

import json
import keyword
import re
import sys

# Answers and the manifest arrive as JSON string literals, so quotes, backslashes, newlines
# or template syntax inside an answer cannot break or inject code here.
ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})
MANIFEST = json.loads({{ manifest | tojson | tojson }})

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]*$")
PACKAGE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
SLUG_MAX = 40
NAME_MAX = 80
DESCRIPTION_MAX = 200


def problem(field: str, what: str, example: str) -> str:
    """Format one refusal: the field, what is wrong, and a value that would be accepted."""
    return f"  - {field}: {what}\n      for example: {example}"


def check_names(answers: dict) -> list[str]:
    """Check project_name, project_slug and package_name."""
    found = []
    name = str(answers["project_name"])
    if not name.strip():
        found.append(problem("project_name", "is empty", '"Lucky Star Casino"'))
    elif len(name) > NAME_MAX or "\n" in name or "\r" in name:
        found.append(problem(
            "project_name", f"must be one line of at most {NAME_MAX} characters", '"Lucky Star Casino"'
        ))
    slug = str(answers["project_slug"])
    if not SLUG_RE.match(slug) or slug.endswith("-") or "--" in slug:
        found.append(problem(
            "project_slug",
            f"{slug!r} must start with a letter and hold only a-z, 0-9 and single inner hyphens",
            "lucky-star-casino",
        ))
    elif len(slug) > SLUG_MAX:
        found.append(problem(
            "project_slug",
            f"{slug!r} is {len(slug)} characters; at most {SLUG_MAX} fit the cloud's name limits",
            "lucky-star-casino",
        ))
    package = str(answers["package_name"])
    if not PACKAGE_RE.match(package) or keyword.iskeyword(package):
        found.append(problem(
            "package_name", f"{package!r} is not a valid lower-case Python identifier", "lucky_star_casino"
        ))
    elif len(package) > SLUG_MAX:
        found.append(problem("package_name", f"is longer than {SLUG_MAX} characters", "lucky_star_casino"))
    description = str(answers["description"])
    if len(description) > DESCRIPTION_MAX or "\n" in description or "\r" in description:
        found.append(problem(
            "description", f"must be one line of at most {DESCRIPTION_MAX} characters",
            '"Sessions and wallet for our casino"',
        ))
    return found


def check_emails(answers: dict) -> list[str]:
    """Check the owner and alert e-mail addresses."""
    return [
        problem(field, f"{answers[field]!r} is not an e-mail address", "ops@lucky-star.example")
        for field in ("author_email", "alert_email")
        if not EMAIL_RE.match(str(answers[field]))
    ]


def check_provider_and_region(answers: dict) -> list[str]:
    """Check the provider, its build status, the region and the jurisdiction's residency rule."""
    providers = MANIFEST["providers"]
    provider = answers["cloud_provider"]
    if provider not in providers:
        return [problem("cloud_provider", f"{provider!r} is not one of {', '.join(providers)}", "aws")]
    spec = providers[provider]
    if spec["status"] != "available":
        ready = [name for name, other in providers.items() if other["status"] == "available"]
        return [problem(
            "cloud_provider",
            f"{provider!r} is not available yet: {spec['planned_reason']}; choose {' or '.join(ready)}",
            ready[0],
        )]
    region = answers["region"]
    found = []
    if region not in spec["regions"]:
        owner = next((name for name, other in providers.items() if region in other["regions"]), None)
        hint = f"; that is a {owner} region" if owner else ""
        found.append(problem(
            "region", f"{region!r} is not a {provider} region{hint}", spec["region_example"]
        ))
        return found
    jurisdictions = MANIFEST["jurisdictions"]
    jurisdiction = answers["jurisdiction"]
    if jurisdiction not in jurisdictions:
        return [problem("jurisdiction", f"{jurisdiction!r} is not one of {', '.join(jurisdictions)}", "none")]
    rule = jurisdictions[jurisdiction]
    found += check_wagering_residency(answers, jurisdiction, rule)
    override = str(answers.get("_residency_override_reason", "")).strip()
    allowed = rule["allowed_regions"].get(provider)
    if allowed and region not in allowed:
        approval = rule.get("residency", {}).get("approval")
        if approval and override:
            residency_notice(f"region {region!r} is outside the regions jurisdiction {jurisdiction!r} allows "
                             f"without approval; generating it on the recorded approval: {override}")
        elif approval:
            found.append(problem(
                "region",
                f"{region!r} needs the regulator's approval for jurisdiction {jurisdiction!r}: {approval}. "
                f"Choose one of {', '.join(allowed)}, or record the approval in _residency_override_reason "
                "(a replay file, or _residency_override_reason=\"<reference>\" after --no-input; "
                "docs/06-compliance.md)",
                allowed[0],
            ))
        else:
            found.append(problem(
                "region",
                f"{region!r} is not allowed for jurisdiction {jurisdiction!r} ({rule['rule']}); "
                f"allowed: {', '.join(allowed)}",
                allowed[0],
            ))
    if not found:
        residency_warnings(provider, region, jurisdiction, rule)
    return found


def check_wagering_residency(answers: dict, jurisdiction: str, rule: dict) -> list[str]:
    """Refuse the modules that conduct wagering where the jurisdiction keeps wagering off public clouds.

    No approval opens a public cloud region to them (the law's only exception is temporary backup
    equipment), so _residency_override_reason does not either.
    """
    wagering = rule.get("residency", {}).get("wagering_modules", [])
    chosen = [name for name in wagering if answers.get(f"module_{name}") is True]
    if not chosen:
        return []
    supporting = [name for name, spec in MANIFEST["modules"].items()
                  if name not in wagering and spec["status"] == "available"
                  and not set(spec["requires"]) & set(wagering)]
    needing = [name for name, spec in MANIFEST["modules"].items()
               if name not in wagering and set(spec["requires"]) & set(wagering)]
    field = f"module_{chosen[0]}"
    turned_on = " and ".join(f"module_{name}" for name in chosen)
    return [problem(
        field,
        f"{turned_on} conduct{'s' if len(chosen) == 1 else ''} wagering, which jurisdiction "
        f"{jurisdiction!r} keeps out of every public cloud region: {rule['residency']['refusal']} "
        f"(source: {rule['sources']['residency']['url']}). "
        f"What can be generated today: only the supporting module{'s' if len(supporting) > 1 else ''} "
        f"{', '.join(supporting)}, with every other module_*=false ({', '.join(needing)} need the "
        "wallet in this template version); the operator's own gaming system, where the law puts it, "
        "stays the record of play. Planned: a hybrid mode that serves the supporting modules around "
        "the operator's own wallet (docs/06-compliance.md)",
        " ".join(f"module_{name}={'true' if name in supporting else 'false'}"
                 for name in MANIFEST["modules"]),
    )]


def residency_notice(text: str) -> None:
    """Print a residency note that does not stop the generation."""
    print(f"Note on residency: {text}", file=sys.stderr)


def residency_warnings(provider: str, region: str, jurisdiction: str, rule: dict) -> None:
    """Print the jurisdiction's residency note and any warning about transfers from this region."""
    residency = rule.get("residency", {})
    transfer = residency.get("transfer_warning")
    if transfer and region not in transfer["regions"].get(provider, [region]):
        source = rule["sources"]["residency"]
        residency_notice(f"{region} under {jurisdiction!r}: {transfer['message']} "
                         f"(source: {source['instrument']}, {source['section']}; {source['url']})")
    if residency.get("note"):
        residency_notice(residency["note"])


def check_modules(answers: dict) -> list[str]:
    """Check that every chosen module has the modules it requires."""
    modules = MANIFEST["modules"]
    found = []
    for name, spec in modules.items():
        value = answers.get(f"module_{name}")
        if not isinstance(value, bool):
            found.append(problem(f"module_{name}", f"{value!r} is not a yes/no answer", "true"))
            continue
        if not value:
            continue
        missing = [dep for dep in spec["requires"] if answers.get(f"module_{dep}") is not True]
        if missing:
            needs = ", ".join(f"module_{dep}" for dep in missing)
            found.append(problem(
                f"module_{name}", f"needs {needs}; turn {'it' if len(missing) == 1 else 'them'} on "
                f"or turn module_{name} off", f"module_{missing[0]}=true",
            ))
    if not any(answers.get(f"module_{name}") is True for name, spec in modules.items()
               if spec["status"] == "available"):
        available = [name for name, spec in modules.items() if spec["status"] == "available"]
        found.append(problem(
            "module_*", f"no buildable module is on; turn on at least one of {', '.join(available)}",
            f"module_{available[0]}=true",
        ))
    return found


def check_python_version(answers: dict) -> list[str]:
    """Check the functions' Python version."""
    if answers["python_version"] in ("3.12", "3.13", "3.14"):
        return []
    return [problem("python_version", f"{answers['python_version']!r} is not 3.12, 3.13 or 3.14", "3.13")]


def main() -> int:
    """Run every check and refuse the generation if any fails."""
    problems = [
        *check_names(ANSWERS),
        *check_emails(ANSWERS),
        *check_provider_and_region(ANSWERS),
        *check_modules(ANSWERS),
        *check_python_version(ANSWERS),
    ]
    if problems:
        print("Cannot generate the project; fix these answers and run cookiecutter again:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
