"""live.run_view_shared: one computation per key for the whole server, however many sessions ask at
once."""

import threading
import time

from rnnviz.ui import live


def test_sessions_asking_at_once_share_one_computation(monkeypatch):
    # inline: the sharing is what is tested
    monkeypatch.setattr(live, "run_view", lambda fn, *args: fn(*args))
    live._shared_views.clear()
    calls = []

    def slow_square(x):
        calls.append(x)
        time.sleep(0.3)
        return x * x

    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(live.run_view_shared(("sq", 7), slow_square, 7))
        )
        for _ in range(5)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert results == [49] * 5
    assert calls == [7]  # computed once, the other four waited for it
    assert live.run_view_shared(("sq", 7), slow_square, 7) == 49 and calls == [7]  # later: kept
    assert live.run_view_shared(("sq", 8), slow_square, 8) == 64 and calls == [
        7,
        8,
    ]  # another key: its own


def test_a_failed_view_is_not_kept_and_the_next_asker_computes_it(monkeypatch):
    monkeypatch.setattr(live, "run_view", lambda fn, *args: fn(*args))
    live._shared_views.clear()
    answers = iter([None, 5])  # run_view gives None when a view ran out of time or memory
    assert live.run_view_shared("k", lambda: next(answers)) is None
    assert live.run_view_shared("k", lambda: next(answers)) == 5


def test_the_server_keeps_at_most_shared_views_results(monkeypatch):
    monkeypatch.setattr(live, "run_view", lambda fn, *args: fn(*args))
    live._shared_views.clear()
    for k in range(live.SHARED_VIEWS + 3):
        live.run_view_shared(k, lambda k=k: k)
    kept = live._shared_views("views")["results"]
    assert list(kept) == list(range(3, live.SHARED_VIEWS + 3))


def test_each_kind_keeps_its_own_results(monkeypatch):
    """Many cheap results of one kind (a class's forecasts, by epoch) never push out a costly one
    of another (a baseline ladder, seconds of fitting)."""
    monkeypatch.setattr(live, "run_view", lambda fn, *args: fn(*args))
    live._shared_views.clear()
    calls = []
    assert live.run_view_shared("ladder", lambda: calls.append(1) or "ets") == "ets"
    for k in range(live.SHARED_VIEWS + 3):
        live.shared_result(k, lambda k=k: k, kind="forecasts")
    assert live.run_view_shared("ladder", lambda: calls.append(1) or "ets") == "ets"
    assert calls == [1]  # still kept
    assert list(live._shared_views("forecasts")["results"]) == list(range(3, live.SHARED_VIEWS + 3))
    assert "ladder" in live._shared_views("views")["results"]
