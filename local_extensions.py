"""Jinja extension of the template: the one manifest, and answers checked as soon as they are given.

cookiecutter renders the entries of cookiecutter.json in order, prompting for each; the `__*_checked`
entries between the prompts call `check_answers`, so a wrong answer is refused right after it is
typed instead of after the last prompt, and before any folder exists. A refusal prints one `Error:`
message and exits 1 with `SystemExit`: cookiecutter's command line (click) and cruft's (typer, with its
own copy of click) both let it through untouched, where any other exception ends in a traceback from
one of them.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment
from jinja2.ext import Extension

MANIFEST_PATH = Path(__file__).with_name("manifest.yaml")
# The checks live in the pre-generation hook (the last gate, which replay files reach too); they are
# rendered and run here with the answers given so far.
CHECKS_PATH = Path(__file__).with_name("hooks") / "pre_gen_project.py"
REFUSAL = "Cannot generate the project; fix {these} and run it again:"


@functools.lru_cache(maxsize=1)
def load_manifest() -> dict[str, Any]:
    """Read manifest.yaml once per process."""
    with MANIFEST_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def batch_mode() -> bool:
    """True when every answer came at once (`--no-input`, cruft's `-y`): every problem is listed together."""
    return bool({"--no-input", "-y"} & set(sys.argv[1:]))


def refusals(environment: Environment, answers: dict[str, Any]) -> list[str]:
    """Run the hook's checks on the answers given so far, in this process."""
    source = environment.from_string(CHECKS_PATH.read_text(encoding="utf-8")).render(cookiecutter=answers)
    checks = types.ModuleType("pre_gen_checks")
    # The rendered hook holds the answers only as JSON string literals (see its header), so running it
    # here is as safe as cookiecutter running it as a script.
    exec(compile(source, str(CHECKS_PATH), "exec"), checks.__dict__)
    found: list[str] = checks.refusals(dict(answers))
    return found


def allowed_regions_note(answers: dict[str, Any]) -> str:
    """The regions the chosen provider and jurisdiction allow, shown before the region prompt."""
    manifest = load_manifest()
    provider, jurisdiction = answers["cloud_provider"], answers["jurisdiction"]
    allowed = manifest["jurisdictions"][jurisdiction]["allowed_regions"].get(provider)
    if allowed:
        head = f"Regions {jurisdiction} allows on {provider}: "
    else:
        allowed = manifest["providers"][provider]["regions"]
        head = f"Any {provider} region ({jurisdiction} has no residency rule): "
    return textwrap.fill(head + ", ".join(allowed), width=100, initial_indent="  ", subsequent_indent="    ")


class ManifestExtension(Extension):
    """Adds the manifest and the helpers that templates and hooks call to the Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["manifest"] = load_manifest()
        environment.globals["check_answers"] = functools.partial(check_answers, environment)
        environment.globals["default_region"] = default_region
        environment.globals["enabled_modules"] = enabled_modules
        environment.globals["python_tuple"] = python_tuple
        environment.globals["absent_modules"] = absent_modules
        environment.globals["unix_cron"] = unix_cron
        environment.globals["ncrontab"] = ncrontab
        environment.globals["log_table_days"] = log_table_days
        environment.globals["stand_ins"] = stand_ins
        environment.globals["module_on"] = module_on
        environment.globals["test_doubles"] = test_doubles
        environment.globals["deployed_workers"] = deployed_workers
        quiet_failed_hook_traceback()


def check_answers(environment: Environment, answers: dict[str, Any], *, last: bool = False,
                  show_regions: bool = False) -> str:
    """Refuse the answers given so far if any is wrong; render as nothing otherwise.

    With `--no-input` only the last check runs, so every problem is listed at once.
    """
    if batch_mode() and not last:
        return ""
    found = refusals(environment, answers)
    if found:
        these = "these answers" if len(found) > 1 else "this answer"
        print("\n".join([f"Error: {REFUSAL.format(these=these)}", *found]), file=sys.stderr)
        raise SystemExit(1)
    if show_regions and not batch_mode():
        print(allowed_regions_note(answers))
    return ""


def enabled_modules(answers: dict[str, Any]) -> list[str]:
    """The modules the answers turn on that this template version builds, in the manifest's order.

    The generated project's module registry is rendered from this list, and only from it.
    """
    modules: dict[str, Any] = load_manifest()["modules"]
    return [
        name
        for name, module in modules.items()
        if module.get("status") == "available" and answers.get(f"module_{name}") is True
    ]


def absent_modules(answers: dict[str, Any]) -> list[str]:
    """The modules the template has that these answers leave out (their files are not generated)."""
    enabled = set(enabled_modules(answers))
    return [name for name in load_manifest()["modules"] if name not in enabled]


def stand_ins(answers: dict[str, Any]) -> dict[str, str]:
    """The modules another chosen module stands in for (hybrid mode: the wallet), with that module's name.

    The stand-in publishes the replaced module's events under its source, so the workers' rules and the
    audit trail match them as if the replaced module were on (manifest.yaml, `replaces`).
    """
    modules: dict[str, Any] = load_manifest()["modules"]
    return {module["replaces"]: name for name in enabled_modules(answers)
            if (module := modules[name]).get("replaces")}


def module_on(answers: dict[str, Any], name: str) -> bool:
    """Whether module `name`'s events are published in this project: it is on, or a stand-in for it is."""
    return name in enabled_modules(answers) or name in stand_ins(answers)


def deployed_workers(answers: dict[str, Any], module: str) -> list[dict[str, Any]]:
    """The workers of `module` that these answers deploy: those whose `needs` are all on.

    A stand-in does not meet a worker's needs: the hybrid mode's jobs that read the hosted wallet's
    ledger are not deployed, since the operator's own platform holds it (manifest.yaml, `needs`).
    """
    enabled = set(enabled_modules(answers))
    workers: list[dict[str, Any]] = load_manifest()["modules"][module].get("workers", [])
    return [worker for worker in workers if set(worker.get("needs", [])) <= enabled]


def test_doubles(answers: dict[str, Any]) -> list[str]:
    """Modules of the package the chosen modules keep for their tests only (never packaged)."""
    modules: dict[str, Any] = load_manifest()["modules"]
    return [double for name in enabled_modules(answers) for double in modules[name].get("test_doubles", [])]


def python_tuple(items: list[str], indent: int = 4) -> str:
    """A tuple of strings as ruff formats it: one item on one line, several one per line."""
    if not items:
        return "()"
    if len(items) == 1:
        return f"({json.dumps(items[0])},)"
    pad = " " * indent
    return "(\n" + "".join(f"{pad}{json.dumps(item)},\n" for item in items) + ")"


RATE_CRON = {"minute": "*/{n} * * * *", "hour": "0 */{n} * * *", "day": "0 0 */{n} * *"}


def unix_cron(schedule: str) -> str:
    """An EventBridge schedule expression (manifest.yaml) as the unix cron Cloud Scheduler takes (UTC).

    `rate(15 minutes)` -> `*/15 * * * *`, `rate(1 hour)` -> `0 */1 * * *`, `cron(30 0 * * ? *)` -> `30 0 * * *`
    (EventBridge's `?` is cron's `*`; its sixth field, the year, has no unix counterpart and must be `*`).
    """
    kind, _, body = schedule.partition("(")
    body = body.removesuffix(")").strip()
    if kind == "rate":
        count, unit = body.split()
        if unit.rstrip("s") not in RATE_CRON:
            raise ValueError(f"schedule {schedule!r}: rate unit must be minutes, hours or days")
        return RATE_CRON[unit.rstrip("s")].format(n=int(count))
    fields = body.split()
    # EventBridge numbers weekdays 1-7 from Sunday, cron 0-6: a weekday field would need translating.
    if kind != "cron" or len(fields) != 6 or fields[5] != "*" or fields[4] not in ("*", "?"):
        raise ValueError(f"schedule {schedule!r}: use rate(<n> <unit>) or cron(<min> <hour> <dom> <month> <dow> *)")
    return " ".join("*" if field == "?" else field for field in fields[:5])


def ncrontab(schedule: str) -> str:
    """An EventBridge schedule expression as the NCRONTAB of an Azure Functions timer trigger (UTC).

    NCRONTAB is unix cron with a leading seconds field: `rate(1 hour)` -> `0 0 */1 * * *`.
    """
    return f"0 {unix_cron(schedule)}"


# The total retentions azurerm 4.55.0 takes for a Log Analytics table past 730 days: whole years, up to twelve.
LOG_TABLE_YEARS = (1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383)


def log_table_days(days: int) -> int:
    """A jurisdiction's log retention as a workspace table's total retention azurerm accepts: the days
    themselves up to 730, else the first whole year not shorter, at most 4383 (twelve years)."""
    if days <= 730:
        return days
    return next((year for year in LOG_TABLE_YEARS if year >= days), LOG_TABLE_YEARS[-1])


def default_region(answers: dict[str, Any]) -> str:
    """The provider's default region if the jurisdiction allows it, else the first region it allows."""
    manifest = load_manifest()
    provider = answers["cloud_provider"]
    if provider not in manifest["providers"]:
        # cloud_provider is a text answer: with --no-input the last check refuses it, naming the field.
        return ""
    default: str = manifest["providers"][provider]["default_region"]
    jurisdiction = manifest["jurisdictions"].get(answers["jurisdiction"], {})
    allowed: list[str] = jurisdiction.get("allowed_regions", {}).get(provider) or [default]
    return default if default in allowed else allowed[0]


class _NoFailedHookTraceback(logging.Filter):
    """Drops the traceback cookiecutter logs when a hook fails: the hook has printed the reason.

    A refusal by the pre-generation hook is the template's answer, not an error of cookiecutter's, so
    its "Stopping generation" line goes too; any other hook's failure keeps that line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and type(record.exc_info[1]).__name__ == "FailedHookException":
            if record.args == ("pre_gen_project",):
                return False
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_failed_hook_traceback() -> None:
    """Install the filter once on cookiecutter's hook logger."""
    logger = logging.getLogger("cookiecutter.hooks")
    if not any(isinstance(existing, _NoFailedHookTraceback) for existing in logger.filters):
        logger.addFilter(_NoFailedHookTraceback())
