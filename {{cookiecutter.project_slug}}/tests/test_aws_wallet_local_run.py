"""The AWS local run with the wallet: an event still in the wallet table's stream is not yet handled.

The journey's `workers` step ends when nothing is left to handle. The wallet's events reach the queues
in two hops (the table's stream, relayed by walletOutbox, then the bus), so an empty set of queues says
nothing about an event the relay has not read yet: the run counts the relay as unfinished until it has
read its stream to the end after the check began and found nothing new.
"""

from __future__ import annotations

import os
import signal

import pytest
from tools.aws import dev
from tools.aws.dev import LocalRun
from tools.demo import journey_steps
from tools.journey import Journey


def test_an_event_the_stream_relay_has_not_read_keeps_the_workers_unfinished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dev, "RELAY_PASS_TIMEOUT_SECONDS", 1.0)  # the paused relay makes no pass at all
    with LocalRun(stage="dev", source="serverless.yml") as run:
        journey = Journey(run)
        steps = journey_steps(journey)
        first_deposit = next(number for number, (title, _) in enumerate(steps) if title == "deposit")
        relay = next(pid for name, pid in run.process_ids().items() if name.endswith(" stream"))
        for _, step in steps[:first_deposit]:  # the sign-in and whatever comes before the first deposit
            step()
        journey.workers()

        os.kill(relay, signal.SIGSTOP)  # the relay has not read the deposit's record yet
        try:
            steps[first_deposit][1]()
            unfinished = run.unfinished_messages()
        finally:
            os.kill(relay, signal.SIGCONT)

        assert any(unfinished.values()), f"the deposit's event is in the stream, not handled: {unfinished}"
        assert "handled by its worker" in journey.workers()
        assert not any(run.unfinished_messages().values())
