"""A scripted player journey against a local run: `make demo`.

It starts what `make dev` starts (the provider's local run, tools/local.py), plays one player's
journey through the HTTP API with tokens from the local issuer, prints each step and, with the
wallet, ends with its reconciliation (the sum of the player's ledger equals the balance). Every
server it started is stopped, by PID, whatever happens; the exit code is 1 if any step failed. A
module adds its steps from tools/modules/<module>.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from typing import IO

from tools.journey import Journey, StepFailed
from tools.local import LocalRun, LocalRunError, LocalSetupError, left_out_steps, run_arguments
from tools.modules import Step

LOG_LINES_ON_FAILURE = 40


def journey_steps(journey: Journey) -> list[tuple[str, Callable[[], str]]]:
    """The journey, in order: the sign-in and the workers' catching up, and each module's steps, but
    those the cloud's local run cannot play yet (left_out)."""
    skipped = left_out_steps()
    return [(title, run) for title, run in all_steps(journey) if title not in skipped]


def all_steps(journey: Journey) -> list[tuple[str, Callable[[], str]]]:
    """Every step the project's modules bring, in order (equal places: the registry's order)."""
    steps = [Step(0, "sign in", journey.sign_in), Step(500, "workers", journey.workers)]
    for part in journey.parts:
        if part.demo_steps is not None:
            steps += part.demo_steps(journey)
    # A stable sort: steps at the same place keep their module's order, modules the registry's.
    return [(step.title, step.run) for step in sorted(steps, key=lambda step: step.at)]


def left_out(journey: Journey) -> list[str]:
    """A line for each of the project's steps the cloud's local run leaves out, saying why."""
    skipped = left_out_steps()
    titles = dict.fromkeys(title for title, _ in all_steps(journey) if title in skipped)
    return [f"left out: {title} ({skipped[title]})" for title in titles]


def play(run: LocalRun, out: IO[str]) -> str | None:
    """Run every step, printing each; stop at the first that fails and return its line (else None)."""
    journey = Journey(run)
    for line in left_out(journey):
        print(f"     {line}", file=out, flush=True)
    for number, (title, step) in enumerate(journey_steps(journey), start=1):
        try:
            line = step()
        except (StepFailed, LocalRunError, OSError) as error:
            failure = f"{number}. {title} FAILED: {error}"
            print(f"{number:>3}. {title:<17} FAILED: {error}", file=out, flush=True)
            return failure
        print(f"{number:>3}. {title:<17} {line}", file=out, flush=True)
    return None


def main(argv: list[str] | None = None) -> int:
    """Start the local servers, play the journey, stop the servers; 0 if every step passed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cloud = run_arguments(parser)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryFile(mode="w+") as log:
        failure: str | None = "the local run did not start"
        try:
            with cloud.local_run(stage=args.stage, source=args.source, log=log) as run:
                workers = ", ".join(run.worker_names) or "none"
                print(f"Demo: one player's journey, locally (the stack from {run.source_label})")
                print(f"     {run.summary()}")
                print(f"     API {run.api_url}, workers: {workers}")
                failure = play(run, sys.stdout)
        except (LocalRunError, LocalSetupError, OSError) as error:
            failure = f"the local run did not start: {error}"
            print(f"Demo could not start the local run: {error}")
        log.seek(0)
        lines = log.read().splitlines()[-LOG_LINES_ON_FAILURE:]
        if failure is not None and lines:
            print("Last lines of the servers' log:\n  " + "\n  ".join(lines))
    elapsed = time.monotonic() - started
    if failure is None:
        print(f"Demo passed in {elapsed:.1f} s; every server it started has stopped.")
        return 0
    # The failure again, last: it is what a reader of a long log looks for.
    print(f"Demo FAILED after {elapsed:.1f} s at step {failure}; every server it started has stopped.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
