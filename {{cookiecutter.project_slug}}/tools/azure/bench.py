"""What `make bench` measures on Azure (tools/archive_bench.py measures it; tools/bench.py prints the table).

- Cold start: each built function app's function_app.py imported and its functions indexed
  (`app.get_functions()`), as the Functions host's Python worker indexes an app of the v2 model, in a
  fresh interpreter from its archive (.build/azure/<app>.zip) with the project's environment (.venv
  with requirements-azure.txt) for the packages the remote build installs; next to the baseline
  `from azure.data.tables import TableClient` and one client built (on Azurite's address: building it
  connects to nothing), run in the same rounds.
- Archives: each app's size.
- Requests: each money operation of the wallet on its Table Storage store against Azurite, every HTTP
  request the table client sends counted (azure-core's raw_request_hook): a `$batch` is one entity
  group transaction.
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
from tools.azure.function_apps import STORAGE_CONNECTION
from tools.azure.package import OUTPUT_DIR, apps_to_package
from tools.bench import Mode
from tools.project import use_source_tree

# The function app as the host's worker loads it: function_app.py imported, its functions indexed.
INDEX = "import function_app\nfunction_app.app.get_functions()"
# argv: the package. Then a table client as the first request builds it when deployed: on the account's
# endpoint with the app's managed identity (adapters/azure_environment.py; building it fetches no token).
WITH_CLIENT = (
    INDEX
    + """
import os
import sys
from importlib import import_module
import_module(sys.argv[1] + ".adapters.azure_environment").table(os.environ, "casino")
"""
)
STORAGE_ENDPOINT = "https://casinobench.table.core.windows.net"
PACKAGE = "{{ cookiecutter.package_name }}"
TABLE = "casinobench"
LABELS = {
    "baseline": "azure.data.tables + TableClient (baseline)",
    "package": "Archives (make package, one per function app, .build/azure/)",
    "requests": "Table Storage requests per money operation (Azurite)",
    "write": "entity group transaction",
    "init": "indexed",
    "first_client": "and a table client",
}


def functions() -> list[ArchivedFunction]:
    """Every function app infra/ declares whose code is built, with its archive."""
    return [
        ArchivedFunction(
            name=app,
            kind="api" if app == "api" else "worker",
            archive=OUTPUT_DIR / f"{app}.zip",
            code=INDEX,
            with_client=WITH_CLIENT,
            args=(PACKAGE,),
        )
        for app in apps_to_package()
    ]


def baseline() -> str:
    """The SDK imported and one table client built, on Azurite's default address (nothing connects)."""
    from tests.azure.azurite import Azurite

    connection = Azurite(table_port=10002, queue_port=10001, blob_port=10000).connection_string
    return (
        "from azure.data.tables import TableClient; "
        f"TableClient.from_connection_string({connection!r}, table_name={TABLE!r})"
    )


def environment() -> dict[str, str]:
    """This process's environment for the probes: the storage account's table endpoint, as deployed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(STORAGE_CONNECTION)}
    return {**env, f"{STORAGE_CONNECTION}__tableServiceUri": STORAGE_ENDPOINT}


def request_name(method: str, url: str) -> str:
    """An HTTP request to Table Storage as the operation it is."""
    path = url.split("?", 1)[0].rsplit("/", 1)[-1]
    if path == "$batch":
        return "entity group transaction ($batch)"
    if method == "GET":
        return "query" if path.endswith("()") else "point read"
    return f"{method} {path.split('(', 1)[0]}"


def table_requests() -> dict[str, Any]:
    """Each money operation's requests to Table Storage, on an Azurite started and stopped here."""
    from azure.data.tables import TableClient, TableServiceClient
    from tests.azure.azurite import azurite, azurite_script

    from {{ cookiecutter.package_name }}.settings import (
        SystemClock,
    )

    # By name: a project without the wallet has not its files (and counts no money operation).
    store = import_module(f"{PACKAGE}.adapters.table_wallet").TableLedgerStore
    wallet_class = import_module(f"{PACKAGE}.domain.wallet").Wallet

    script = azurite_script()
    if script is None:
        raise SystemExit(
            "Azurite is not installed: run `npm ci` in tools/azurite, or set AZURITE (its azurite.js)"
        )
    sent: list[str] = []
    with azurite(script) as running:
        TableServiceClient.from_connection_string(running.connection_string).create_table(TABLE)
        table = TableClient.from_connection_string(
            running.connection_string,
            table_name=TABLE,
            raw_request_hook=lambda request: sent.append(
                request_name(request.http_request.method, request.http_request.url)
            ),
        )
        wallet = wallet_class(store(table), SystemClock(), "bench.wallet")

        def take() -> list[str]:
            taken = list(sent)
            sent.clear()
            return taken

        return count_requests(wallet, take, lambda request: request.startswith("entity group transaction"))


def run(mode: Mode, stage: str) -> dict[str, Any]:
    """Every figure of `make bench` on Azure (`stage` names nothing here: one archive per app)."""
    built = functions()
    missing = missing_archives(built)
    if missing:
        raise SystemExit(f"no archive {', '.join(missing)}: run `make package` (make bench does) first")
    results = header("the archives of make package (.build/azure/)", mode, LABELS)
    print(f"Cold starts: {mode.rounds} round(s) of fresh interpreters ...", flush=True)
    results["cold_start"] = cold_starts(built, baseline(), environment(), mode, "azure.data.tables")
    results["package"] = archive_sizes(built)
    use_source_tree()
    if wallet_enabled():
        print("Requests per money operation on Azurite ...", flush=True)
        results["requests"] = table_requests()
    else:
        results["requests"] = {}
    return results
