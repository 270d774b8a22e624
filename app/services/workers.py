"""Worker processes that read and extract articles for an ingest while one writer stores them:
the CLI's pool (forked, before any thread) and the server's shared one (spawned)."""

import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext

from pydantic import ValidationError

from app.errors import AppError, line_failure
from app.extraction.lexicon import lexicon
from app.kit.collector import frozen, settle_for_bulk
from app.schemas.article import ArticleCreate
from app.services.ingest import Prepared, prepare_article


def prepare_many(
    articles: list[ArticleCreate | None], *, budget_s: float | None, spacy_model: str | None
) -> list[Prepared | Exception]:
    """Run in a worker: each article prepared, or why it could not be (an error that can
    travel back to the writer, so that it becomes that line's result)."""
    done: list[Prepared | Exception] = []
    for data in articles:
        assert data is not None
        try:
            done.append(prepare_article(data, budget_s=budget_s, spacy_model=spacy_model))
        except Exception as error:
            done.append(_portable(error))
    return done


def _portable(error: Exception) -> Exception:
    """The error itself when it survives pickling (refuse then reads it as it would here),
    else the problem it amounts to (unforeseen ones are logged here, with their traceback)."""
    if isinstance(error, ValidationError):
        try:
            return pickle.loads(pickle.dumps(error))  # type: ignore[no-any-return]
        except Exception:
            pass
    failure = line_failure(error)
    try:
        pickle.loads(pickle.dumps(failure))
    except Exception:
        return AppError(failure.detail)
    return failure


def _start_worker(writer: int) -> None:
    # Ctrl-C is the writer's to handle (it rolls back its chunk and stops the pool); workers
    # that took it too would die mid-task and break the pool instead.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A writer killed outright (kill -9) cannot stop its pool: each worker leaves by itself
    # once its parent is gone, instead of waiting for work forever.
    threading.Thread(target=_leave_with, args=(writer,), daemon=True).start()
    lexicon()  # loaded once per worker, before its first article (a no-op when forked)
    settle_for_bulk()


def _leave_with(writer: int) -> None:
    while os.getppid() == writer:
        time.sleep(1.0)
    os._exit(1)


def default_workers() -> int:
    """The processes that extract by default: one per CPU this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def extraction_pool(workers: int) -> Iterator[Executor | None]:
    """Worker processes for `ingest_records` (None for 0 or 1: extract in this process).

    On Linux they are forked now, before this process starts any thread (a progress bar's),
    and share the loaded lexicon; elsewhere they are spawned and load it themselves."""
    if workers <= 1:
        yield None
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        lexicon()
    # frozen before the fork: the workers' collectors leave the shared pages alone
    with frozen() if method == "fork" else nullcontext():
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        try:
            pool.submit(int).result()  # starts every worker (forked at once, before any thread)
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class SharedPool:
    """Worker processes a server's bulk requests share, started on first use (a request of
    one chunk never needs them) and stopped with the app.

    Spawned, not forked: the server runs threads (the event loop's pool), and a fork copies
    whatever locks they hold. A spawned worker's parent is this process, so it still leaves
    by itself should this process be killed outright. Thread-safe: requests ask for it from
    the threadpool."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def get(self) -> Executor | None:
        """The pool (None with fewer than two workers, or once shut down)."""
        if self.workers <= 1:
            return None
        with self._lock:
            if self._pool is None and not self._closed:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    @property
    def started(self) -> bool:
        return self._pool is not None

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
