"""Hybrid logical clock (Kulkarni et al.): timestamps that order changes across
laptops even when their wall clocks disagree.

A stamp is a string ``PPPPPPPPPPPPP-CCCCC-DEVICE``: 13-digit milliseconds since
the epoch, a 5-digit counter and the device id, so that plain string comparison
orders stamps and two devices never produce the same one.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def _split(stamp: str) -> tuple[int, int]:
    physical, counter, _ = stamp.split("-", 2)
    return int(physical), int(counter)


class HybridClock:
    def __init__(self, device_id: str, last: str | None = None,
                 wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)):
        self.device_id = device_id
        self._wall_ms = wall_ms
        self.physical, self.counter = _split(last) if last else (0, 0)

    def _stamp(self) -> str:
        return f"{self.physical:013d}-{self.counter:05d}-{self.device_id}"

    def now(self) -> str:
        """A stamp later than every stamp this clock has issued or seen."""
        wall = self._wall_ms()
        if wall > self.physical:
            self.physical, self.counter = wall, 0
        else:
            self.counter += 1
        return self._stamp()

    def observe(self, remote: str) -> None:
        """Move past a stamp received from another device (sync)."""
        physical, counter = _split(remote)
        if (physical, counter) > (self.physical, self.counter):
            self.physical, self.counter = physical, counter

    @property
    def last(self) -> str:
        return self._stamp()
