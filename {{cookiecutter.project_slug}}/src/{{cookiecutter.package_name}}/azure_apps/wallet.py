"""The wallet's function app: the outbox relay (walletOutbox), a timer function.

Table Storage has no change feed: every NCRONTAB period (the app setting SCHEDULE_WALLET_OUTBOX,
infra/modules/wallet) the relay publishes the pending ledger entries' events to the topic and deletes
their markers (adapters/table_outbox.py). The host runs a timer function on one instance at a time.
The events a run publishes carry the run's trace context (azure_apps/tracing.py): the host's, or a new
trace where the host gave none; each event's data carries the correlation id of the operation that made it.
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..observability import add_metric, flush_metrics, get_logger
from .tracing import host_traceparent, invocation_trace, new_traceparent

if TYPE_CHECKING:
    from ..adapters.table_outbox import TableOutboxRelay

app = func.FunctionApp()


@cache
def outbox_relay() -> TableOutboxRelay:
    """The relay from the app settings, built on the first run and kept while the instance lives."""
    from ..adapters.table_outbox import relay_on_azure

    return relay_on_azure(os.environ)


@app.function_name("walletOutbox")
@app.timer_trigger(schedule="%SCHEDULE_WALLET_OUTBOX%", arg_name="timer", run_on_startup=False)
def wallet_outbox(timer: func.TimerRequest, context: func.Context) -> None:
    """One relay run: every pending entry published (or dead-lettered) and marked done."""
    with invocation_trace(host_traceparent(context) or new_traceparent()):
        try:
            run = outbox_relay().relay()
            add_metric("OutboxEntriesPublished", run.published)
            if run.poisoned:
                add_metric("OutboxEntriesPoisoned", run.poisoned)
            get_logger().info(
                "outbox relayed",
                extra={
                    "published": run.published,
                    "events": run.events,
                    "poisoned": run.poisoned,
                    "deferred_players": len(run.deferred_players),
                    "past_due": timer.past_due,
                },
            )
        finally:
            flush_metrics()
