"""rnnviz/ray_executor.py: jobs as Ray actors, behind the handle every executor keeps.

All on one local Ray instance (ray.init(num_cpus=2), module-scoped, shut down at the end), except
the last test, which starts a real `ray start --head` and reaches it through RAY_ADDRESS and
executor_from_env(), in a fresh process. The thread executor (TrainingJob) is the reference:
same seed on the CPU, same history to the float, same ending and message.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import torch

ray = pytest.importorskip("ray")

from rnnviz import ModelConfig, SequenceModel, TrainConfig, TrainData  # noqa: E402
from rnnviz.data import sliding_windows  # noqa: E402
from rnnviz.errors import UserError  # noqa: E402
from rnnviz.executors import JobSpec, ThreadExecutor  # noqa: E402
from rnnviz.ray_executor import RayExecutor, actor_options, gpu_fraction  # noqa: E402

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def executor():
    """A RayExecutor on a local 2-CPU Ray instance (or on the one this session already started)."""
    address = os.environ.pop("RAY_ADDRESS", None)
    started = not ray.is_initialized()
    ex = RayExecutor(num_cpus=2, poll_seconds=0.2)
    yield ex
    ex.shutdown()
    if started:
        ray.shutdown()
    if address is not None:
        os.environ["RAY_ADDRESS"] = address


def _series_spec(epochs=8, lr=0.01, hidden=8, **train) -> JobSpec:
    """A noisy sine, windows of 10 steps: 100 to train on, 30 to validate; an LSTM seeded 0."""
    g = torch.Generator().manual_seed(0)
    # (140, 1)
    s = torch.sin(torch.arange(140.0) / 5)[:, None] + 0.05 * torch.randn(140, 1, generator=g)
    x, y = sliding_windows(s, 10)[:-1], s[10:]  # (130, 10, 1), (130, 1)
    model = SequenceModel(ModelConfig(cell="lstm", input_size=1, hidden_size=hidden), seed=0)
    data = TrainData(x[:100], y[:100], x[100:], y[100:])
    return JobSpec(
        model, data, TrainConfig(epochs=epochs, lr=lr, batch_size=16, seed=0, device="cpu", **train)
    )


def _without_seconds(history):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in history]


def _on_thread(spec: JobSpec):
    return ThreadExecutor().submit(spec).join(60)


def test_ray_job_trains_in_another_process_with_the_thread_executors_history_to_the_float(executor):
    spec, reference = _series_spec(), _series_spec()
    job = executor.submit(spec)
    assert job.status in ("queued", "running") and job.running
    assert job.join(120).status == "done", job.message
    ref = _on_thread(reference)
    assert job.message == ref.message == "Finished 8 epochs."
    assert _without_seconds(job.history) == _without_seconds(ref.history)  # exact floats, every key
    assert job.epochs_done == 8 and job.eta_seconds == 0 and job.queue_position == 0
    assert job.pid is not None and job.pid != os.getpid(), "trained in the caller's process"
    assert job.node_id == ray.get_runtime_context().get_node_id()
    assert job.rnnviz_file == str(ROOT / "rnnviz" / "__init__.py"), (
        "the actor imported another rnnviz"
    )
    # the final weights came back into the submitted model, and snapshot_model() gives the same
    for model in (job.model, job.snapshot_model()):
        for (name, got), want in zip(model.state_dict().items(), ref.model.state_dict().values()):
            assert torch.equal(got, want), name
    assert job.options == {"num_cpus": 1, "num_gpus": 0, "max_concurrency": 4}


def test_ray_stop_is_honoured_and_keeps_the_weights_streamed_so_far(executor):
    spec = _series_spec(epochs=100_000)
    initial = {k: v.clone() for k, v in spec.model.state_dict().items()}
    job = executor.submit(spec)
    assert job.wait_for_first_epoch(60) and job.status == "running", job.message
    time.sleep(1.5)  # let a few more epochs stream in
    snap = job.snapshot_model()  # while it runs: a copy, from a finished epoch
    assert any(not torch.equal(snap.state_dict()[k], v) for k, v in initial.items()), (
        "snapshot is untrained"
    )
    seen = job.epochs_done
    assert seen >= 2, "history did not stream while the job ran"
    job.stop()
    assert job.join(60).status == "stopped", job.message
    kept = len(job.history)
    assert kept >= seen and kept < 100_000
    assert job.message == f"Stopped by you. Kept the weights after epoch {kept}.", job.message
    assert not job.running


def test_ray_divergence_ends_as_on_the_thread_executor(executor):
    job = executor.submit(_series_spec(epochs=20, lr=1e6))
    ref = _on_thread(_series_spec(epochs=20, lr=1e6))
    assert ref.status == "diverged"
    assert job.join(120).status == "diverged", job.message
    assert job.message == ref.message
    assert _without_seconds(job.history) == _without_seconds(ref.history)
    for (name, got), want in zip(job.model.state_dict().items(), ref.model.state_dict().values()):
        assert torch.equal(got, want), f"not the best epoch's weights: {name}"


def test_ray_failure_is_reported_in_words_as_on_the_thread_executor(executor):
    """Three features into a model made for one: the same failure message as in a thread."""

    def spec():
        model = SequenceModel(ModelConfig(cell="gru", input_size=1, hidden_size=4), seed=0)
        return JobSpec(
            model,
            TrainData(torch.randn(8, 10, 3), torch.randn(8, 1)),
            TrainConfig(epochs=3, device="cpu"),
        )

    job, ref = executor.submit(spec()).join(120), _on_thread(spec())
    assert job.status == ref.status == "failed"
    assert job.message == ref.message and "Expected 1, got 3" in job.message, job.message


def test_ray_killed_actor_turns_the_handle_failed_with_a_message(executor):
    job = executor.submit(_series_spec(epochs=100_000))
    assert job.wait_for_first_epoch(60), job.message
    ray.kill(job.actor)
    assert job.join(60).status == "failed"
    assert job.message.startswith(
        "Training failed: the Ray worker running it ended unexpectedly"
    ), job.message
    assert job.message.endswith("Train again.")
    job.snapshot_model()  # still answers, from what was fetched


def test_ray_unwatched_job_stops_and_max_seconds_is_enforced_in_the_actor(executor):
    """Two at once. One with heartbeat_timeout 3 s: beaten for 3 s it keeps running (the beats reach
    the actor), then left alone it stops. One with max_seconds 1: stopped at the limit."""
    watched = executor.submit(_series_spec(epochs=100_000, heartbeat_timeout=3.0))
    limited = executor.submit(_series_spec(epochs=100_000, max_seconds=1.0))
    deadline = time.monotonic() + 60
    while not watched.epochs_done and time.monotonic() < deadline:  # a page beats from the start
        watched.heartbeat()
        time.sleep(0.2)
    for _ in range(15):
        watched.heartbeat()
        time.sleep(0.2)
    assert watched.status == "running", watched.message
    assert watched.join(30).status == "stopped"
    assert watched.message.startswith("Stopped: nobody was watching for 3 s"), watched.message
    assert limited.join(60).status == "stopped"
    assert limited.message.startswith("Stopped at the time limit of 1 s per training run."), (
        limited.message
    )


def test_ray_queue_position_counts_runs_ahead_and_stop_or_no_heartbeat_cancels_a_queued_job(
    executor,
):
    """2 CPUs: two long jobs train, the third waits with 1 run ahead, the fourth with 2. Stopping
    the waiting ones cancels them before they start; so does nobody watching one that waits."""
    jobs = [executor.submit(_series_spec(epochs=100_000)) for _ in range(4)]
    try:
        assert jobs[0].wait_for_first_epoch(60) and jobs[1].wait_for_first_epoch(60)
        time.sleep(1.5)  # the free-CPU reading is at most a second old
        assert [j.status for j in jobs] == ["running", "running", "queued", "queued"]
        assert [j.queue_position for j in jobs] == [0, 0, 1, 2]
        # waits, nobody beats
        unwatched = executor.submit(_series_spec(epochs=100_000, heartbeat_timeout=1.0))
        assert unwatched.join(30).status == "stopped" and unwatched.pid is None
        assert unwatched.message == (
            "Stopped before it started: nobody was watching for 1 s (the page was closed)."
        ), unwatched.message
        jobs[3].stop()
        jobs[2].stop()
        for job in jobs[2:]:
            assert job.join(30).status == "stopped" and job.message == "Stopped before it started."
            assert job.history == [] and job.pid is None
    finally:
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(60)
    assert all(j.status == "stopped" for j in jobs), [(j.status, j.message) for j in jobs]


def test_ray_cpu_job_never_asks_for_a_gpu_and_a_gpu_job_asks_for_a_fraction(monkeypatch):
    cpu, cuda, auto = (TrainConfig(device=d) for d in ("cpu", "cuda", "auto"))
    for cluster_gpus in (0, 1, 8):
        assert actor_options(cpu, cluster_gpus)["num_gpus"] == 0
        assert actor_options(cpu, cluster_gpus)["num_cpus"] == 1
    assert actor_options(auto, 0) == {"num_cpus": 1, "num_gpus": 0, "max_concurrency": 4}
    assert actor_options(auto, 2)["num_gpus"] == 0.25
    assert actor_options(cuda, 1, 0.5) == {"num_cpus": 1, "num_gpus": 0.5, "max_concurrency": 4}
    # the page says it
    with pytest.raises(UserError, match="asks for a CUDA GPU but the Ray cluster has none"):
        actor_options(cuda, 0)
    monkeypatch.delenv("RNNVIZ_GPU_FRACTION", raising=False)
    assert gpu_fraction() == 0.25
    monkeypatch.setenv("RNNVIZ_GPU_FRACTION", "0.5")
    assert gpu_fraction() == 0.5
    for bad in ("0", "1.5", "half"):
        monkeypatch.setenv("RNNVIZ_GPU_FRACTION", bad)
        with pytest.raises(ValueError, match="RNNVIZ_GPU_FRACTION must be"):
            gpu_fraction()


def test_ray_gpu_job_on_a_cpu_cluster_is_refused_at_submit(executor):
    """This cluster has no GPU: a "cuda" job would wait for ever; it is refused with what to do."""
    spec = _series_spec()
    spec.config.device = "cuda"
    with pytest.raises(ValueError, match="choose the device 'auto' or 'cpu'"):
        executor.submit(spec)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_ON_THE_HEAD = """
import json, os, torch
from rnnviz import ModelConfig, SequenceModel, TrainConfig, TrainData
from rnnviz.executors import JobSpec, executor_from_env
ex = executor_from_env()
model = SequenceModel(ModelConfig(cell="gru", input_size=1, hidden_size=4), seed=0)
g = torch.Generator().manual_seed(0)
data = TrainData(torch.randn(32, 5, 1, generator=g), torch.randn(32, 1, generator=g))
job = ex.submit(JobSpec(model, data, TrainConfig(epochs=3, device="cpu")))
job.join(120)
print(json.dumps({"executor": type(ex).__name__, "status": job.status, "epochs": len(job.history),
                  "pid": job.pid, "me": os.getpid()}))
"""


def _wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.5)
    return False


def test_ray_head_started_with_ray_start_runs_a_job_from_executor_from_env():
    """A real head (`ray start --head --block`, ended by terminating it: `ray stop` would end every
    Ray on this machine), reached through RAY_ADDRESS by a fresh process, with its own token."""
    # short: Ray's socket paths
    port, temp_dir = _free_port(), tempfile.mkdtemp(prefix="rnnviz-ray-")
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "RNNVIZ_EXECUTOR")}
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
    head = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "ray"),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--num-cpus=2",
            "--disable-usage-stats",
            "--include-dashboard=false",
            f"--temp-dir={temp_dir}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert _wait_for_port(port, 120), "the Ray head did not start"
        env.update(RAY_ADDRESS=f"127.0.0.1:{port}", PYTHONPATH=str(ROOT))
        run = subprocess.run(
            [sys.executable, "-c", _ON_THE_HEAD],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        out = json.loads(run.stdout.strip().splitlines()[-1])
        assert out["executor"] == "RayExecutor"
        assert (out["status"], out["epochs"]) == ("done", 3), out
        assert out["pid"] not in (None, out["me"], os.getpid()), out
    finally:
        head.terminate()  # --block: the head ends the processes it started
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_ray_address_that_does_not_answer_fails_in_seconds_with_words():
    """ray.init on a dead address waits for minutes (measured: still waiting at 120 s);
    a page must not."""
    env = {k: v for k, v in os.environ.items() if k != "RNNVIZ_EXECUTOR"}
    env.update(RAY_ADDRESS=f"127.0.0.1:{_free_port()}", PYTHONPATH=str(ROOT))
    code = (
        "import time; from rnnviz.executors import executor_from_env\nt = time.monotonic()\n"
        "try:\n    executor_from_env()\nexcept ConnectionError as e:\n"
        "    print(round(time.monotonic() - t, 1), e)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=90
    )
    seconds, _, message = run.stdout.strip().partition(" ")
    assert message.startswith(f"No Ray cluster answers at {env['RAY_ADDRESS']} (RAY_ADDRESS):"), (
        run.stdout + run.stderr[-2000:]
    )
    assert message.endswith("or unset RAY_ADDRESS to train on this machine.")
    assert float(seconds) < 10
