"""The cyclic garbage collector's settings for the processes of a bulk load.

A load allocates millions of short-lived containers (extraction results, rows, ORM state),
so the collector's young generation fills every 700 of them and its full collections walk
every object loaded at start-up (modules, the lexicon) again and again: a fifth of a load's
CPU, measured on 1,000 dense articles. Freezing what is loaded (gc.freeze: the collector
no longer walks it, and forked workers do not copy its pages by touching it) and collecting
the young generation less often cost the same memory within a few thousand objects.
https://docs.python.org/3/library/gc.html#gc.freeze"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLDS = (20_000, 20, 20)  # the defaults are (700, 10, 10)


def settle_for_bulk() -> None:
    """For a process that does bulk work for the rest of its life (an extraction worker)."""
    gc.freeze()
    gc.set_threshold(*BULK_THRESHOLDS)


@contextmanager
def frozen() -> Iterator[None]:
    """What is loaded now frozen for the time of a block. Freezes do not nest (one unfreeze
    thaws them all), so only the outermost block thaws: an inner one (the extraction pool's,
    inside a load's) freezes what was loaded since and leaves the rest to its outer block."""
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()


@contextmanager
def bulk_collection() -> Iterator[None]:
    """The bulk settings for the time of a load, then the thresholds before; what was frozen
    is walked again unless something outside froze it first."""
    before = gc.get_threshold()
    with frozen():
        gc.set_threshold(*BULK_THRESHOLDS)
        try:
            yield
        finally:
            gc.set_threshold(*before)
