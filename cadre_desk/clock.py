"""Hybrid logical clock (Kulkarni et al.): timestamps that order changes across
laptops even when their wall clocks disagree.

A stamp is a string ``PPPPPPPPPPPPP-CCCCC-DEVICE``: 13-digit milliseconds since
the epoch, a 5-digit counter and the device id, so that plain string comparison
orders stamps and two devices never produce the same one. The widths are
fixed for every value: a counter that would pass 99999 carries into the
milliseconds instead (the stamp moves 1 ms ahead of the wall clock), so text
order and time order never part.
"""

from __future__ import annotations

import time
from collections.abc import Callable


COUNTER_MAX = 99999
PHYSICAL_MAX = 10 ** 13 - 1


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

    def wall(self) -> int:
        """This machine's wall clock, in milliseconds (sync bounds received stamps by it)."""
        return self._wall_ms()

    def now(self) -> str:
        """A stamp later than every stamp this clock has issued or seen."""
        wall = self._wall_ms()
        if wall > self.physical:
            self.physical, self.counter = wall, 0
        elif self.counter >= COUNTER_MAX:
            self.physical, self.counter = min(self.physical + 1, PHYSICAL_MAX), 0
        else:
            self.counter += 1
        return self._stamp()

    def observe(self, remote: str) -> None:
        """Move past a stamp received from another device (sync)."""
        physical, counter = _split(remote)
        if counter > COUNTER_MAX:  # an old stamp with a 6-digit counter
            physical, counter = physical + 1, 0
        if (physical, counter) > (self.physical, self.counter):
            self.physical, self.counter = min(physical, PHYSICAL_MAX), counter

    @property
    def last(self) -> str:
        return self._stamp()
