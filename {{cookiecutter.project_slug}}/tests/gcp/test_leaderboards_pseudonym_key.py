"""The leaderboards' pseudonym key on GCP: a Secret Manager secret, read by the API on recorded answers.

No emulator serves Secret Manager, so the key is read from recorded REST answers (as in
tests/gcp/test_secret_manager.py); the standings are read through the api function on the Firestore
emulator. With the key the standings show keyed pseudonyms; without it (no secret named, a secret
without a version, an empty one) they answer 500, never an unkeyed pseudonym.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from tests.gcp.functions import PLAYER, function_client, verified_token
from tests.gcp.test_secret_manager import RecordedSecretManager, not_found, version
from tests.support.fixtures_gcp import DATABASE
from tools.gcp.stack import LOCAL_PROJECT, load

from {{ cookiecutter.package_name }}.adapters import secret_manager
from {{ cookiecutter.package_name }}.adapters.firestore_leaderboards import (
    FirestoreLeaderboardStore,
)
from {{ cookiecutter.package_name }}.adapters.secret_manager import SecretUnavailable
from {{ cookiecutter.package_name }}.api import gcp_leaderboards
from {{ cookiecutter.package_name }}.api.gcp import gcp_app
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    DEFAULT_CATALOGUE,
    BoardWindow,
    ScoredPlay,
    pseudonym,
)
from {{ cookiecutter.package_name }}.gcp import api as api_function

SECRET = "projects/casino-test/secrets/casino-dev-leaderboard-pseudonym-key"
KEY = "a-pseudonym-key"
BOARD = next(board for board in DEFAULT_CATALOGUE.boards if not board.tournament)
RIVAL = "player-gcp-2"


def board_window() -> BoardWindow:
    window = BOARD.schedule.window_at(datetime.now(UTC))
    assert window is not None
    return BoardWindow(BOARD.board_id, window.key)


def test_the_key_is_the_secrets_latest_version_read_once_then_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = RecordedSecretManager({SECRET: version(SECRET, KEY)})
    monkeypatch.setattr(secret_manager, "authorized_session", lambda: store)

    key = gcp_leaderboards.pseudonym_key_reader({"LEADERBOARD_PSEUDONYM_KEY_SECRET": SECRET})

    assert key is not None
    assert key() == key() == KEY.encode()
    assert len(store.requested) == 1


@pytest.mark.parametrize("answer", [not_found(SECRET), version(SECRET, "  ")], ids=["no version", "empty"])
def test_a_secret_without_a_usable_version_gives_no_key(
    monkeypatch: pytest.MonkeyPatch, answer: requests.Response
) -> None:
    monkeypatch.setattr(secret_manager, "authorized_session", lambda: RecordedSecretManager({SECRET: answer}))

    key = gcp_leaderboards.pseudonym_key_reader({"LEADERBOARD_PSEUDONYM_KEY_SECRET": SECRET})

    assert key is not None
    with pytest.raises(SecretUnavailable, match=SECRET):
        key()


def test_without_a_secrets_name_there_is_no_key() -> None:
    assert gcp_leaderboards.pseudonym_key_reader({"LEADERBOARD_PSEUDONYM_KEY_SECRET": " "}) is None


def test_infra_names_the_secret_to_the_api_and_the_local_run_gives_it_a_key() -> None:
    stack = load("dev")
    secret = f"projects/{LOCAL_PROJECT}/secrets/{stack.prefix}-leaderboard-pseudonym-key"

    assert stack.api.environment["LEADERBOARD_PSEUDONYM_KEY_SECRET"] == secret
    assert secret in stack.secret_names


@pytest.fixture
def standings_api(
    function_environment: dict[str, str], firestore_client: Any, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, requests.Response] | None], FlaskClient]:
    """The api function on a fresh app (services built anew) whose secret store answers as given
    (None: no secret named), after two plays on the board's current window."""
    boards = FirestoreLeaderboardStore(DATABASE, firestore_client)
    boards.record_play(ScoredPlay("event-1", PLAYER, scores={board_window(): 300}))
    boards.record_play(ScoredPlay("event-2", RIVAL, scores={board_window(): 500}))
    monkeypatch.delenv("LOCAL_SECRET_VALUES", raising=False)

    def client(answers: dict[str, requests.Response] | None) -> FlaskClient:
        if answers is None:
            monkeypatch.delenv("LEADERBOARD_PSEUDONYM_KEY_SECRET", raising=False)
        else:
            monkeypatch.setenv("LEADERBOARD_PSEUDONYM_KEY_SECRET", SECRET)
            monkeypatch.setattr(secret_manager, "authorized_session", lambda: RecordedSecretManager(answers))
        monkeypatch.setattr(api_function, "app", gcp_app())
        return function_client("api")

    return client


def test_with_the_key_the_standings_show_keyed_pseudonyms(
    standings_api: Callable[[dict[str, requests.Response] | None], FlaskClient],
) -> None:
    api = standings_api({SECRET: version(SECRET, KEY)})

    top = api.get(f"/leaderboards/{BOARD.board_id}", headers=verified_token())
    mine = api.get(f"/leaderboards/{BOARD.board_id}/me", headers=verified_token())

    assert top.status_code == 200, top.get_data(as_text=True)
    keyed = {player: pseudonym(board_window(), player, KEY.encode()) for player in (PLAYER, RIVAL)}
    assert [(line["player"], line["score"], line["you"]) for line in top.get_json()["standings"]] == [
        (keyed[RIVAL], 500, False),
        (keyed[PLAYER], 300, True),
    ]
    assert mine.status_code == 200, mine.get_data(as_text=True)
    assert (mine.get_json()["player"], mine.get_json()["rank"]) == (keyed[PLAYER], 2)


@pytest.mark.parametrize(
    "answers",
    [None, {SECRET: not_found(SECRET)}, {SECRET: version(SECRET, " ")}],
    ids=["no secret named", "no version", "empty version"],
)
def test_without_the_key_the_standings_fail_closed(
    standings_api: Callable[[dict[str, requests.Response] | None], FlaskClient],
    answers: dict[str, requests.Response] | None,
) -> None:
    api = standings_api(answers)

    top = api.get(f"/leaderboards/{BOARD.board_id}", headers=verified_token())
    mine = api.get(f"/leaderboards/{BOARD.board_id}/me", headers=verified_token())

    for answer in (top, mine):
        assert answer.status_code == 500, answer.get_data(as_text=True)
        assert answer.get_json()["error"]["code"] == "internal_error"
        assert PLAYER not in answer.get_data(as_text=True)
