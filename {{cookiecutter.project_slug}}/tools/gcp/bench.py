"""What `make bench` measures on GCP (tools/archive_bench.py measures it; tools/bench.py prints the table).

- Cold start: each built function's target looked up in main.py (`main.<entry point>`, which imports
  `<package>/gcp/<entry point>.py`), as functions-framework loads it, in a fresh interpreter from its
  archive (.build/gcp/<function>-<version>.zip) with the project's environment (.venv with
  requirements-gcp.txt) for the packages Cloud Build installs; next to the baseline
  `from google.cloud import firestore; firestore.Client(project=...)` (FIRESTORE_EMULATOR_HOST set, so
  the client looks up no credentials), run in the same rounds.
- Archives: each function's size.
- Requests: each money operation of the wallet on its Firestore store against the Firestore emulator,
  the client's calls counted by name (tests/gcp/firestore_requests.py): one `commit` is one transaction.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from tools.archive_bench import (
    ArchivedFunction,
    archive_sizes,
    cold_starts,
    count_requests,
    header,
    missing_archives,
    wallet_enabled,
)
from tools.bench import Mode
from tools.gcp.package import OUTPUT, deployed_functions, is_built, source_version
from tools.project import use_source_tree

PACKAGE = "{{ cookiecutter.package_name }}"
PROJECT = "casino-bench"
DATABASE = "casino-bench"
BASELINE = f"from google.cloud import firestore; firestore.Client(project={PROJECT!r})"
# argv: the entry point, the package; functions-framework imports main.py and takes the target by name.
TARGET = "import sys\nimport main\ngetattr(main, sys.argv[1])"
# Then the Firestore client the first request builds: the instance's shared one (adapters/gcp_clients.py),
# or, for a function that keeps its own (the outbox relay), a client of the same database.
WITH_CLIENT = (
    TARGET
    + """
import os
from importlib import import_module
try:
    clients = import_module(sys.argv[2] + ".adapters.gcp_clients")
except ModuleNotFoundError:
    from google.cloud import firestore
    firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"], database=os.environ["FIRESTORE_DATABASE"])
else:
    clients.firestore_client()
"""
)
LABELS = {
    "baseline": "firestore + Client (baseline)",
    "package": "Archives (make package, one per function, .build/gcp/)",
    "requests": "Firestore requests per money operation (Firestore emulator)",
    "write": "commit",
    "init": "import",
    "first_client": "and its Firestore client",
}


def functions() -> list[ArchivedFunction]:
    """Every function infra/ deploys whose entry point is built, with its archive."""
    version = source_version()
    return [
        ArchivedFunction(
            name=function.key,
            kind="api" if function.entry_point == "api" else "worker",
            archive=OUTPUT / f"{function.key}-{version}.zip",
            code=TARGET,
            with_client=WITH_CLIENT,
            args=(function.entry_point, PACKAGE),
        )
        for function in deployed_functions()
        if is_built(function.entry_point)
    ]


def environment() -> dict[str, str]:
    """This process's environment for the probes, pointed at no real project (no credentials looked up)."""
    env = {key: value for key, value in os.environ.items() if key != "GOOGLE_APPLICATION_CREDENTIALS"}
    env.update(
        {
            # Nothing listens there: the probes connect to nothing; the variable only spares the lookup.
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "FIRESTORE_DATABASE": DATABASE,
            "STAGE": "bench",
        }
    )
    return env


def firestore_requests() -> dict[str, Any]:
    """Each money operation's Firestore calls, on a Firestore emulator started and stopped here."""
    from google.cloud import firestore
    from tests.gcp.firestore_emulator import firestore_emulator
    from tests.gcp.firestore_requests import Requests

    from {{ cookiecutter.package_name }}.settings import (
        SystemClock,
    )

    # By name: a project without the wallet has not its files (and counts no money operation).
    store = import_module(f"{PACKAGE}.adapters.firestore_wallet").FirestoreLedgerStore
    wallet_class = import_module(f"{PACKAGE}.domain.wallet").Wallet

    saved = dict(os.environ)
    try:
        with firestore_emulator() as address:
            os.environ.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
            os.environ["FIRESTORE_EMULATOR_HOST"] = address
            client = firestore.Client(project=PROJECT, database=DATABASE)
            requests = Requests(client)
            wallet = wallet_class(store(DATABASE, client), SystemClock(), "bench.wallet")

            def take() -> list[str]:
                taken = list(requests.calls)
                requests.calls.clear()
                return taken

            return count_requests(wallet, take, lambda request: request == "commit")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run(mode: Mode, stage: str) -> dict[str, Any]:
    """Every figure of `make bench` on GCP (`stage` names nothing here: the archives are per version)."""
    built = functions()
    missing = missing_archives(built)
    if missing:
        raise SystemExit(f"no archive {', '.join(missing)}: run `make package` (make bench does) first")
    results = header("the archives of make package (.build/gcp/)", mode, LABELS)
    print(f"Cold starts: {mode.rounds} round(s) of fresh interpreters ...", flush=True)
    results["cold_start"] = cold_starts(built, BASELINE, environment(), mode, "google.cloud.firestore")
    results["package"] = archive_sizes(built)
    use_source_tree()
    if wallet_enabled():
        print("Requests per money operation on the Firestore emulator ...", flush=True)
        results["requests"] = firestore_requests()
    else:
        results["requests"] = {}
    return results
