"""Run the project on this machine: the cloud's local stand-in, the stack's resources, the API, the workers.

`make dev` (python -m tools.dev) starts the provider's local run (tools/local.py; on AWS, tools/aws/:
a moto server with the stack's tables, queues, bus and rules, the Flask API behind the local JWT
authorizer, and each worker as a local process fed from its queue), prints what runs where with
tokens to call it, and waits. Ctrl-C stops every process it started, by PID. tools/demo.py runs a
player journey on the same setup.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from tools.local import LocalRun, LocalRunError, run_arguments
from tools.local_auth import TOKEN_PATH
from tools.modules import contributions


def first_request(api_url: str) -> str:
    """The request the banner suggests first: a module's (tools/modules/), else a health check."""
    hints = [part.dev_hint for part in contributions() if part.dev_hint is not None]
    if not hints:
        return f"curl -s {api_url}/health"
    return min(hints, key=lambda hint: hint.rank).command.format(api=api_url)


def banner(run: LocalRun, stage: str) -> str:
    """What is running where, and how to call it."""
    assert run.issuer is not None
    tokens = [f"  export PLAYER_TOKEN={run.issuer.issue('player-1')}"]
    for name, clients in sorted(run.api_environment().items()):
        # Each server caller's own token: its client id, the scopes of the server routes.
        if name.endswith("_CLIENT_IDS") and clients:
            client = clients.split(",")[0]
            token = run.issuer.issue(client, run.route_scopes, client_id=client)
            tokens.append(f"  export {name.removesuffix('_CLIENT_IDS')}_TOKEN={token}  # {client}")
    # Secrets the functions read, random for this run: the server callers' stand-ins sign with them.
    secrets = [f"  {run.secret_kind} {name} = {value}" for name, value in run.secrets.items()]
    if secrets:
        secrets = [
            "Secrets of this run (random; docs/local-development.md says how to use them):",
            *secrets,
            "",
        ]
    return "\n".join(
        [
            f"Local run (stage {stage}; the stack read from {run.source_label}):",
            *run.describe(),
            f"  API           {run.api_url}  (Flask behind the local JWT authorizer)",
            f"  token issuer  POST {run.api_url}{TOKEN_PATH}  with " + '{"sub": "player-1", "scopes": []}',
            f"  workers       {', '.join(run.worker_feeds()) or 'none'}",
            "",
            "Tokens for player-1 and the server callers (valid one hour, this run only):",
            *tokens,
            f"  {first_request(run.api_url)}",
            "",
            *secrets,
            "Ctrl-C stops everything.",
        ]
    )


def _interrupt(signal_number: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """`make dev`: start the local run, print the banner, wait for Ctrl-C."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cloud = run_arguments(parser)
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run stops its servers like Ctrl-C does
    try:
        with cloud.local_run(stage=args.stage, source=args.source) as run:
            print(banner(run, args.stage), flush=True)
            while True:
                run.check_running()
                time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopped: every server this run started has exited.")
        return 0
    except LocalRunError as error:
        print(f"dev: {error}; stopped the other servers.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
