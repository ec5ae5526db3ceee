"""The Ray executor: each training job an actor on a Ray cluster, behind the usual handle.

`RayExecutor().submit(spec)` creates one Ray actor per job and returns a `RayJob` at once; the
handle has the surface every executor keeps (rnnviz/executors.py). Ray is the engine: it places the
actor where its resources are free and queues it while none are. Nothing here schedules or queues.

    actor      a `_JobActor` (threaded, max_concurrency 4): it trains with `TrainingJob` in its own
               process, and answers poll / stop / snapshot calls while it trains
    resources  a CPU job asks for num_cpus=1; a GPU job (device "cuda", or "auto" on a cluster with
               GPUs) for num_gpus=RNNVIZ_GPU_FRACTION (default 0.25: four students share one GPU)
    streaming  a follower thread in the caller's process polls the actor every `poll_seconds`
               (0.5 s; every FIRST_POLL_SECONDS until the first epoch's row is in, so the first
               loss point is not up to half a second late) and appends the new history rows;
               reading `history` never waits on Ray
    stop       asks the actor (honoured before its next batch, weights so far kept); a job still
               waiting for a place, or an actor that does not end within `stop_grace` seconds, is
               killed (cancelled) instead
    heartbeat  each poll carries how long ago the page last called heartbeat(); the actor forwards
               fresh beats to its TrainingJob, so a job nobody watches stops itself, also when the
               caller's process is gone. max_seconds is enforced inside the actor by TrainingJob.
    weights    the final state dict comes back when the job ends and is loaded into the submitted
               model (as TrainingJob trains it in place); snapshot_model() fetches at most once a
               second while the job runs
    snapshots  each poll also returns the new weight snapshots on rnnviz.snapshots' grid, the
               held epoch's while the job is paused, and the last poll the latest one, so
               snapshot_at(epoch) never waits on Ray
    pause      pause / step / resume are forwarded to the actor like stop (a job still waiting
               for a place takes a pause along when it starts); each poll says whether it holds

Connecting: one `ray.init` per process. RayExecutor(address) or RAY_ADDRESS joins that cluster (an
address that does not answer fails in seconds, in words); with neither, a local instance starts
(num_cpus = the cores this process may use), for tests and a single machine. Every node of a real
cluster needs rnnviz installed (the same version); on one machine Ray puts the caller's working
directory on the workers' path. Ray 2.60 heads use token authentication when a token exists: give
the head and every app replica the same RAY_AUTH_MODE=token and RAY_AUTH_TOKEN (with an explicit
address Ray does not pick up ~/.ray/auth_token by itself).

Cost per job: a fresh Ray worker process that imports torch (seconds: Ray starts one per actor).
"""

from __future__ import annotations

import copy
import math
import os
import socket
import threading
import time

import ray
from ray.exceptions import RayActorError
from torch import nn

from .errors import UserError
from .executors import JobSpec
from .snapshots import on_grid
from .train import JobProgress, TrainConfig, TrainData, TrainingJob

__all__ = ["RayExecutor", "RayJob", "actor_options", "connect", "gpu_fraction"]

ENDED = ("done", "stopped", "diverged", "failed")
DEFAULT_GPU_FRACTION = 0.25
FIRST_POLL_SECONDS = 0.05  # the follower's poll until the first epoch's row has come
_CONNECT_LOCK = threading.Lock()


def gpu_fraction() -> float:
    """RNNVIZ_GPU_FRACTION (default 0.25): the share of one GPU a GPU job asks Ray for."""
    raw = os.environ.get("RNNVIZ_GPU_FRACTION", "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_GPU_FRACTION
    except ValueError:
        raise ValueError(
            f"RNNVIZ_GPU_FRACTION must be a number above 0 and at most 1 (got {raw!r})"
        ) from None
    if not 0 < value <= 1:
        raise ValueError(f"RNNVIZ_GPU_FRACTION must be above 0 and at most 1 (got {raw!r})")
    return value


def actor_options(
    config: TrainConfig, cluster_gpus: float, fraction: float = DEFAULT_GPU_FRACTION
) -> dict:
    """What a job's actor asks Ray for. A CPU job: one CPU and no GPU. A GPU job (device "cuda", or
    "auto" when the cluster has GPUs): one CPU and `fraction` of a GPU. MPS is a single Mac's, never
    a cluster's: it trains on the CPU there."""
    wants_gpu = config.device == "cuda" or (config.device == "auto" and cluster_gpus > 0)
    if config.device == "cuda" and cluster_gpus <= 0:
        raise UserError(
            "This run asks for a CUDA GPU but the Ray cluster has none; choose the device "
            "'auto' or 'cpu'."
        )
    return {"num_cpus": 1, "num_gpus": fraction if wants_gpu else 0, "max_concurrency": 4}


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _check_reachable(address: str, seconds: float = 3.0) -> None:
    """Fail in seconds, in words, when a host:port address does not answer (ray.init would wait for
    minutes). Other forms ("auto", "ray://...") are left to Ray."""
    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as e:
        raise ConnectionError(
            f"No Ray cluster answers at {address} (RAY_ADDRESS): {e}. Start its head with "
            "`ray start --head`, or unset RAY_ADDRESS to train on this machine."
        ) from None


def connect(address: str | None = None, num_cpus: int | None = None) -> None:
    """Join Ray once per process: `address`, else RAY_ADDRESS, else start a local instance with
    `num_cpus` (default: the cores this process may use).
    A no-op when Ray is already initialised."""
    with _CONNECT_LOCK:
        if ray.is_initialized():
            return
        address = address or os.environ.get("RAY_ADDRESS")
        quiet = {"ignore_reinit_error": True, "log_to_driver": False, "logging_level": "WARNING"}
        if address:
            _check_reachable(address)
            ray.init(address=address, **quiet)
        else:  # "local": never join some other cluster found in /tmp/ray by accident
            ray.init(
                address="local",
                num_cpus=num_cpus or _usable_cores(),
                include_dashboard=False,
                **quiet,
            )


class _JobActor:
    """One training run inside a Ray worker process: a TrainingJob (in its own thread) and the calls
    the handle makes while it trains. Constructed by Ray when the cluster has room for it."""

    def __init__(self, model: nn.Module, data: TrainData, config: TrainConfig):
        self._error = ""
        self._forwarded_beat = time.monotonic()
        try:
            self.job = TrainingJob(model, data, config).start()
        # e.g. a device this node lacks: reported through poll, like a failed run
        except Exception as e:
            self.job = None
            self._error = f"Training failed: {type(e).__name__}: {e}"

    def where(self) -> dict:
        """Where this job runs: Ray's node id, the process id, and which rnnviz it imported."""
        import rnnviz  # noqa: PLC0415

        return {
            "node_id": ray.get_runtime_context().get_node_id(),
            "pid": os.getpid(),
            "rnnviz": rnnviz.__file__,
        }

    def poll(self, since: int, beat_age: float | None, snapshots_after: int = 0) -> dict:
        """The job's status and message, its history rows from index `since` on, whether it is
        paused, and its snapshots of epochs after `snapshots_after` (those on the grid; all once it
        has ended). `beat_age`: seconds since the page last called heartbeat(); a beat newer than
        the last forwarded one is passed to the job (so the job hears it at most one poll late)."""
        if self.job is None:
            return {"status": "failed", "message": self._error, "rows": [], "snapshots": {}}
        if beat_age is not None:
            now = time.monotonic()
            if now - beat_age > self._forwarded_beat:
                self.job.heartbeat()
                self._forwarded_beat = now
        # status first: a message never older than it; paused before the rows and snapshots, so
        # a held job's reply has its held epoch's row and snapshot (which may be off the grid)
        status, message, paused = self.job.status, self.job.message, self.job.paused
        limit, ended = self.job.snapshot_limit, status in ENDED
        rows, kept = self.job.history[since:], self.job.snapshots()
        held = max(kept) if paused else None
        return {
            "status": status,
            "message": message,
            "rows": rows,
            "paused": paused,
            "snapshots": {
                e: state
                for e, state in kept.items()
                if e > snapshots_after and (ended or e == held or on_grid(e, limit))
            },
        }

    def stop(self) -> None:
        if self.job is not None:
            self.job.stop()

    def hold(self, how: str) -> None:
        """ "pause", "step" or "resume" the job."""
        if self.job is not None:
            getattr(self.job, how)()

    def snapshot_state(self) -> dict:
        """The weights of the last finished epoch, on the CPU."""
        return self.job.snapshot_model().state_dict() if self.job is not None else {}

    def final_state(self) -> dict:
        """After the end: the weights the job ended with (best epoch on divergence), on the CPU."""
        if self.job is None:
            return {}
        self.job.join()
        return {k: v.detach().cpu() for k, v in self.job.model.state_dict().items()}


_RemoteJobActor = ray.remote(_JobActor)


class RayJob(JobProgress):
    """The handle of one job on Ray (see the module docstring and rnnviz/executors.py). Also:
    `actor` (the Ray actor handle), `options` (the resources asked for), `node_id` and `pid` (where
    it trains, once Ray has placed it)."""

    def __init__(self, executor: "RayExecutor", spec: JobSpec, actor, options: dict):
        self.id = next(TrainingJob._ids)  # one id sequence with the thread executor's jobs
        self.model, self.data, self.config = spec.model, spec.data, spec.config
        self.actor, self.options = actor, options
        self.node_id: str | None = None
        self.pid: int | None = None
        self.rnnviz_file: str | None = None
        self._executor = executor
        self._lock = threading.Lock()
        # initial weights, snapshot_model and snapshot_at build on it; epoch 0's snapshot
        self._init_snapshots(spec.model, spec.config)
        self._status = "queued"
        self._message = ""
        self._history: list[dict] = []
        self._last_beat = time.monotonic()
        self._stop_asked_at: float | None = None
        self._snapshot: dict | None = None
        self._snapshot_at = -math.inf
        self._first_news = threading.Event()
        self._ended = threading.Event()
        self._thread = threading.Thread(
            target=self._follow, name=f"rnnviz-ray-job-{self.id}", daemon=True
        )

    def start(self) -> "RayJob":
        self._thread.start()
        return self

    # -- control, from any thread --
    def stop(self) -> None:
        """Ask the job to stop before its next batch (a job not yet placed is cancelled)."""
        with self._lock:
            if self._stop_asked_at is None:
                self._stop_asked_at = time.monotonic()
        if self.status == "running":
            try:
                self.actor.stop.remote()
            except Exception:  # the actor is gone: the follower reports it
                pass

    def join(self, timeout: float | None = None) -> "RayJob":
        self._ended.wait(timeout)
        return self

    def pause(self) -> None:
        """Hold after the epoch in progress (see TrainingJob.pause)."""
        self._hold("pause")

    def step(self) -> None:
        """Train exactly one more epoch, then hold again (before it starts: a pause)."""
        self._hold("step")

    def resume(self) -> None:
        self._hold("resume")

    def _hold(self, how: str) -> None:
        with self._lock:
            self._hold_asked = how != "resume"
            if how != "pause":  # going on: not held from now on (see TrainingJob.step)
                self._holding = False
        if self.status == "running":
            try:
                self.actor.hold.remote(how)
            except Exception:  # the actor is gone: the follower reports it
                pass

    def heartbeat(self) -> None:
        self._last_beat = time.monotonic()

    # -- state, safe to read from any thread; never waits on Ray --
    @property
    def queue_position(self) -> int:
        """How many runs must end before this one starts, as far as this process can know: 0 unless
        Ray has not placed it yet; then its place among this executor's unplaced jobs of the same
        kind (CPU or GPU), counting from 1, less the places free on the cluster now (never below 0).
        Jobs other processes (other app replicas) sent to the same cluster are not counted."""
        return self._executor._ahead_of(self) if self.status == "queued" else 0

    def snapshot_model(self) -> nn.Module:
        """A CPU copy with the weights of the last finished epoch: fetched from the actor at most
        once a second while it trains; the final weights after the end."""
        if self._ended.is_set() or self.status in ENDED:  # ended: the model holds its final weights
            clone = copy.deepcopy(self.model).cpu()
            clone.eval()
            return clone
        if self.status == "running" and time.monotonic() - self._snapshot_at >= 1.0:
            try:
                state = ray.get(self.actor.snapshot_state.remote(), timeout=2)
                with self._lock:
                    self._snapshot, self._snapshot_at = state, time.monotonic()
            except Exception:  # busy or gone: the last snapshot (or the initial weights) will do
                pass
        clone = copy.deepcopy(self._template)
        with self._lock:
            state = self._snapshot
        if state:
            clone.load_state_dict(state)
        clone.eval()
        return clone

    # -- the follower thread --
    def _set(self, status: str, message: str | None = None) -> None:
        with self._lock:
            self._status = status
            if message is not None:
                self._message = message

    def _follow(self) -> None:
        try:
            if self._wait_for_placement():
                self._stream()
        except RayActorError as e:
            self._end_lost(e)
        except Exception as e:  # reported through status/message, never raised in the thread
            self._end("failed", f"Training failed on the Ray cluster: {type(e).__name__}: {e}")
        finally:
            self._first_news.set()
            self._ended.set()

    def _wait_for_placement(self) -> bool:
        """1. wait until Ray has placed the actor (it is queued until then); cancel it if stopped,
        or if nobody watches it for heartbeat_timeout while it waits."""
        ready = self.actor.where.remote()
        while True:
            done, _ = ray.wait([ready], timeout=self._executor.poll_seconds)
            if done:
                where = ray.get(ready)
                self.node_id, self.pid, self.rnnviz_file = (
                    where["node_id"],
                    where["pid"],
                    where["rnnviz"],
                )
                self._set("running")
                if self._stop_asked_at is not None:  # asked while it was being placed
                    self.actor.stop.remote()
                if self.pause_asked:  # paused while it waited for a place
                    self.actor.hold.remote("pause")
                return True
            if self._stop_asked_at is not None:
                ray.kill(self.actor)
                self._end("stopped", "Stopped before it started.", kill=False)
                return False
            timeout = self.config.heartbeat_timeout
            # left in the queue
            if timeout is not None and time.monotonic() - self._last_beat > timeout:
                ray.kill(self.actor)
                self._end(
                    "stopped",
                    f"Stopped before it started: nobody was watching for {timeout:g} s "
                    "(the page was closed).",
                    kill=False,
                )
                return False

    def _stream(self) -> None:
        """2. poll the actor: new history rows, status; forward heartbeats; end with its weights."""
        poll = self._executor.poll_seconds
        while True:
            beat_age = time.monotonic() - self._last_beat
            after = self._snapshots.latest
            reply = ray.get(self.actor.poll.remote(self.epochs_done, beat_age, after), timeout=60)
            with self._lock:
                self._history.extend(reply["rows"])
                self._holding = reply.get("paused", False)
                for epoch, state in sorted(reply["snapshots"].items()):
                    self._snapshots.add(epoch, state)
            if reply["rows"]:
                self._first_news.set()
            if reply["status"] in ENDED:
                return self._end_with_weights(reply["status"], reply["message"])
            asked = self._stop_asked_at
            if asked is not None and time.monotonic() - asked > self._executor.stop_grace:
                return self._end_cancelled()
            time.sleep(poll if self._history else min(poll, FIRST_POLL_SECONDS))

    def _end_with_weights(self, status: str, message: str) -> None:
        state = ray.get(self.actor.final_state.remote(), timeout=60)
        if state:
            self.model.load_state_dict(state)
        self.model.eval()
        self._end(status, message)

    def _end_cancelled(self) -> None:
        """The actor did not stop within stop_grace (a batch that long):
        kill it, keep the last snapshot."""
        ray.kill(self.actor)
        epoch = self._keep_snapshot()
        self._end(
            "stopped",
            f"Stopped by you (the run was cancelled: it did not stop within "
            f"{self._executor.stop_grace:g} s). Kept the weights fetched after epoch {epoch}.",
        )

    def _end_lost(self, error: Exception) -> None:
        epoch = self._keep_snapshot()
        kept = (
            f"Kept the weights fetched after epoch {epoch}."
            if epoch
            else "No trained weights were kept."
        )
        self._end(
            "failed",
            "Training failed: the Ray worker running it ended unexpectedly (it was killed, ran out "
            f"of memory, or its machine left the cluster). {kept} Train again.",
        )

    def _keep_snapshot(self) -> int:
        """Load the last fetched snapshot into the model; the epoch it is from (0: none)."""
        with self._lock:
            state, epochs = self._snapshot, len(self._history)
        if state:
            self.model.load_state_dict(state)
        self.model.eval()
        return epochs if state else 0

    def _end(self, status: str, message: str, kill: bool = True) -> None:
        self._set(status, message)
        if kill:  # free its CPU/GPU on the cluster now, not when this handle is collected
            try:
                ray.kill(self.actor)
            except Exception:
                pass
        self._executor._forget(self)


class RayExecutor:
    """Each job an actor on a Ray cluster (see the module docstring). In use:
    `RayExecutor().submit(JobSpec(model, data, config)).join().status` is "done"
    (or how it ended)."""

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        poll_seconds: float = 0.5,
        stop_grace: float = 10.0,
    ):
        connect(address, num_cpus)
        self.poll_seconds = float(poll_seconds)
        self.stop_grace = float(stop_grace)
        self.gpu_fraction = gpu_fraction()
        resources = ray.cluster_resources()
        self.slots = int(resources.get("CPU", 1))  # how many CPU jobs the cluster trains at once
        self._cluster_gpus = float(resources.get("GPU", 0))
        self._lock = threading.Lock()
        self._jobs: list[RayJob] = []  # submitted and not yet ended, in submission order
        self._free: tuple[float, dict] = (-math.inf, {})

    def submit(self, spec: JobSpec) -> RayJob:
        options = actor_options(spec.config, self._cluster_gpus, self.gpu_fraction)
        actor = _RemoteJobActor.options(**options).remote(spec.model, spec.data, spec.config)
        handle = RayJob(self, spec, actor, options)
        with self._lock:
            self._jobs.append(handle)
        return handle.start()

    def shutdown(self) -> None:
        """Stop every job this executor still follows. Ray itself stays up (other executors of this
        process may use it); it goes down with the process."""
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            job.stop()

    # -- for the handles --
    def _forget(self, job: RayJob) -> None:
        with self._lock:
            if job in self._jobs:
                self._jobs.remove(job)

    def _ahead_of(self, job: RayJob) -> int:
        kind = "GPU" if job.options["num_gpus"] else "CPU"
        need = job.options["num_gpus"] if kind == "GPU" else job.options["num_cpus"]
        with self._lock:
            line = [
                j
                for j in self._jobs
                if j.status == "queued" and bool(j.options["num_gpus"]) == (kind == "GPU")
            ]
        if job not in line:
            return 0
        free = int(self._available().get(kind, 0) / need + 1e-9)
        return max(0, line.index(job) + 1 - free)

    def _available(self) -> dict:
        """ray.available_resources(), at most once a second."""
        at, value = self._free
        if time.monotonic() - at > 1.0:
            value = ray.available_resources()
            self._free = (time.monotonic(), value)
        return value
