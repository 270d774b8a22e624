"""A node's top-k index on PostgreSQL, fed in the background.

Every API node (each `defcoop serve` process) keeps its own index directory and one keeper
thread per directory, which reads the change feed in commit order (app.db.feed_order) every
`poll_s` and applies it (app.services.search_index). Requests never wait for it: a search uses
the index only while the keeper's last look found it within `MAX_LAG_S` of the feed, else the
database answers (tsvector), as it does while a node that started with no index (or one a
version ago) builds it, or one that was down catches up. /readyz and /metrics say which.

SQLite has no keeper: there each search applies what the index has not seen, in its own
transaction (app.services.search), which is exact; PostgreSQL readers cannot wait for the index
writer's lock without queueing behind one another.
"""

import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.search.topk import TopKIndex, open_index, stored_cursor
from app.services.search_index import CATCH_UP_IN_REQUEST, catch_up, lag, rebuild_topk

log = logging.getLogger("defcoop.search")

# A search on a node uses its index while what the index lacks was written at most this long
# ago: an article committed through any node is found on every node within about this, plus
# one poll.
MAX_LAG_S = 1.0
# A look older than this says nothing any more (the keeper is stuck, or the database away).
STALE_S = 10.0


class IndexState(StrEnum):
    missing = "missing"  # never built (SQLite: the first search or `defcoop reindex` builds it)
    building = "building"  # being built; the database answers meanwhile
    catching_up = "catching_up"  # built, behind the feed; the database answers meanwhile
    in_step = "in_step"  # searches use it


@dataclass(frozen=True)
class IndexStatus:
    state: IndexState
    documents_behind: int
    seconds_behind: float

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "documents_behind": self.documents_behind,
            "seconds_behind": round(self.seconds_behind, 3),
        }


class _Stopped(Exception):
    """The keeper was asked to stop in the middle of a rebuild."""


class IndexKeeper:
    """One thread that keeps one index directory in step with one database."""

    def __init__(self, engine: Engine, directory: Path, *, poll_s: float = 0.25) -> None:
        self.engine = engine
        self.index: TopKIndex = open_index(directory)
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        built = stored_cursor(self.index.directory) is not None
        self._status = IndexStatus(IndexState.catching_up if built else IndexState.building, 0, 0.0)
        self._looked_at = 0.0  # time.monotonic() of the last look that succeeded

    # -- what requests ask ---------------------------------------------------------------------

    def status(self) -> IndexStatus:
        current = self._status
        if current.state is IndexState.in_step and time.monotonic() - self._looked_at > STALE_S:
            return IndexStatus(IndexState.catching_up, current.documents_behind, STALE_S)
        return current

    def answering(self, *, continuing: bool = False) -> TopKIndex | None:
        """The index, when searches may use it: in step, or built at all for the next page of
        a ranking it began."""
        state = self.status().state
        usable = state is IndexState.in_step or (continuing and state is IndexState.catching_up)
        return self.index if usable else None

    # -- the thread ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"defcoop-index-{self.index.directory.name}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.step()
            except _Stopped:
                return
            except Exception:  # the database away, a disk full: said, and tried again
                log.exception("search index: catching up failed")
                done = True
            self._stop.wait(self.poll_s if done else 0)

    def step(self) -> bool:
        """One look: build or catch up a step, then measure. True when nothing was left."""
        with Session(self.engine) as session:
            if stored_cursor(self.index.directory) is None:
                everything = lag(session, None).documents_behind  # every article
                self._status = IndexStatus(IndexState.building, everything, 0.0)
                log.info("search index: building %s", self.index.directory)
                try:
                    rebuild_topk(session, self.index, check=self._check)
                except ValueError as error:  # another process holds the writer: it builds
                    log.info("search index busy: %s", error)
                    return True
                session.rollback()  # a new snapshot: what the build's batches did not see
            before = stored_cursor(self.index.directory)
            done = catch_up(session, self.index, limit=CATCH_UP_IN_REQUEST)
            after = stored_cursor(self.index.directory)
            # no step made (another process on this node holds the writer): wait a poll
            done = done or after == before
            behind = lag(session, after)
        self._looked_at = time.monotonic()
        if behind.cursor is None:
            state = IndexState.building
        elif behind.seconds_behind <= MAX_LAG_S:
            state = IndexState.in_step
        else:
            state = IndexState.catching_up
        self._status = IndexStatus(state, behind.documents_behind, behind.seconds_behind)
        return done

    def _check(self) -> None:
        if self._stop.is_set():
            raise _Stopped


def sqlite_status(session: Session, directory: Path) -> IndexStatus:
    """The index beside a SQLite file, measured now (searches themselves keep it in step)."""
    behind = lag(session, stored_cursor(directory))
    if behind.cursor is None:
        return IndexStatus(IndexState.missing, behind.documents_behind, 0.0)
    state = IndexState.in_step if behind.documents_behind == 0 else IndexState.catching_up
    return IndexStatus(state, behind.documents_behind, behind.seconds_behind)


_KEEPERS: dict[Path, IndexKeeper] = {}
_KEEPERS_LOCK = threading.Lock()


def start_keeper(engine: Engine, directory: Path, *, poll_s: float) -> IndexKeeper:
    """The process's one keeper of `directory`, started (an app started twice shares it)."""
    key = directory.resolve()
    with _KEEPERS_LOCK:
        keeper = _KEEPERS.get(key)
        if keeper is None:
            keeper = _KEEPERS[key] = IndexKeeper(engine, key, poll_s=poll_s)
            keeper.start()
        return keeper


def keeper_of(directory: Path) -> IndexKeeper | None:
    with _KEEPERS_LOCK:
        return _KEEPERS.get(directory.resolve())


def stop_keeper(keeper: IndexKeeper) -> None:
    with _KEEPERS_LOCK:
        if _KEEPERS.get(keeper.index.directory) is keeper:
            del _KEEPERS[keeper.index.directory]
    keeper.stop()
