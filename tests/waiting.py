"""Waiting on a condition with a deadline (never sleep-and-hope)."""
from __future__ import annotations

import time


def wait_until(cond, what: str = "condition", timeout: float = 60.0):
    """``cond()``'s first truthy value, polled until ``timeout`` seconds have passed (then fail).

    The deadline only bounds a hang: polling returns as soon as the condition holds, and a
    2-core machine under load (CI, helpers beside the suite) has taken over 20 s for background
    work that takes milliseconds alone."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
