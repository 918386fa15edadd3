"""Waiting on a condition with a deadline (never sleep-and-hope)."""
from __future__ import annotations

import time


def wait_until(cond, what: str = "condition", timeout: float = 20.0):
    """``cond()``'s first truthy value, polled until ``timeout`` seconds have passed (then fail)."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
