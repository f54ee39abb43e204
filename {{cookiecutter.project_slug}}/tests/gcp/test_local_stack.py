"""What the local run reads from infra/'s Terraform (tools/gcp/stack.py): every function, as deployed."""

from __future__ import annotations

import re

from tests.gcp.test_entry_points import infra_entry_points
from tools.gcp.stack import load

from {{ cookiecutter.package_name }} import registry


def test_every_function_of_infra_is_read_with_its_entry_point() -> None:
    stack = load("dev")

    assert {function.entry_point for function in stack.functions} == infra_entry_points()


def test_workers_subscribe_to_the_topics_of_infra_with_its_dead_letter_policy() -> None:
    stack = load("dev")
    topics = set(stack.topics.values()) | {
        topic for function in stack.functions for topic in function.own_topics.values()
    }

    workers = [function for function in stack.functions if function.is_worker]

    assert {"auditTrail"} <= {worker.name for worker in workers}
    assert all(source.topic in topics for worker in workers for source in worker.subscriptions)
    assert all(
        re.fullmatch(r"(attributes\.type = .+)?", source.filter)
        for w in workers
        for source in w.subscriptions
    )
    assert (stack.max_delivery_attempts, stack.minimum_backoff) == (5, "10s")


def test_names_are_the_deployed_ones_for_the_stage() -> None:
    stack = load("qa")

    assert stack.database.endswith("-qa")
    assert all(topic.rsplit("/", 1)[1].startswith(f"{stack.database}-") for topic in stack.topics.values())
    # A stand-in publishes on the topic of the module it replaces (hybrid mode: the wallet's).
    assert set(stack.topics) == {"core", *registry.MODULES, *registry.STAND_INS}


def test_each_bucket_a_function_names_is_resolved_to_its_deployed_name() -> None:
    """The audit archive's, the reports' and the exports' buckets: `<prefix>-<stage>-<hash>-...` as
    infra/main.tf's `unique` names them (the hash of the local project), versioned as infra/ declares;
    no function is left out of the local run for a bucket (the local Cloud Storage server serves them)."""
    stack = load("qa")
    named = {
        variable: value
        for function in stack.functions
        for variable, value in function.environment.items()
        if variable.endswith(("_BUCKET", "_BUCKET_NAME"))
    }

    assert named["AUDIT_ARCHIVE_BUCKET"].endswith("-audit-archive")
    assert set(named.values()) == set(stack.buckets)
    deployed = re.escape(stack.prefix) + r"-[0-9a-f]{6}-[a-z-]+"
    assert all(re.fullmatch(deployed, bucket) for bucket in stack.buckets)
    assert all(stack.buckets.values())
    assert [function.name for function in stack.functions if function.unresolved] == []


def test_the_api_gets_every_server_callers_client_ids_and_key_secret() -> None:
    environment = load("dev").api.environment

    callers = {name.removesuffix("_CLIENT_IDS") for name in environment if name.endswith("_CLIENT_IDS")}

    assert all(environment[f"{caller}_CLIENT_IDS"] for caller in callers)
    assert all(environment[f"{caller}_KEY_SECRET"].startswith("projects/") for caller in callers)


def test_an_event_is_on_its_way_until_acked_or_dead_lettered() -> None:
    from tools.gcp.dev import outstanding

    push = "projects/local-project/subscriptions/casino-dev-leaderboards-wallet"
    dead_letters = "projects/local-project/subscriptions/casino-dev-leaderboards-dead-letters"
    expected = {push: {"1", "2", "3"}}
    # As the Pub/Sub emulator dead-letters (measured): a new message naming the subscription it left.
    dead = {dead_letters: {"9": "casino-dev-leaderboards-wallet"}}

    assert outstanding(expected, {"1"}, {dead_letters: {}}) == {
        "casino-dev-leaderboards-wallet": 2,
        "casino-dev-leaderboards-dead-letters": 0,
    }
    assert outstanding(expected, {"1", "2"}, dead) == {
        "casino-dev-leaderboards-wallet": 0,
        "casino-dev-leaderboards-dead-letters": 1,
    }
