"""Read replicas: which streaming replica may serve a read, by its health, its lag, and the
client's commit token.

A background thread checks every replica each `check_every_s` seconds and keeps its state
(reachable, replayed position, lag); choosing a replica for a request reads that state and
touches no network, so a dead replica never holds a request up. A replica that does not answer,
is not a standby, or lags more than `max_lag_s` is out of rotation until a check finds it well.

Lag is measured against the primary's own history, not clocks: each check notes the primary's
WAL position with the time, and a replica's lag is how long ago the primary was at the oldest
noted position the replica has not replayed yet (0 when it has replayed them all). An idle
primary so never makes a replica look behind, and no clock needs to agree with another.

The commit token is the primary's WAL position after a write's commit (`0/16B3748`, the form
`pg_current_wal_lsn()` prints). A read that sends it back is served by a replica whose replayed
position is at or past it (from the last check, or asked at once), else by the primary.
"""

import itertools
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.db.session import make_engine, make_session_factory

log = logging.getLogger("defcoop.replicas")

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")
# The primary's history is kept this long past the lag bound: a replica behind every noted
# position is at least this far behind, which is all the rotation needs to know.
_HISTORY_MARGIN_S = 30.0


def parse_lsn(value: str) -> int:
    """A WAL position (`0/16B3748`: two hexadecimal 32-bit halves) as one integer; ValueError
    if it is not one."""
    match = _LSN.fullmatch(value.strip())
    if match is None:
        raise ValueError("a commit token reads like 0/16B3748 (two hexadecimal numbers)")
    return (int(match[1], 16) << 32) | int(match[2], 16)


def format_lsn(position: int) -> str:
    """The WAL position as PostgreSQL prints it."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def lag_behind(history: Sequence[tuple[float, int]], replayed: int, now: float) -> float:
    """Seconds since the primary was at the oldest position of `history` ((time, position),
    oldest first) that `replayed` has not reached; 0 when it reached them all."""
    for noted_at, position in history:
        if position > replayed:
            return max(0.0, now - noted_at)
    return 0.0


@dataclass(frozen=True)
class ReplicaState:
    """What the last check found; `reason` says why a replica is out of rotation."""

    name: str
    in_rotation: bool = False
    reachable: bool = False
    lag_seconds: float | None = None
    behind_bytes: int | None = None
    replayed: int | None = None
    checked_at: float | None = None  # wall-clock seconds
    reason: str | None = "not checked yet"


class Replica:
    def __init__(self, url: str, *, connect_timeout_s: int, prepared_statements: bool) -> None:
        parsed = make_url(url)
        self.name = f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"
        self.engine = make_engine(
            url,
            prepared_statements=prepared_statements,
            connect_args={"connect_timeout": connect_timeout_s},
        )
        self.factory = make_session_factory(self.engine)
        self.state = ReplicaState(self.name)  # replaced whole, never changed in place
        self.reads = 0  # reads it was chosen for, for /metrics

    def mark_down(self, error: BaseException) -> None:
        """Out of rotation at once, until the next check finds it well (a request found it
        failing between two checks)."""
        self.state = replace(self.state, in_rotation=False, reachable=False, reason=_reason(error))


class ReplicaSet:
    """The replicas of one primary, checked in the background, chosen in turn."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        primary: Engine,
        max_lag_s: float,
        check_every_s: float,
        connect_timeout_s: int = 2,
        prepared_statements: bool = True,
    ) -> None:
        self.replicas = [
            Replica(
                url, connect_timeout_s=connect_timeout_s, prepared_statements=prepared_statements
            )
            for url in urls
        ]
        self.primary = primary
        self.max_lag_s = max_lag_s
        self.check_every_s = check_every_s
        self.primary_reads = 0  # reads no replica could serve
        self._history: deque[tuple[float, int]] = deque()
        self._turn = itertools.count()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the background check -------------------------------------------------------------

    def start(self) -> None:
        """Check once now (reads may go to replicas from the first request), then in the
        background."""
        self.check()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="defcoop-replicas", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        for replica in self.replicas:
            replica.engine.dispose()

    def _run(self) -> None:
        while not self._stopping.wait(self.check_every_s):
            try:
                self.check()
            except Exception:  # a check must never end the thread
                log.exception("checking the read replicas failed")

    def check(self) -> None:
        """One round: the primary's position, then each replica's state."""
        now = time.monotonic()
        primary_at = self._primary_position()
        if primary_at is not None:
            self._history.append((now, primary_at))
        while self._history and now - self._history[0][0] > self.max_lag_s + _HISTORY_MARGIN_S:
            self._history.popleft()
        for replica in self.replicas:
            replica.state = self._check_one(replica, primary_at)

    def _primary_position(self) -> int | None:
        try:
            with self.primary.connect() as conn:
                return parse_lsn(
                    conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
                )
        except DBAPIError as error:
            log.warning("the primary's WAL position is unknown: %s", _reason(error))
            return None

    def _check_one(self, replica: Replica, primary_at: int | None) -> ReplicaState:
        checked_at = time.time()
        try:
            with replica.engine.connect() as conn:
                conn.execute(text("SET LOCAL statement_timeout = 2000"))
                standby, replayed = conn.execute(
                    text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
                ).one()
        except DBAPIError as error:
            return ReplicaState(replica.name, checked_at=checked_at, reason=_reason(error))
        if not standby or replayed is None:
            return ReplicaState(
                replica.name, reachable=True, checked_at=checked_at, reason="not a standby"
            )
        position = parse_lsn(replayed)
        lag = lag_behind(self._history, position, time.monotonic())
        behind = None if primary_at is None else max(0, primary_at - position)
        too_far = lag > self.max_lag_s
        return ReplicaState(
            replica.name,
            in_rotation=not too_far,
            reachable=True,
            lag_seconds=round(lag, 3),
            behind_bytes=behind,
            replayed=position,
            checked_at=checked_at,
            reason=f"lags more than {self.max_lag_s:g} s" if too_far else None,
        )

    # --- choosing ------------------------------------------------------------------------

    def states(self) -> list[ReplicaState]:
        return [replica.state for replica in self.replicas]

    def candidates(self) -> list[Replica]:
        """The replicas in rotation, starting with the next in turn."""
        live = [replica for replica in self.replicas if replica.state.in_rotation]
        if len(live) < 2:
            return live
        start = next(self._turn) % len(live)
        return live[start:] + live[:start]

    def open_read(self, token: int | None) -> Session | None:
        """A session on a replica that can serve a read now (connected, and with `token`
        replayed), or None: then the primary serves it. A replica that fails to connect is
        taken out of rotation and the next one tried."""
        for replica in self.candidates():
            session = replica.factory()
            try:
                if token is None or _replayed(replica.state) >= token:
                    session.connection()  # connect now, so a dead replica falls through here
                else:
                    asked = session.execute(text("SELECT pg_last_wal_replay_lsn()::text"))
                    replayed = asked.scalar()
                    if replayed is None or parse_lsn(replayed) < token:
                        session.close()
                        continue
            except DBAPIError as error:
                session.close()
                replica.mark_down(error)
                log.warning("replica %s failed; out of rotation: %s", replica.name, error)
                continue
            replica.reads += 1
            return session
        self.primary_reads += 1
        return None

    def read_factory(self, token: int | None) -> sessionmaker[Session] | None:
        """The session factory of a replica in rotation that has replayed `token` as of its
        last check (for the reads of an export, page by page), or None."""
        for replica in self.candidates():
            if token is None or _replayed(replica.state) >= token:
                return replica.factory
        return None

    def commit_token(self) -> str | None:
        """The primary's WAL position now: after a commit, a position that covers it. None
        (and logged) if the primary cannot say: the write is committed whatever happens here."""
        position = self._primary_position()
        return None if position is None else format_lsn(position)


def _replayed(state: ReplicaState) -> int:
    return -1 if state.replayed is None else state.replayed


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0][:200]}" if lines else type(cause).__name__
