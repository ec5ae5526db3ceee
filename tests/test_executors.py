"""One conformance suite for every executor (thread, process, Ray): rnnviz.executors' contract.

Each case runs on each executor, with tiny jobs (seconds). The reference for "same history" is a
TrainingJob run here, in this thread's process, with the same seed. Then what only worker processes
do: sizing by usable cores, memory caps, runaway jobs that end their own worker only, views.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
import warnings
from pathlib import Path

import pytest
import torch

# before any pool starts: workers unpickle executor_jobs
sys.path.insert(0, str(Path(__file__).resolve().parent))
from executor_jobs import Runaway  # noqa: E402

from rnnviz import ModelConfig, SequenceModel, TrainConfig, TrainData, TrainingJob  # noqa: E402
from rnnviz.executors import JobSpec, ThreadExecutor  # noqa: E402
from rnnviz.trace import hidden_state_path  # noqa: E402
from rnnviz.workers import (  # noqa: E402
    ProcessExecutor,
    WorkerLost,
    dumps,
    threads_per_worker,
    usable_cores,
)

SLOTS = 2
WAIT = 120  # seconds any wait may take: a fresh worker imports torch first, slow on a busy machine


def _data(n: int = 64) -> TrainData:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 6, 2, generator=g)  # (N, L, F)
    y = x.sum(dim=(1, 2))[:, None] / 6  # (N, 1)
    return TrainData(x[:48], y[:48], x[48:], y[48:])


def _spec(
    epochs: int = 4, seed: int = 0, data: TrainData | None = None, model=None, **kw
) -> JobSpec:
    model = model or SequenceModel(ModelConfig(cell="lstm", input_size=2, hidden_size=8), seed=seed)
    return JobSpec(
        model,
        data or _data(),
        TrainConfig(epochs=epochs, batch_size=8, device="cpu", seed=seed, **kw),
    )


def _without_seconds(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in history]


def _weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    pytest.importorskip("rnnviz.ray_executor")
    ray.init(num_cpus=SLOTS, include_dashboard=False, ignore_reinit_error=True)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def process_executor():
    ex = ProcessExecutor(SLOTS)
    yield ex
    ex.shutdown()


@pytest.fixture(scope="module", params=["thread", "process", "ray"])
def executor(request):
    if request.param == "thread":
        ex = ThreadExecutor(SLOTS)
        yield ex
        ex.shutdown()
    elif request.param == "process":
        yield request.getfixturevalue("process_executor")
    else:
        request.getfixturevalue("ray_cluster")
        from rnnviz.ray_executor import RayExecutor  # noqa: PLC0415

        ex = RayExecutor()
        yield ex
        ex.shutdown()


def _kill_worker(executor, job) -> None:
    if executor.name == "process":
        os.kill(job.worker_pid, signal.SIGKILL)
    elif executor.name == "ray":
        import ray  # noqa: PLC0415

        ray.kill(job.actor)


# -- the contract, on every executor ---------------------------------------------------------------


def test_status_goes_queued_or_running_then_done(executor):
    job = executor.submit(_spec(epochs=3))
    assert job.status in ("queued", "running"), job.status
    assert job.running
    job.join(WAIT)
    assert job.status == "done", job.message
    assert job.message == "Finished 3 epochs."
    assert [r["epoch"] for r in job.history] == [1, 2, 3]
    assert (
        job.epochs_done == 3
        and job.eta_seconds == 0
        and job.queue_position == 0
        and not job.running
    )


def test_history_equals_thread_executors_for_the_same_seed(executor):
    reference = (
        TrainingJob(_spec(epochs=5, seed=3).model, _data(), _spec(epochs=5, seed=3).config)
        .start()
        .join()
    )
    job = executor.submit(_spec(epochs=5, seed=3)).join(WAIT)
    assert job.status == "done", job.message
    assert _without_seconds(job.history) == _without_seconds(reference.history)
    assert _same(_weights(job.model), _weights(reference.model)), (
        "final weights differ from the thread's"
    )
    assert _same(_weights(job.snapshot_model()), _weights(reference.model)), (
        "the snapshot lags the end"
    )


def test_stop_ends_stopped_with_the_weights_so_far(executor):
    spec = _spec(epochs=100_000)
    start = _weights(spec.model)
    job = executor.submit(spec)
    assert job.wait_for_first_epoch(WAIT) and job.status == "running", job.status
    during = job.snapshot_model()
    assert not _same(_weights(during), start), (
        "the snapshot during training still has the initial weights"
    )
    job.stop()
    job.join(WAIT)
    assert job.status == "stopped", job.message
    kept = job.epochs_done
    assert job.message == f"Stopped by you. Kept the weights after epoch {kept}.", job.message
    assert 1 <= kept < 100_000
    assert _same(_weights(job.model), _weights(job.snapshot_model()))
    assert not _same(_weights(job.model), start)


def test_huge_learning_rate_is_diverged(executor):
    job = executor.submit(_spec(epochs=20, lr=1e6, optimizer="sgd", clip_norm=None)).join(WAIT)
    assert job.status == "diverged", (job.status, job.message)
    assert job.message.startswith("Training diverged"), job.message


def test_a_job_that_raises_is_failed_with_the_message(executor):
    empty = TrainData(torch.zeros(0, 6, 2), torch.zeros(0, 1))
    job = executor.submit(_spec(data=empty)).join(WAIT)
    assert job.status == "failed"
    assert job.message == "Training failed: ValueError: there is nothing to train on", job.message


def _watch_until_it_trains(job) -> None:
    """Heartbeat a job until its first epoch ends: a Ray actor takes seconds to start, and a queued
    job nobody watches is rightly stopped before it starts."""
    deadline = time.monotonic() + WAIT
    while job.epochs_done == 0 and job.running and time.monotonic() < deadline:
        job.heartbeat()
        time.sleep(0.2)


def test_nobody_watching_stops_the_job(executor):
    job = executor.submit(_spec(epochs=100_000, heartbeat_timeout=1.0))
    _watch_until_it_trains(job)  # then left alone
    job.join(WAIT)
    assert job.status == "stopped", job.message
    assert job.message.startswith("Stopped: nobody was watching for 1 s"), job.message


def test_heartbeats_keep_a_watched_job_training(executor):
    job = executor.submit(_spec(epochs=100_000, heartbeat_timeout=1.0))
    _watch_until_it_trains(job)
    assert job.epochs_done > 0, job.message
    for _ in range(12):  # 2.4 s of heartbeats, past the 1 s timeout
        job.heartbeat()
        time.sleep(0.2)
    assert job.status == "running", job.message
    job.stop()
    assert job.join(WAIT).status == "stopped"


def test_time_limit_stops_the_job(executor):
    job = executor.submit(_spec(epochs=100_000, max_seconds=0.5)).join(WAIT)
    assert job.status == "stopped", job.message
    assert job.message.startswith("Stopped at the time limit of 0.5 s"), job.message


def test_killed_worker_is_failed_and_the_next_job_trains(executor):
    if executor.name == "thread":
        pytest.skip("a thread executor has no worker of its own to kill")
    job = executor.submit(_spec(epochs=100_000))
    assert job.wait_for_first_epoch(WAIT)
    _kill_worker(executor, job)
    job.join(WAIT)
    assert job.status == "failed", (job.status, job.message)
    assert "ended" in job.message and job.message.startswith("Training failed"), job.message
    after = executor.submit(_spec(epochs=2)).join(WAIT)
    assert after.status == "done", after.message


def test_queue_position_counts_the_runs_ahead(executor):
    long = [executor.submit(_spec(epochs=100_000)) for _ in range(executor.slots)]
    try:
        for job in long:
            assert job.wait_for_first_epoch(WAIT) and job.status == "running", job.status
        waiting = [executor.submit(_spec(epochs=2)) for _ in range(3)]
        assert [j.status for j in waiting] == ["queued"] * 3
        assert [j.queue_position for j in waiting] == [1, 2, 3]
        waiting[0].stop()
        assert waiting[0].join(WAIT).status == "stopped"
        assert waiting[0].message == "Stopped before it started."
        assert [j.queue_position for j in waiting[1:]] == [1, 2]
        long[0].stop()
        assert waiting[1].join(WAIT).status == "done", waiting[1].message
        assert waiting[2].join(WAIT).status == "done", waiting[2].message
    finally:
        for job in long:
            job.stop()
            job.join(WAIT)


def _wait_until(condition, what: str, job) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, (
            f"waited {WAIT} s for {what}: {job.status} {job.message}"
        )
        assert job.status in ("queued", "running"), (what, job.status, job.message)
        time.sleep(0.02)


def _assert_held_snapshot(job, epoch: int) -> None:
    """A paused job's last kept epoch is the one it holds (on the grid or not), and its weights
    equal the same seed and settings trained for that many epochs here."""
    assert job.snapshot_epochs[-1] == epoch, (epoch, job.snapshot_epochs)
    spec = _spec(epoch, seed=3)
    TrainingJob(spec.model, spec.data, spec.config).start().join()
    for name, value in _weights(job.snapshot_at(epoch)).items():
        assert torch.allclose(value, spec.model.state_dict()[name], atol=1e-6, rtol=0), (
            f"the held epoch {epoch}'s snapshot, {name}"
        )


def test_pause_holds_step_adds_one_epoch_resume_ends_like_an_unpaused_run(executor):
    """With 2 snapshots kept (the first and the latest), every epoch is off the grid: the held one
    is kept all the same, on every executor."""
    epochs = 400
    reference = TrainingJob(_spec(epochs, seed=3).model, _data(), _spec(epochs, seed=3).config)
    reference.start().join()
    job = executor.submit(_spec(epochs, seed=3, snapshots=2))
    job.pause()  # before it started, or in its first epochs: it holds after the one in progress
    assert job.pause_asked
    _wait_until(lambda: job.paused, "the pause", job)
    held = job.epochs_done
    assert 1 <= held < epochs - 2, held
    time.sleep(1.0)
    assert job.epochs_done == held and job.paused, (held, job.epochs_done, "went on while paused")
    assert job.eta_seconds is None, "a paused job has no time left to tell"
    _assert_held_snapshot(job, held)
    for k in (1, 2):
        job.step()
        assert not job.paused, f"step {k}: still said to be held once asked to go on"
        _wait_until(lambda k=k: job.epochs_done == held + k and job.paused, f"step {k}", job)
        time.sleep(0.5)
        assert job.epochs_done == held + k, f"step {k} ran {job.epochs_done - held} epochs"
        _assert_held_snapshot(job, held + k)
    job.resume()
    assert not job.paused, "still said to be held once resumed"
    assert not job.pause_asked
    assert job.join(WAIT).status == "done", job.message
    assert _without_seconds(job.history) == _without_seconds(reference.history)
    assert _same(_weights(job.model), _weights(reference.model)), "paused run ended elsewhere"


@pytest.mark.parametrize("how", ["stop", "nobody watching", "time limit"])
def test_a_paused_job_still_ends_by_stop_heartbeat_and_time_limit(executor, how):
    """Paused time counts against the time limit: a paused job keeps its slot."""
    limits = {"nobody watching": {"heartbeat_timeout": 1.5}, "time limit": {"max_seconds": 8.0}}
    job = executor.submit(_spec(epochs=100_000, **limits.get(how, {})))
    job.pause()
    _wait_until(lambda: job.heartbeat() or job.paused, "the pause", job)
    held = job.epochs_done
    if how == "stop":
        job.stop()
    assert job.join(WAIT).status == "stopped", (how, job.status, job.message)
    expected = {
        "stop": f"Stopped by you. Kept the weights after epoch {held}.",
        "nobody watching": "Stopped: nobody was watching for 1.5 s (the page was closed).",
        "time limit": "Stopped at the time limit of 8 s per training run.",
    }[how]
    assert job.message.startswith(expected), (how, job.message)
    assert job.epochs_done == held, (how, "trained on after the pause")


def test_snapshot_at_epoch_k_equals_a_separate_run_of_k_epochs(executor):
    """4 snapshots of 10 epochs: every 4th and the last, [0, 4, 8, 10]; each equals the weights of
    the same seed and settings trained for k epochs in this process (0: the untrained model)."""
    job = executor.submit(_spec(10, seed=5, snapshots=4)).join(WAIT)
    assert job.status == "done", job.message
    assert job.snapshot_epochs == [0, 4, 8, 10]
    kept = job.snapshots()
    for k in job.snapshot_epochs:
        spec = _spec(max(k, 1), seed=5)
        if k:
            TrainingJob(spec.model, spec.data, spec.config).start().join()
        separate = _weights(spec.model)
        for name, value in _weights(job.snapshot_at(k)).items():
            assert torch.allclose(value, separate[name], atol=1e-6, rtol=0), (k, name)
            assert torch.equal(value, kept[k][name]), (k, name, "snapshot_at differs")
    assert _same(kept[10], _weights(job.model)), "the last snapshot is not the final model"
    with pytest.raises(KeyError, match=r"kept: \[0, 4, 8, 10\]"):
        job.snapshot_at(5)


def test_a_big_model_keeps_fewer_snapshots_within_snapshot_mb(executor):
    """A budget of 3.5 states: 3 snapshots of 10 epochs, [0, 8, 10], whatever `snapshots` says."""
    spec = _spec(10, seed=5)
    size = sum(v.numel() * v.element_size() for v in spec.model.state_dict().values())
    spec.config.snapshot_mb = 3.5 * size / 2**20
    job = executor.submit(spec).join(WAIT)
    assert job.status == "done", job.message
    assert job.snapshot_limit == 3 and job.snapshot_epochs == [0, 8, 10], job.snapshot_epochs
    assert _same(job.snapshots()[10], _weights(job.model))


# -- worker processes only -------------------------------------------------------------------------


def _fake_cgroup(root: Path, v2: str | None = None, v1: tuple[int, int] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if v2 is not None:
        (root / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (root / "cpu").mkdir()
        (root / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (root / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return root


@pytest.mark.parametrize(
    "case, v2, v1, affinity, expected",
    [
        ("no quota, 8 allowed cpus", None, None, set(range(8)), 8),
        ("v2 max, 4 cpus", "max 100000", None, {0, 1, 2, 3}, 4),
        ("v2 quota 2.5 cpus of 16", "250000 100000", None, set(range(16)), 2),
        ("v2 quota 0.5 cpu", "50000 100000", None, set(range(4)), 1),
        ("v2 quota above the affinity", "800000 100000", None, {2, 3}, 2),
        ("v1 quota 3 cpus of 16", None, (300000, 100000), set(range(16)), 3),
        ("v1 no quota (-1)", None, (-1, 100000), set(range(6)), 6),
    ],
)
def test_pool_size_follows_affinity_and_cgroup_quota_not_cpu_count(
    tmp_path, case, v2, v1, affinity, expected
):
    root = _fake_cgroup(tmp_path / "cg", v2, v1)
    assert usable_cores(root, affinity) == expected, case


def test_pool_size_here_is_the_affinity():
    assert usable_cores() == min(len(os.sched_getaffinity(0)), usable_cores())
    assert usable_cores() <= len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    "workers, cores, expected", [(2, 2, 1), (1, 2, 2), (4, 16, 4), (3, 16, 5), (8, 2, 1)]
)
def test_threads_per_worker_keep_workers_times_threads_within_cores(workers, cores, expected):
    threads = threads_per_worker(workers, cores)
    assert threads == expected
    assert workers * threads <= cores or threads == 1


def test_process_jobs_train_outside_this_process(process_executor):
    job = process_executor.submit(_spec(epochs=2)).join(WAIT)
    assert job.status == "done"
    assert job.worker_pid is not None and job.worker_pid != os.getpid()
    assert job.worker_pid in {w.process.pid for w in process_executor._workers}


@pytest.mark.parametrize("how", ["exit", "segfault", "memory"])
def test_runaway_job_fails_alone_and_the_others_train_on(process_executor, how):
    other = process_executor.submit(_spec(epochs=100_000))
    assert other.wait_for_first_epoch(WAIT)
    runaway = process_executor.submit(
        _spec(model=Runaway(how), data=TrainData(torch.randn(8, 3, 1), torch.randn(8, 1)))
    )
    runaway.join(WAIT)
    assert runaway.status == "failed", (how, runaway.status, runaway.message)
    if how == "memory":  # refused by the worker's address-space cap: the worker lives on
        assert runaway.message == (
            "Training failed: this run needs more memory than this server allows each run "
            f"({process_executor.job_memory_mb} MB). Use fewer hidden units or layers, a shorter "
            "window or a smaller batch."
        ), runaway.message
    else:
        assert runaway.message.startswith("Training failed: the process training this run ended"), (
            runaway.message
        )
    epochs = other.epochs_done
    time.sleep(1.0)
    assert other.status == "running" and other.epochs_done > epochs, (
        "the other job stopped training"
    )
    other.stop()
    assert other.join(WAIT).status == "stopped"
    assert process_executor.submit(_spec(epochs=2)).join(WAIT).status == "done", (
        "the pool did not recover"
    )


def test_view_runs_in_a_worker_and_equals_inline():
    ex = ThreadExecutor()
    model = SequenceModel(ModelConfig(cell="gru", input_size=1, hidden_size=6), seed=1)
    x = torch.randn(40, 7, 1, generator=torch.Generator().manual_seed(2))  # (N, L, F)
    inline = ex.run_view(hidden_state_path, model, x)
    pool = ProcessExecutor(1, view_worker=True)
    try:
        assert pool.run_view(os.getpid, timeout=WAIT) != os.getpid()
        there = pool.run_view(hidden_state_path, model, x, timeout=WAIT)
        assert torch.equal(there.points, inline.points) and list(there.indices) == list(
            inline.indices
        )
        with pytest.raises(ValueError, match="at least one window"):
            pool.run_view(hidden_state_path, model, x[:0], timeout=WAIT)
        with pytest.raises(TimeoutError, match="longer than 1 s"):
            pool.run_view(time.sleep, 30, timeout=1)
        with pytest.raises(WorkerLost, match="ended"):
            pool.run_view(os._exit, 3, timeout=WAIT)
        assert pool.run_view(sum, [1, 2, 3], timeout=WAIT) == 6, "the view worker was not replaced"
    finally:
        pool.shutdown()


def test_default_pool_is_one_worker_per_usable_core_not_a_fixed_two(monkeypatch):
    from rnnviz.limits import Limits  # noqa: PLC0415

    monkeypatch.delenv("RNNVIZ_MAX_JOBS", raising=False)
    assert Limits.from_env().max_jobs == 0, (
        "the default still caps the server at a fixed number of jobs"
    )
    pool = ProcessExecutor(Limits.from_env().max_jobs or None, view_worker=False)
    try:
        assert pool.slots == usable_cores() == len(pool._workers)
        assert pool.slots * pool.threads <= usable_cores()
    finally:
        pool.shutdown()


def test_wait_ready_returns_once_every_worker_has_warmed_up(process_executor):
    """wait_ready is what a bench (or a server's start) waits on: afterwards every worker takes a
    job at once, each in its own process."""
    assert process_executor.wait_ready(300)
    jobs = [process_executor.submit(_spec(epochs=2)) for _ in range(process_executor.slots)]
    assert all(j.status == "running" for j in jobs), [j.status for j in jobs]
    assert len({j.worker_pid for j in jobs}) == process_executor.slots
    for j in jobs:
        assert j.join(120).status == "done", j.message


def test_worker_messages_carry_tensors_as_they_are():
    """dumps (the workers' messages, tensors as numpy arrays) gives back every tensor with its
    dtype, shape and values, writable (torch.from_numpy warns on a read-only array), detached; one
    numpy cannot hold (bfloat16) as torch pickles it."""
    model = SequenceModel(ModelConfig(cell="lstm", input_size=3, hidden_size=5, output_size=1))
    weights = model.state_dict()
    odd = {
        "bf16": torch.randn(2, 3, dtype=torch.bfloat16, requires_grad=True),
        "transposed": torch.arange(12.0).reshape(3, 4).t(),
        "scalar": torch.tensor(7),
        "flags": torch.tensor([True, False]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kind, (record, got, got_odd) = pickle.loads(
            dumps(("epoch", ({"epoch": 3, "loss": 0.5}, weights, odd)))
        )
        for value in got.values():
            value.add_(0)  # writable in place
    assert kind == "epoch" and record == {"epoch": 3, "loss": 0.5}
    assert list(got) == list(weights)
    for name, value in {**weights, **odd}.items():
        back = {**got, **got_odd}[name]
        assert back.dtype == value.dtype and back.shape == value.shape, name
        assert torch.equal(back.detach(), value.detach()), name
