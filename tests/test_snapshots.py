"""rnnviz/snapshots.py: which epochs a run keeps, checked against hand-counted cases and against
the properties the docstring promises, over every run length up to 300 epochs."""

from __future__ import annotations

import pytest

from rnnviz.snapshots import Snapshots, fitting, kept_epochs, on_grid, spacing


@pytest.mark.parametrize(
    "done, limit, expected",
    [
        (0, 50, [0]),
        (3, 50, [0, 1, 2, 3]),
        (4, 3, [0, 2, 4]),  # 0..4 is 5 > 3: every 2nd
        (5, 3, [0, 4, 5]),  # 0,2,4,5 is 4 > 3: every 4th, and the latest
        (9, 4, [0, 4, 8, 9]),
        (7, 2, [0, 7]),
        (49, 50, list(range(50))),
        (50, 50, list(range(0, 51, 2))),  # 51 epochs do not fit 50: every 2nd
    ],
)
def test_kept_epochs_hand_counted(done, limit, expected):
    assert kept_epochs(done, limit) == expected, (done, limit)


@pytest.mark.parametrize("limit", [2, 3, 5, 50])
def test_every_run_length_is_bounded_even_and_minimal(limit):
    for done in range(0, 301):
        kept = kept_epochs(done, limit)
        case = f"done={done} limit={limit}: {kept}"
        assert kept[0] == 0 and kept[-1] == done, case
        assert len(kept) <= limit, case
        s = spacing(done, limit)
        assert s & (s - 1) == 0, case  # a power of two
        assert all(b - a == s for a, b in zip(kept, kept[1:-1])), case
        if s > 1:  # half the spacing would not fit
            half = list(range(0, done + 1, s // 2))
            assert len(half) + (half[-1] != done) > limit, case


@pytest.mark.parametrize("limit", [2, 4, 50])
def test_thinning_only_drops_so_a_keeper_matches_the_rule(limit):
    keep = Snapshots(limit)
    for done in range(0, 300):
        before = set(keep.epochs)
        keep.add(done, {"w": done})
        assert keep.epochs == kept_epochs(done, limit), (done, limit)
        assert set(keep.epochs) - {done} <= before, f"epoch {done} brought back a dropped one"
        assert all(keep.get(e) == {"w": e} for e in keep.epochs), done


@pytest.mark.parametrize("limit", [3, 50])
def test_a_copy_fed_only_grid_epochs_and_the_last_ends_the_same(limit):
    """What a worker streams: the epochs on the grid while training, the last one at the end."""
    for last in (1, 7, 64, 150):
        here, there = Snapshots(limit), Snapshots(limit)
        for epoch in range(0, last + 1):
            here.add(epoch, epoch)
            if on_grid(epoch, limit):
                there.add(epoch, epoch)
        if last not in there:
            there.add(last, last)
        assert there.items() == here.items(), (limit, last)


@pytest.mark.parametrize(
    "limit, state_bytes, budget, expected",
    [
        (50, 1_000, None, 50),  # no budget
        (50, 1_000, 1_000_000, 50),  # 1,000 would fit: the count limit
        (50, 100_000, 1_000_000, 10),  # 10 fit
        (50, 100_000, 1_050_000, 10),  # 10.5 fit: whole ones only
        (50, 10_000_000, 1_000_000, 2),  # not even one fits: still the first and the latest
    ],
)
def test_fitting_keeps_fewer_snapshots_of_a_big_model(limit, state_bytes, budget, expected):
    assert fitting(limit, state_bytes, budget) == expected


def test_bad_limits_and_orders_are_refused_in_words():
    with pytest.raises(ValueError, match="at least 2 snapshots"):
        Snapshots(1)
    keep = Snapshots(5)
    keep.add(3, "w")
    with pytest.raises(ValueError, match="add epochs in order"):
        keep.add(2, "w")
    with pytest.raises(KeyError, match=r"kept: \[3\]"):
        keep.get(1)
