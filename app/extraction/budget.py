"""The time one document's extraction may take, checked inside the stages' loops.

A check between stages is not enough: one stage over a large page can run for minutes, and a
thread cannot be stopped from outside. So the stages call `tick()` in their loops (or
`check()` once per sentence or chunk) and give up with BudgetExceeded when time is up.
"""

import time


class BudgetExceeded(Exception):
    """The document's time budget ran out inside a stage."""


class Deadline:
    """When extraction must stop (never, without a budget)."""

    # Reading the clock costs about as much as a loop step over a token, so tick() reads it
    # once every this many calls.
    EVERY = 256

    def __init__(self, budget_s: float | None) -> None:
        self.at = None if budget_s is None else time.perf_counter() + budget_s
        self._left = self.EVERY

    def expired(self) -> bool:
        return self.at is not None and time.perf_counter() > self.at

    def check(self) -> None:
        """Raise BudgetExceeded when the time is up."""
        if self.at is not None and time.perf_counter() > self.at:
            raise BudgetExceeded

    def tick(self) -> None:
        """One step of a loop: check the clock every EVERY steps."""
        self._left -= 1
        if self._left <= 0:
            self._left = self.EVERY
            self.check()


def unlimited() -> Deadline:
    """A deadline that never passes (stages called directly, tests)."""
    return Deadline(None)
