"""Which epochs' weights a run keeps, so that a page can scrub back through training.

A run keeps at most `limit` snapshots (Limits.snapshots), thinned evenly as training goes on: after
`done` epochs it keeps every epoch that is a multiple of `spacing(done, limit)` (1, 2, 4, 8, ...:
the smallest power of two that fits), and always the latest. Epoch 0 is the starting weights.

Because each spacing's multiples are a subset of the last spacing's, thinning only ever drops
snapshots: a keeper adds each new epoch and drops what `kept_epochs` no longer lists, and ends
with the same set as one that saw every epoch at once. A copy elsewhere (the web process, fed by a
worker) needs only the epochs `on_grid` (multiples of the spacing at the time they ended) and the
last one.

What it leaves to others: taking the copies (rnnviz.train.TrainingJob) and streaming them to the
page (rnnviz.workers, rnnviz.ray_executor). Pure: no torch needed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["spacing", "kept_epochs", "on_grid", "fitting", "Snapshots"]


def _check(limit: int) -> None:
    if int(limit) < 2:
        raise ValueError(
            f"a run keeps at least 2 snapshots, the first and the latest (got {limit})"
        )


def fitting(limit: int, state_bytes: int, budget_bytes: float | None) -> int:
    """How many snapshots a run keeps: `limit`, fewer when that many copies of a state of
    `state_bytes` would take more than `budget_bytes` (None: no budget), never fewer than 2.

    >>> fitting(50, 4_000, 1_000_000), fitting(50, 7_400_000, 64 * 2**20)
    (50, 9)
    """
    if budget_bytes is None:
        return int(limit)
    return max(2, min(int(limit), int(budget_bytes // max(int(state_bytes), 1))))


def spacing(done: int, limit: int) -> int:
    """The smallest power of two s with the multiples of s in 0..done, and `done`, at most `limit`.

    >>> spacing(10, 50), spacing(60, 50), spacing(200, 50)
    (1, 2, 8)
    """
    _check(limit)
    s = 1
    while done // s + 1 + (done % s != 0) > limit:
        s *= 2
    return s


def kept_epochs(done: int, limit: int) -> list[int]:
    """The epochs kept after `done` epochs, in order: 0, the multiples of the spacing, and `done`.

    >>> kept_epochs(9, 4)
    [0, 4, 8, 9]
    """
    s = spacing(done, limit)
    kept = list(range(0, done + 1, s))
    return kept if kept[-1] == done else [*kept, done]


def on_grid(epoch: int, limit: int) -> bool:
    """Whether `epoch`, when it has just ended, is kept beyond being the latest (a multiple of the
    spacing then): only these need to travel while training goes on."""
    return epoch % spacing(epoch, limit) == 0


class Snapshots:
    """Weights by epoch, thinned by `kept_epochs` as epochs are added (in increasing order).

    >>> keep = Snapshots(limit=3)
    >>> for epoch in range(6):
    ...     keep.add(epoch, {"w": epoch})
    >>> keep.epochs
    [0, 4, 5]
    """

    def __init__(self, limit: int):
        _check(limit)
        self.limit = int(limit)
        self._kept: dict[int, Any] = {}
        self._latest: int | None = None
        self._spacing = 0  # the grid's spacing after the latest epoch

    def add(self, epoch: int, state: Any) -> None:
        """Keep `state` as epoch `epoch`'s (the latest), dropping what that thins away: what is
        off a coarser grid when the spacing grows, else only the last latest if it was off the
        grid (an epoch's cost stays flat: a job adds one every epoch)."""
        epoch, latest = int(epoch), self._latest
        if latest is not None and epoch < latest:
            raise ValueError(f"epoch {epoch} comes after epoch {latest}: add epochs in order")
        self._kept[epoch], self._latest = state, epoch
        s = spacing(epoch, self.limit)
        if s != self._spacing:  # the grid coarsened: drop every epoch off it but 0 and this one
            self._spacing = s
            for old in [e for e in self._kept if e % s and e != epoch]:
                del self._kept[old]
        elif latest is not None and latest != epoch and latest % s:  # the last latest, off it
            del self._kept[latest]

    @property
    def epochs(self) -> list[int]:
        return sorted(self._kept)

    @property
    def latest(self) -> int | None:
        return self._latest

    def get(self, epoch: int) -> Any:
        """The state kept for `epoch`; KeyError (naming the kept epochs) if none is."""
        if epoch not in self._kept:
            raise KeyError(f"no snapshot of epoch {epoch}; kept: {self.epochs}")
        return self._kept[epoch]

    def items(self) -> list[tuple[int, Any]]:
        return [(e, self._kept[e]) for e in self.epochs]

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, epoch: int) -> bool:
        return epoch in self._kept
