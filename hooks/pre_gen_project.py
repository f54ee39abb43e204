"""Validate the answers before any file is written; a refusal leaves no project directory.

local_extensions.py also renders this file with the answers given so far and calls `refusals` after
each prompt, so a wrong answer is refused right after it is typed; run by cookiecutter, this hook is
the last gate (a replay file skips the prompts). Every check therefore looks only at the answers given.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

# Answers and the manifest arrive as JSON string literals, so quotes, backslashes, newlines
# or template syntax inside an answer cannot break or inject code here.
ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})
MANIFEST = json.loads({{ manifest | tojson | tojson }})

# Whole-value matches (re.fullmatch): `$` would also accept a trailing newline.
SLUG_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PACKAGE_RE = re.compile(r"[a-z_][a-z0-9_]*")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# The Serverless CLI refuses service names under 2 characters; 40 leaves room for the stage and the
# function in AWS names.
SLUG_MIN = 2
SLUG_MAX = 40
NAME_MAX = 80
DESCRIPTION_MAX = 200
PYTHON_VERSIONS = ("3.13", "3.12", "3.14")
# The license prompt's choices (SPDX ids, and "Proprietary" for code under no open licence); the
# LICENSE file of the generated project holds a text for each.
LICENSES = ("Proprietary", "MIT", "Apache-2.0", "BSD-3-Clause")


def problem(field: str, what: str, example: str) -> str:
    """Format one refusal: the field, what is wrong, and a value that would be accepted."""
    return f"  - {field}: {what}\n      for example: {example}"


def check_line(answers: dict, field: str, most: int, example: str) -> list[str]:
    """Check a free-text answer: given, one printable line, at most `most` characters."""
    if field not in answers:
        return []
    value = str(answers[field])
    if not value.strip():
        return [problem(field, "is empty", example)]
    if len(value) > most or not value.isprintable():
        return [problem(field, f"must be one line of at most {most} characters (no newline or tab)", example)]
    return []


def check_slug(slug: str) -> list[str]:
    """Check project_slug: it names the folder, the stack and every cloud resource."""
    example = "lucky-star-casino"
    if not slug:
        return [problem("project_slug", "is empty", example)]
    if not SLUG_RE.fullmatch(slug):
        return [problem(
            "project_slug",
            f"{slug!r} must start with a letter and hold only a-z, 0-9 and single inner hyphens",
            example,
        )]
    if len(slug) < SLUG_MIN:
        return [problem(
            "project_slug", f"{slug!r} is too short: the Serverless CLI needs at least {SLUG_MIN} characters",
            example,
        )]
    if len(slug) > SLUG_MAX:
        return [problem(
            "project_slug", f"{slug!r} is {len(slug)} characters; at most {SLUG_MAX} fit the cloud's name limits",
            example,
        )]
    return []


def check_names(answers: dict) -> list[str]:
    """Check project_name, project_slug, package_name, description and author_name."""
    found = check_line(answers, "project_name", NAME_MAX, '"Lucky Star Casino"')
    slug_problems = check_slug(str(answers["project_slug"])) if "project_slug" in answers else []
    found += slug_problems
    package = str(answers.get("package_name", ""))
    # A package name derived from a bad slug is the same mistake: report it once, on the slug.
    derived = slug_problems and package == str(answers["project_slug"]).replace("-", "_")
    if "package_name" in answers and not derived:
        if not PACKAGE_RE.fullmatch(package) or keyword.iskeyword(package):
            found.append(problem(
                "package_name", f"{package!r} is not a valid lower-case Python identifier", "lucky_star_casino"
            ))
        elif len(package) > SLUG_MAX:
            found.append(problem("package_name", f"is longer than {SLUG_MAX} characters", "lucky_star_casino"))
    found += check_line(answers, "description", DESCRIPTION_MAX, '"Sessions and wallet for our casino"')
    found += check_line(answers, "author_name", NAME_MAX, '"Platform Team"')
    return found


def check_emails(answers: dict) -> list[str]:
    """Check the owner and alert e-mail addresses (the alert address becomes an SNS subscription)."""
    bad = [field for field in ("author_email", "alert_email")
           if field in answers and not EMAIL_RE.fullmatch(str(answers[field]))]
    # An alert address that defaulted to a bad owner address is the same mistake: report it once.
    if bad == ["author_email", "alert_email"] and answers["alert_email"] == answers["author_email"]:
        bad = ["author_email"]
    return [problem(field, f"{answers[field]!r} is not an e-mail address", "ops@lucky-star.example")
            for field in bad]


def check_provider_and_region(answers: dict) -> list[str]:
    """Check the provider, its build status, the region and the jurisdiction's residency rule."""
    providers = MANIFEST["providers"]
    provider = answers["cloud_provider"]
    if provider not in providers:
        return [problem("cloud_provider", f"{provider!r} is not one of {', '.join(providers)}", "aws")]
    spec = providers[provider]
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
    hybrid = next((name for name, spec in MANIFEST["modules"].items()
                   if spec.get("replaces") in wagering and spec["status"] == "available"), None)
    served = set(MANIFEST["modules"][hybrid].get("serves", [])) if hybrid else set()

    def supporting(name: str, spec: dict) -> bool:
        """Whether a module runs without the wagering modules: needs none of them, or the hybrid mode serves it."""
        return (name not in wagering and spec["status"] == "available"
                and (name == hybrid or name in served or not set(spec["requires"]) & set(wagering)))

    runs = [name for name, spec in MANIFEST["modules"].items() if supporting(name, spec) and name != hybrid]
    needing = [name for name, spec in MANIFEST["modules"].items()
               if name not in wagering and not supporting(name, spec)]
    # The served modules' workers that read a wagering module's records (manifest `needs`) are left out.
    left_out = [worker["function"] for name in runs for worker in MANIFEST["modules"][name].get("workers", [])
                if set(worker.get("needs", [])) & set(wagering)]
    still = [
        *([f"{', '.join(needing)} still need{'s' if len(needing) == 1 else ''} the hosted wallet in this "
           "template version"] if needing else []),
        *([f"not deployed there: {' and '.join(left_out)}, which read the hosted wallet's ledger; the "
           "operator's platform holds it"] if left_out else []),
    ]
    field = f"module_{chosen[0]}"
    turned_on = " and ".join(f"module_{name}" for name in chosen)
    fix = (
        f"The fix is the hybrid mode: module_{hybrid}=true with {' and '.join(f'module_{n}=false' for n in wagering)} "
        f"serves the supporting modules ({', '.join(runs)}) around the operator's own wallet, which stays "
        "the record of play where the law puts it; its bets and wins reach them through a signed webhook "
        f"({'; '.join([*still, 'docs/06-compliance.md'])})"
        if hybrid else
        f"What can be generated: only the supporting modules {', '.join(runs)}, with every other module_*=false"
    )
    return [problem(
        field,
        f"{turned_on} conduct{'s' if len(chosen) == 1 else ''} wagering, which jurisdiction "
        f"{jurisdiction!r} keeps out of every public cloud region: {rule['residency']['refusal']} "
        f"(source: {rule['sources']['residency']['url']}). {fix}",
        " ".join(f"module_{name}={'true' if supporting(name, spec) else 'false'}"
                 for name, spec in MANIFEST["modules"].items()),
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


def stand_ins(answers: dict) -> dict[str, dict]:
    """The chosen modules that stand in for another (hybrid mode: the operator's wallet for the wallet), by name."""
    return {name: spec for name, spec in MANIFEST["modules"].items()
            if spec.get("replaces") and answers.get(f"module_{name}") is True}


def check_modules(answers: dict) -> list[str]:
    """Check that every chosen module has the modules it requires (prompts ask for them first)."""
    modules = MANIFEST["modules"]
    found = []
    chosen_stand_ins = stand_ins(answers)
    for name, spec in modules.items():
        key = f"module_{name}"
        if key not in answers:
            continue
        if not isinstance(answers[key], bool):
            found.append(problem(key, f"{answers[key]!r} is not a yes/no answer", "yes"))
            continue
        if not answers[key]:
            continue
        met_by = {stand_in["replaces"] for stand_in in chosen_stand_ins.values() if name in stand_in["serves"]}
        missing = [f"module_{dep}" for dep in spec["requires"]
                   if f"module_{dep}" in answers and answers[f"module_{dep}"] is not True and dep not in met_by]
        if missing:
            unserved = [f"module_{other} serves {', '.join(other_spec['serves'])} only, not {name}"
                        for other, other_spec in chosen_stand_ins.items()
                        if other_spec["replaces"] in spec["requires"]]
            found.append(problem(
                key, f"needs {' and '.join(missing)}{' (' + '; '.join(unserved) + ')' if unserved else ''}; "
                f"answer yes to {' and '.join(missing)}, or no to {key}",
                f"{missing[0]}: yes" if not unserved else f"{key}: no",
            ))
    for name, spec in chosen_stand_ins.items():
        clashing = [f"module_{other}" for other in spec.get("excludes", []) if answers.get(f"module_{other}") is True]
        if clashing:
            found.append(problem(
                f"module_{name}",
                f"module_{name} (the hybrid mode: the operator's own wallet holds the money) cannot be on with "
                f"{' and '.join(clashing)}, which hold money or guard bets in this project; answer no to "
                f"{' and '.join(clashing)}, or no to module_{name}",
                " ".join(f"{field}=false" for field in clashing),
            ))
    available = [name for name, spec in modules.items() if spec["status"] == "available"]
    answered = all(f"module_{name}" in answers for name in modules)
    if answered and not any(answers[f"module_{name}"] is True for name in available):
        found.append(problem(
            "module_*", f"no buildable module is on; answer yes to at least one of {', '.join(available)}",
            f"module_{next(name for name in available if not modules[name]['requires'])}: yes",
        ))
    return found


def check_python_version(answers: dict) -> list[str]:
    """Check the functions' Python version."""
    if "python_version" not in answers or answers["python_version"] in PYTHON_VERSIONS:
        return []
    return [problem(
        "python_version", f"{answers['python_version']!r} is not one of {', '.join(PYTHON_VERSIONS)}", "3.13"
    )]


def check_license(answers: dict) -> list[str]:
    """Check the license: LICENSE and pyproject.toml are written for the choices only."""
    if "license" not in answers or answers["license"] in LICENSES:
        return []
    return [problem("license", f"{answers['license']!r} is not one of {', '.join(LICENSES)}", "Proprietary")]


def check_provider_so_far(answers: dict) -> list[str]:
    """Check the provider before the region is asked: its default region passes the region checks."""
    if "region" in answers or "cloud_provider" not in answers:
        return []
    default = MANIFEST["providers"].get(answers["cloud_provider"], {}).get("default_region", "")
    return check_provider_and_region({**answers, "region": default, "jurisdiction": "none"})


def refusals(answers: dict) -> list[str]:
    """Every problem of the answers given so far."""
    has_region_answers = all(key in answers for key in ("cloud_provider", "region", "jurisdiction"))
    return [
        *check_names(answers),
        *check_emails(answers),
        *check_license(answers),
        *(check_provider_and_region(answers) if has_region_answers else check_provider_so_far(answers)),
        *check_modules(answers),
        *check_python_version(answers),
    ]


def main() -> int:
    """Run every check and refuse the generation if any fails."""
    problems = refusals(ANSWERS)
    if problems:
        print("Error: Cannot generate the project; fix these answers and run it again:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
