"""Commit tokens, lag and the choice of a replica, without a cluster (tests/system/
test_replicas.py runs them on a real primary and replica)."""

import time

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine

from app.config import Settings
from app.db.replicas import ReplicaSet, ReplicaState, format_lsn, lag_behind, parse_lsn
from tests.helpers import free_port


@pytest.mark.parametrize(
    ("token", "position"),
    [("0/0", 0), ("0/16B3748", 0x16B3748), ("1/0", 1 << 32), ("FFFFFFFF/FFFFFFFF", 2**64 - 1)],
)
def test_a_token_is_the_wal_position_and_prints_back_the_same(token: str, position: int) -> None:
    assert parse_lsn(token) == position
    assert format_lsn(position) == token
    assert parse_lsn(token.lower()) == position


def test_tokens_compare_as_positions_not_as_text() -> None:
    # as text "0/9" > "0/10" and "A/0" > "10/0"; as positions they are the other way round
    assert parse_lsn("0/9") < parse_lsn("0/10") < parse_lsn("1/0")
    assert parse_lsn("A/0") < parse_lsn("10/0")
    assert parse_lsn("0/FFFFFFFF") < parse_lsn("1/0")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "/",
        "0/",
        "/1",
        "16B3748",
        "0/xyz",
        "0/1/2",
        "123456789/0",
        "0/123456789",
        "-1/0",
        "0x1/0",
    ],
)
def test_a_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="commit token"):
        parse_lsn(token)


def test_lag_is_the_age_of_the_oldest_position_not_replayed() -> None:
    history = [(100.0, 10), (101.0, 20), (102.0, 20), (103.0, 35)]
    assert lag_behind(history, 35, now=104.0) == 0.0  # replayed everything noted
    assert lag_behind(history, 40, now=104.0) == 0.0
    assert lag_behind(history, 20, now=104.0) == 1.0  # the primary was at 35 a second ago
    assert lag_behind(history, 15, now=104.0) == 3.0
    assert lag_behind(history, 0, now=104.0) == 4.0
    assert lag_behind([], 0, now=104.0) == 0.0  # an idle primary: nothing to be behind


PG = "postgresql+psycopg://postgres@127.0.0.1:{}/defcoop"


def test_replica_urls_read_as_a_json_list_or_comma_separated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", PG.format(5432))
    monkeypatch.setenv("DEFCOOP_DATABASE_REPLICA_URLS", f'["{PG.format(1)}", "{PG.format(2)}"]')
    assert Settings().database_replica_urls == [PG.format(1), PG.format(2)]
    monkeypatch.setenv("DEFCOOP_DATABASE_REPLICA_URLS", f" {PG.format(1)} , {PG.format(2)},")
    assert Settings().database_replica_urls == [PG.format(1), PG.format(2)]
    monkeypatch.setenv("DEFCOOP_DATABASE_REPLICA_URLS", "")
    assert Settings().database_replica_urls == []
    assert Settings().replica_max_lag_seconds == 10


def test_replicas_need_postgresql() -> None:
    with pytest.raises(ValidationError, match="PostgreSQL"):
        Settings(database_url="sqlite:///x.db", database_replica_urls=[PG.format(1)])
    with pytest.raises(ValidationError, match="PostgreSQL"):
        Settings(database_url=PG.format(5432), database_replica_urls=["sqlite:///x.db"])


def _set(ports: list[int]) -> ReplicaSet:
    return ReplicaSet(
        [PG.format(port) for port in ports],
        primary=create_engine(PG.format(free_port())),
        max_lag_s=10,
        check_every_s=1,
    )


def test_replicas_in_rotation_take_turns_and_the_others_are_skipped() -> None:
    replicas = _set([1, 2, 3])
    for replica in replicas.replicas:
        replica.state = ReplicaState(replica.name, in_rotation=True, reachable=True, replayed=5)
    replicas.replicas[1].state = ReplicaState(replicas.replicas[1].name, reason="down")
    firsts = [replicas.candidates()[0].name for _ in range(4)]
    assert firsts == [replicas.replicas[0].name, replicas.replicas[2].name] * 2
    assert all(len(replicas.candidates()) == 2 for _ in range(3))
    for replica in replicas.replicas:
        replica.state = ReplicaState(replica.name, reason="down")
    assert replicas.candidates() == []
    assert replicas.open_read(None) is None and replicas.primary_reads == 1


def test_a_replica_that_fails_to_connect_is_taken_out_and_the_read_goes_to_the_primary() -> None:
    replicas = _set([free_port()])  # nobody listens there
    replica = replicas.replicas[0]
    replica.state = ReplicaState(replica.name, in_rotation=True, reachable=True, replayed=5)
    started = time.monotonic()
    assert replicas.open_read(None) is None
    assert time.monotonic() - started < 2
    assert replica.state.in_rotation is False and replica.state.reason
    assert replicas.primary_reads == 1 and replica.reads == 0


def test_a_check_that_reaches_nothing_keeps_every_replica_out() -> None:
    replicas = _set([free_port()])
    replicas.check()
    (state,) = replicas.states()
    assert not state.in_rotation and not state.reachable and state.checked_at is not None
    assert replicas.commit_token() is None  # no primary either: no token, and no error
