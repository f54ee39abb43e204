"""The Azure flavour's own tests on Azurite: a generated Azure project's tests/azure (its stores, its function
apps and their archives) and the shared contract suites on its Table and Blob Storage stores (the ledger,
the sessions, the audit chain and archive, the notifications, the leaderboards, the promotions) pass, none
skipped.

They run on the environment `make install` builds from the project's dev and Azure locks (.venv-azure,
TEMPLATE_AZURE_PYTHON) against the Azurite `make install` puts in .cache/azurite from the project's npm
lock (TEMPLATE_AZURITE, its azurite.js); `make test` sets both. The project's conftest loads its Azure
fixtures (tests/support/fixtures_azure*.py), which give the contract suites their `[cloud]` store.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from combinations import LONGEST_SLUG
from conftest import bake, failures_of

NEEDS = ("TEMPLATE_AZURE_PYTHON", "TEMPLATE_AZURITE")
# The shared contract suites with a Table Storage store: each test on the in-memory store, then on the
# cloud's (`[cloud]`): the wallet's ledger, the sessions, the audit trail's hash chain and its archive,
# the notifications, the leaderboards and the promotions.
CONTRACTS = ("tests/contract/test_ledger_store_contract.py",
             "tests/contract/test_ledger_store_contract_with_sessions.py",
             "tests/contract/test_session_store_contract.py",
             "tests/contract/test_audit_log_contract.py",
             "tests/contract/test_notification_store_contract.py",
             "tests/contract/test_leaderboard_store_contract.py",
             "tests/contract/test_promotion_store_contract.py")
# The tests that prove the wallet's Table Storage store (each must be reported PASSED by name).
WALLET_ON_AZURITE = (
    "test_each_money_operation_is_one_query_and_one_transaction[deposit]",
    "test_each_money_operation_is_one_query_and_one_transaction[bet]",
    "test_each_money_operation_is_one_query_and_one_transaction[win]",
    "test_each_money_operation_is_one_query_and_one_transaction[rollback]",
    "test_a_refused_bet_writes_nothing",
    "test_the_outbox_is_written_in_the_ledger_entry",
    "test_a_lost_race_at_a_version_is_balance_moved_with_the_balance_as_it_is",
    "test_concurrent_clients_keep_one_players_money_exact",
    "test_a_guarded_bet_moves_money_and_counters_together_within_the_cap",
    "test_a_protection_saved_between_the_read_and_the_write_fails_the_write",
    "test_an_exclusion_saved_after_a_bonus_read_no_protection_fails_the_grant",
    "test_a_guarded_bet_is_two_queries_and_one_transaction",
    "test_concurrent_bets_never_pass_the_wager_limit",
    # The outbox relay (no change feed: pending markers and a scheduled run) and the queues' poison handling.
    "test_the_relay_publishes_each_entry_once_in_order_and_a_rerun_publishes_nothing",
    "test_a_relayed_entry_costs_its_publish_and_a_share_of_three_table_requests",
    "test_a_money_operation_writes_its_marker_in_its_own_transaction",
    "test_a_topic_outage_leaves_the_entries_pending_and_the_next_runs_publish_each_once_in_effect",
    "test_markers_left_after_a_publish_republish_the_same_ids_applied_once",
    "test_a_poison_entry_goes_to_the_dead_letter_queue_and_the_player_s_next_entries_go_on",
    "test_a_replayed_money_request_writes_no_entry_and_publishes_nothing",
    "test_a_malformed_message_is_poisoned_after_its_retries_and_the_others_are_processed_once",
    "test_the_topic_receives_a_cloudevents_batch_with_the_app_s_token",
    # The sessions' and the audit chain's Table Storage stores: the requests each operation costs.
    "test_each_session_operation_costs_the_requests_the_store_documents",
    "test_a_session_is_active_only_for_its_own_player",
    "test_an_append_of_new_events_is_one_read_and_one_transaction",
    "test_a_redelivered_batch_looks_its_events_up_and_appends_only_the_new",
    # The notifications', leaderboards' and promotions' Table Storage stores: the requests each costs.
    "test_each_notification_operation_costs_the_requests_the_store_documents",
    "test_each_leaderboard_operation_costs_the_requests_the_store_documents",
    "test_a_boards_copy_never_steps_back_to_an_older_score",
    "test_each_promotion_operation_costs_the_requests_the_store_documents",
    # The shared suites' races, on Azurite's ETags and entity group transactions.
    "test_concurrent_starts_never_pass_the_cap[cloud]",
    "test_concurrent_redeliveries_count_each_event_once[cloud]",
    "test_concurrent_appenders_never_fork_the_chain[cloud]",
    "test_each_archived_batch_leaves_its_last_hash_as_an_anchor[cloud]",
    "test_concurrent_claims_of_one_delivery_have_one_winner[cloud]",
    "test_concurrent_redeliveries_count_each_play_once[cloud]",
    "test_concurrent_redeliveries_count_each_bet_once[cloud]",
    "test_concurrent_stakes_of_one_player_are_all_counted[cloud]",
    "test_the_clients_need_an_endpoint_or_a_connection_string",
    # The function apps: each app's index against the Terraform, the API's HTTP trigger, the outbox timer,
    # the sessions' queue function on a valid and a malformed message, and each app's archive alone.
    "test_each_app_registers_only_what_infra_declares_for_it[api]",
    "test_each_function_infra_declares_is_registered_in_its_app_with_infra_s_trigger[wallet-walletOutbox]",
    "test_each_function_infra_declares_is_registered_in_its_app_with_infra_s_trigger[sessions-sessionActivity]",
    "test_the_api_s_http_trigger_answers_a_player_s_balance_from_the_wallet_table",
    "test_the_outbox_timer_carries_a_deposit_s_events_to_the_worker_queue",
    "test_a_critical_event_is_appended_once_archived_and_the_chain_verifies",
    "test_the_verification_raises_when_an_archived_anchor_disagrees_with_the_chain",
    "test_a_valid_message_adds_its_bet_once_and_a_malformed_one_raises",
    "test_a_first_deposit_grants_the_welcome_bonus_once",
    "test_a_big_win_is_told_to_the_player_once",
    "test_hosted_on_its_queue_a_malformed_message_is_poisoned_and_the_bets_count_once",
    "test_each_archive_indexes_its_app_s_functions_from_itself_alone",
)


@pytest.mark.skipif(not all(os.environ.get(name) for name in NEEDS),
                    reason="TEMPLATE_AZURE_PYTHON and TEMPLATE_AZURITE (what `make install` builds) are not set")
def test_azure_tests_pass_on_azurite(tmp_path: Path) -> None:
    # The longest slug: its package's long import lines must still import.
    result = bake(tmp_path, {"cloud_provider": "azure", "region": "westeurope",
                             "project_name": "Lucky Star Casino Platform EU Operations"})
    assert result.returncode == 0, result.output
    assert result.project.name == LONGEST_SLUG
    run = subprocess.run(
        [os.environ["TEMPLATE_AZURE_PYTHON"], "-m", "pytest", "tests/azure", *CONTRACTS, "-v", "-rP",
         "-p", "no:cacheprovider"],
        cwd=result.project, capture_output=True, text=True, check=False, timeout=900,
        env={**os.environ, "AZURITE": os.environ["TEMPLATE_AZURITE"], "WALLET_CONCURRENCY": "8x200"},
    )
    assert run.returncode == 0, failures_of(run.stdout + run.stderr)
    assert "SKIPPED" not in run.stdout, run.stdout
    for test in WALLET_ON_AZURITE:
        assert re.search(rf"{re.escape(test)}.*PASSED", run.stdout), f"{test} did not pass:\n{run.stdout}"
    # Every contract test that ran on the in-memory store passed on the Table Storage store too.
    on_memory = re.findall(r"::(\S+)\[memory\] PASSED", run.stdout)
    on_table_storage = set(re.findall(r"::(\S+)\[cloud\] PASSED", run.stdout))
    assert len(on_memory) >= 40, run.stdout
    assert set(on_memory) <= on_table_storage, set(on_memory) - on_table_storage
    # The concurrency test's figures (its output, which -rP shows), for the log of the run.
    figures = re.search(r"8 clients x 200 requests on one player: .*", run.stdout)
    assert figures is not None, run.stdout
    print(figures.group(0))
    relay = re.search(r"relay: .*", run.stdout)
    assert relay is not None, run.stdout
    print(relay.group(0))
