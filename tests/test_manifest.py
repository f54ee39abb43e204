"""The manifest is the one source of modules, providers and files; keep it honest."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

from combinations import PAIRS_LEFT_OUT, SUPPORTED
from conftest import TEMPLATE_DIR

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
PACKAGE = "{{cookiecutter.package_name}}"


def covered(relative: str, patterns: list[str]) -> bool:
    """True if the path equals a manifest entry or lies under a folder entry."""
    return any(relative == p or relative.startswith(p.rstrip("/") + "/") for p in patterns)


def manifest_paths(manifest: dict[str, Any], section: str) -> list[str]:
    specs = manifest.get(section, [])
    return [p.format(package=PACKAGE) for spec in (specs.values() if isinstance(specs, dict) else specs)
            for p in spec["files"]]


def test_every_template_file_is_always_kept_or_named_in_the_manifest(manifest: dict[str, Any]) -> None:
    named = [*manifest_paths(manifest, "modules"), *manifest_paths(manifest, "providers"),
             *manifest_paths(manifest, "together")]
    always = [p.format(package=PACKAGE) for p in manifest["always"]]
    orphans = [
        rel for path in PROJECT_TEMPLATE.rglob("*") if path.is_file() and "__pycache__" not in path.parts
        if not covered(rel := str(path.relative_to(PROJECT_TEMPLATE)), named + always)
    ]
    assert orphans == []


def test_every_file_the_manifest_names_exists(manifest: dict[str, Any]) -> None:
    named = [*manifest_paths(manifest, "modules"), *manifest_paths(manifest, "providers"),
             *manifest_paths(manifest, "together")]
    always = [p.format(package=PACKAGE) for p in manifest["always"]]
    assert [p for p in named + always if not (PROJECT_TEMPLATE / p).exists()] == []


def test_prompts_and_manifest_list_the_same_modules_and_providers(manifest: dict[str, Any]) -> None:
    prompts = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    modules = sorted(key.removeprefix("module_") for key in prompts if key.startswith("module_"))
    assert modules == sorted(manifest["modules"])
    # Text prompts (a value outside a choice list on the command line would end in cookiecutter's own
    # traceback): each question lists every value the manifest knows, and the default is the first.
    for field, values in (("cloud_provider", manifest["providers"]), ("jurisdiction", manifest["jurisdictions"])):
        question = prompts["__prompts__"][field]
        assert [value for value in values if not re.search(rf"\b{re.escape(value)}\b", question)] == [], field
        assert prompts[field] == next(iter(values)), field
    assert all(isinstance(prompts[f"module_{name}"], bool) for name in manifest["modules"])


def test_no_list_of_files_names_a_file_twice(manifest: dict[str, Any]) -> None:
    """A file named twice in one list is a merge's leftover: the second entry hides a later removal."""
    lists = {f"providers.{name}": entry.get("files", []) for name, entry in manifest["providers"].items()}
    lists |= {f"modules.{name}": entry.get("files", []) for name, entry in manifest["modules"].items()}
    twice = {where: sorted({f for f in files if files.count(f) > 1}) for where, files in lists.items()}
    assert {where: files for where, files in twice.items() if files} == {}


def test_module_dependencies_name_known_modules(manifest: dict[str, Any]) -> None:
    for name, spec in manifest["modules"].items():
        assert set(spec["requires"]) <= set(manifest["modules"]) - {name}, name


def test_jurisdiction_regions_belong_to_their_provider(manifest: dict[str, Any]) -> None:
    for name, rule in manifest["jurisdictions"].items():
        for provider, regions in rule["allowed_regions"].items():
            assert set(regions) <= set(manifest["providers"][provider]["regions"]), (name, provider)


def test_aws_regions_are_real_botocore_regions(manifest: dict[str, Any]) -> None:
    import boto3

    known = set(boto3.session.Session().get_available_regions("lambda"))
    assert set(manifest["providers"]["aws"]["regions"]) - known == set()


def test_template_files_use_no_absolute_machine_paths() -> None:
    # Where this checkout lives and whose home it is are facts of one machine, not of the template.
    machine_paths = {f"{TEMPLATE_DIR.parent}/", f"{Path.home()}/"}
    for path in PROJECT_TEMPLATE.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".md", ".yml", ".json", ".toml", ""}:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [p for p in machine_paths if p in text], path


def test_options_reference_documents_every_prompt() -> None:
    prompts = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    reference = (TEMPLATE_DIR / "docs" / "02-options.md").read_text(encoding="utf-8")
    undocumented = [name for name in prompts if not name.startswith("_") and f"`{name}`" not in reference]
    assert undocumented == []


def _answers_of(case: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """A combination's answers: its own, else the defaults (a choice's default is its first value)."""
    return {**{key: value[0] if isinstance(value, list) else value for key, value in defaults.items()}, **case}


def test_supported_combinations_cover_every_allowed_pair_of_modules(manifest: dict[str, Any]) -> None:
    """Pairwise: every on/off pair of two modules that the dependencies allow is in some combination."""
    defaults = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    modules = list(manifest["modules"])
    rows = [_answers_of(case, defaults) for _, case in SUPPORTED]
    seen = {(a, rows[i][f"module_{a}"], b, rows[i][f"module_{b}"])
            for i in range(len(rows)) for a, b in itertools.combinations(modules, 2)}

    def allowed(on: dict[str, bool]) -> bool:
        """Some valid combination has these values: switch everything else off except what they need.

        A chosen stand-in (the hybrid mode) meets the requirement it `replaces` for the modules it
        `serves`; no chosen module may be one a chosen module `excludes`.
        """
        specs = manifest["modules"]
        chosen = {name for name, value in on.items() if value}
        stand_ins = [specs[name] for name in chosen if specs[name].get("replaces")]
        for name in list(chosen):
            chosen |= {dep for dep in specs[name]["requires"]
                       if not any(dep == spec["replaces"] and name in spec["serves"] for spec in stand_ins)}
        excluded = {other for name in chosen for other in specs[name].get("excludes", [])}
        return all(on.get(name, True) for name in chosen) and bool(chosen) and not chosen & excluded

    missing = [(a, x, b, y) for a, b in itertools.combinations(modules, 2)
               for x, y in itertools.product((True, False), repeat=2)
               if allowed({a: x, b: y}) and (a, x, b, y) not in seen]
    # Equal, not included: a pair a combination comes to cover must leave the list.
    assert missing == PAIRS_LEFT_OUT


def test_supported_combinations_cover_every_jurisdiction_and_python(manifest: dict[str, Any]) -> None:
    defaults = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    rows = [_answers_of(case, defaults) for _, case in SUPPORTED]
    assert {row["jurisdiction"] for row in rows} == set(manifest["jurisdictions"])
    assert {row["python_version"] for row in rows} >= {"3.12", "3.13", "3.14"}


# Every jurisdiction rule the manifest states, by the name its `sources` entry uses.
JURISDICTION_RULES = ("residency", "retention", "log_retention", "deposit_limit", "reality_check", "cool_off",
                      "self_exclusion", "bonus_stakes", "audit_events", "kyc", "security", "bet_session")


def source_problems(name: str, rule: dict[str, Any]) -> list[str]:
    """What is wrong with one jurisdiction's sources: a rule without one, a bare entry, a link not https."""
    found = []
    sources = rule.get("sources", {})
    for key in JURISDICTION_RULES:
        entry = sources.get(key)
        if not isinstance(entry, dict):
            found.append(f"{name}.{key}: neither a source nor a policy mark")
        elif "policy" in entry:
            if not str(entry["policy"]).strip() or set(entry) != {"policy"}:
                found.append(f"{name}.{key}: a policy mark needs its reason and nothing else")
        elif not all(str(entry.get(field, "")).strip() for field in ("instrument", "section", "url")):
            found.append(f"{name}.{key}: a source needs instrument, section and url")
        elif not str(entry["url"]).startswith("https://"):
            found.append(f"{name}.{key}: {entry['url']!r} is not an https link")
    found += [f"{name}.{key}: not a rule of the manifest" for key in set(sources) - set(JURISDICTION_RULES)]
    return found


def test_every_jurisdiction_rule_cites_its_source_or_is_marked_as_policy(manifest: dict[str, Any]) -> None:
    found = [problem for name, rule in manifest["jurisdictions"].items() for problem in source_problems(name, rule)]
    assert found == []


def test_a_rule_without_source_or_policy_mark_is_caught(manifest: dict[str, Any]) -> None:
    rule = manifest["jurisdictions"]["us-nj"]
    bare = {**rule, "sources": {key: value for key, value in rule["sources"].items() if key != "retention"}}
    plain_http = {**rule, "sources": {**rule["sources"], "kyc": {**rule["sources"]["kyc"], "url": "http://x.example"}}}
    empty_policy = {**rule, "sources": {**rule["sources"], "cool_off": {"policy": " "}}}

    assert source_problems("us-nj", bare) == ["us-nj.retention: neither a source nor a policy mark"]
    assert source_problems("us-nj", plain_http) == ["us-nj.kyc: 'http://x.example' is not an https link"]
    assert source_problems("us-nj", empty_policy) == ["us-nj.cool_off: a policy mark needs its reason and nothing else"]


def test_residency_rules_name_known_modules_and_regions(manifest: dict[str, Any]) -> None:
    for name, rule in manifest["jurisdictions"].items():
        residency = rule.get("residency", {})
        assert set(residency.get("wagering_modules", [])) <= set(manifest["modules"]), name
        if residency.get("wagering_modules"):
            assert residency.get("refusal"), name
        for provider, regions in residency.get("transfer_warning", {}).get("regions", {}).items():
            assert set(regions) <= set(manifest["providers"][provider]["regions"]), (name, provider)


def test_the_wallet_conducts_wagering_wherever_a_jurisdiction_lists_wagering_modules(manifest: dict[str, Any]) -> None:
    """A module that needs a wagering module cannot be a supporting one: the refusal must cover the wallet."""
    for name, rule in manifest["jurisdictions"].items():
        wagering = set(rule.get("residency", {}).get("wagering_modules", []))
        if wagering:
            assert "wallet" in wagering, name


def test_compliance_guide_counts_the_cited_and_policy_rules(manifest: dict[str, Any]) -> None:
    entries = [entry for rule in manifest["jurisdictions"].values() for entry in rule["sources"].values()]
    policy = sum(1 for entry in entries if "policy" in entry)
    guide = (TEMPLATE_DIR / "docs" / "06-compliance.md").read_text(encoding="utf-8")
    assert f"**{len(entries) - policy} rules cite their law, {policy} are the\ntemplate's policy**" in guide


def test_files_of_modules_together_name_known_modules(manifest: dict[str, Any]) -> None:
    for spec in manifest.get("together", []):
        assert len(spec["modules"]) >= 2, spec
        assert set(spec["modules"]) <= set(manifest["modules"]), spec


def test_a_worker_that_needs_another_module_has_its_files_kept_with_that_module(manifest: dict[str, Any]) -> None:
    """A worker's `needs` (the hybrid mode's jobs): deployed, and its handler kept, only with those modules on."""
    together = {frozenset(spec["modules"]): spec["files"] for spec in manifest.get("together", [])}
    needing = 0
    for name, module in manifest["modules"].items():
        for worker in module.get("workers", []):
            handler = f"src/{{package}}/handlers/{worker['handler']}.py"
            needs = worker.get("needs", [])
            assert set(needs) <= set(manifest["modules"]) - {name}, worker["function"]
            if needs:
                needing += 1
                assert handler not in module["files"], f"{handler}: kept with {name} alone"
                assert handler in together.get(frozenset([name, *needs]), []), f"{handler}: not kept with {needs}"
            else:
                assert handler in module["files"], handler
    assert needing >= 2, "reconciliation and dataExport need the hosted wallet"
