"""Run calls at the same time in threads and keep what they raised, so a test fails with the thread's error."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence


def run_together(calls: Sequence[Callable[[], None]], timeout: float = 120) -> list[BaseException]:
    """Start every call in its own thread, wait for all (up to ``timeout`` each), and return their errors."""
    errors: list[BaseException] = []

    def guarded(call: Callable[[], None]) -> None:
        try:
            call()
        except BaseException as exc:  # collected so the test fails with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
