"""Training in a pool of warm worker processes: the app's default executor.

`ProcessExecutor(slots)` starts `slots` worker processes (the "spawn" context) when it is made; each
imports torch, builds one optimizer (torch's lazy imports happen then, not in a user's job), sets
its torch threads so that workers x threads <= cores, and caps its own memory (RLIMIT_AS: its
virtual size with torch imported, plus `job_memory_mb`). `submit(spec)` returns a `ProcessJob` at
once; the job waits in a FIFO queue until a worker is free, which then runs `TrainingJob` on it and
streams back every epoch's record, the weight snapshots to scrub through (those on rnnviz.snapshots'
grid as they are made, the held epoch's when a pause begins, the last one at the end) and, at most
twice a second, at a pause and at the end, the latest weights. Pause, step and resume travel like
stop: lock-free shared numbers.

What it deliberately leaves to others: the loop itself (rnnviz.train; a worker only uses
TrainingJob's public API), where a job runs beyond this machine (rnnviz.ray_executor).

One worker runs one job, so a runaway job (memory, a segfault, os._exit, SIGKILL) ends only its own
worker: its handle says "failed" with the reason in words, a fresh worker takes its place, and every
other job trains on. A job past its time limit (config.max_seconds) stops itself in the worker; one
that does not within HARD_KILL_GRACE seconds more is killed from here.

A separate view worker runs heavy views (`run_view(fn, *args)`: the PCA path over every window, ...)
so that a view never waits behind training and never runs in the web process.

IPC: pipes carrying bytes pickled here, between our own processes only (never for a user's file).
The messages carry tensors as numpy arrays (`dumps`): torch pickles each tensor's storage through
torch.save, and an epoch's record with its weights took 10x longer to write and read that way, in
the worker and in the web process's reader threads, for every epoch of every job. A job's spec is
pickled by torch (its windows share one storage, which torch keeps shared). Stop and heartbeat are
lock-free shared numbers, so a worker killed at any moment can never leave a lock held that the
web process would then wait on.
"""

from __future__ import annotations

import atexit
import copy
import copyreg
import io
import logging
import math
import multiprocessing as mp
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from .executors import JobSpec
from .snapshots import on_grid
from .train import JobProgress

log = logging.getLogger("rnnviz.jobs")

__all__ = ["ProcessExecutor", "ProcessJob", "usable_cores", "threads_per_worker", "WorkerLost"]

WEIGHTS_EVERY = 0.5  # seconds between two weight snapshots streamed back while a job trains
HARD_KILL_GRACE = 10.0  # seconds past a job's max_seconds before its worker is killed from outside
POLL = 0.1  # seconds a reader thread waits for news before checking its worker is alive
VIEW_SECONDS = 60.0  # the longest a heavy view may take before its worker is killed
# workers yield the CPU to the web process: pages and the health probe answer first
WORKER_NICE = 10


def _as_array(tensor: torch.Tensor):
    """A tensor pickled as the numpy array of its values, read back with torch.from_numpy (the
    same dtype, shape and values); one numpy cannot hold (bfloat16, sparse) as torch pickles it."""
    try:
        return torch.from_numpy, (tensor.detach().cpu().numpy(),)
    except (TypeError, RuntimeError):
        return tensor.__reduce_ex__(pickle.DEFAULT_PROTOCOL)


class _Pickler(pickle.Pickler):
    dispatch_table = {**copyreg.dispatch_table, torch.Tensor: _as_array}


def dumps(obj) -> bytes:
    """obj pickled with its tensors as numpy arrays (module docs); pickle.loads reads it back."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


class WorkerLost(RuntimeError):
    """A worker process ended in the middle of a job or a view."""


# -- sizing ----------------------------------------------------------------------------------------


def _cgroup_cpus(root: Path) -> float | None:
    """CPUs the cgroup quota allows (cgroup v2 cpu.max "quota period", v1 cpu.cfs_quota_us and
    cpu.cfs_period_us), or None when there is no quota."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    for v1 in (root / "cpu", root / "cpu,cpuacct", root):
        try:
            quota = int((v1 / "cpu.cfs_quota_us").read_text())
            period = int((v1 / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return None if quota <= 0 or period <= 0 else quota / period
    return None


def usable_cores(
    cgroup_root: str | Path = "/sys/fs/cgroup", affinity: set[int] | None = None
) -> int:
    """The cores this process may really use: the CPUs it is allowed to run on (sched_getaffinity),
    fewer when a cgroup quota allows less (a container limited to 2.5 CPUs gets 2). At least 1.
    Not os.cpu_count(), which counts every core of the machine."""
    if affinity is None:
        affinity = (
            os.sched_getaffinity(0)
            if hasattr(os, "sched_getaffinity")
            else set(range(os.cpu_count() or 1))
        )
    cores = max(1, len(affinity))
    quota = _cgroup_cpus(Path(cgroup_root))
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return cores


def threads_per_worker(workers: int, cores: int) -> int:
    """torch threads for each of `workers` so that workers x threads <= cores (at least 1)."""
    return max(1, cores // max(1, workers))


# -- the worker process ----------------------------------------------------------------------------


def _virtual_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _cap_memory(extra_mb: int) -> int:
    """Cap this process's address space at its size now plus `extra_mb`; the cap (0: none)."""
    try:
        import resource  # noqa: PLC0415  (POSIX only)
    except ImportError:
        return 0
    if extra_mb <= 0:
        return 0
    cap = _virtual_bytes() + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return cap


class _Relay:
    """A TrainingJob callback, in the worker: stop, heartbeat, pause and step from the web process
    before every batch and while paused; every epoch's record, its snapshot when it is on the grid,
    and the weights now and then, back to it."""

    def __init__(self, job_id: int, send: Callable, flags: "_Flags"):
        self.job_id, self.send, self.flags = job_id, send, flags
        self.stop_flag, self.beat = flags.stop, flags.beat
        self.seen_beat = flags.beat.value
        self.seen_steps = flags.steps.value
        self.sent_weights_at = -math.inf

    def on_train_begin(self, job) -> None:
        # asked before it started: stop before the first batch
        if self.stop_flag.value == self.job_id:
            job.stop()
        self.send(("running", None))

    def on_batch_end(self, job, batch, loss) -> None:
        if self.stop_flag.value == self.job_id:
            job.stop()
        if self.beat.value != self.seen_beat:
            self.seen_beat = self.beat.value
            job.heartbeat()
        steps = self.flags.steps.value
        if steps != self.seen_steps:  # Step pressed (once or more) since the last look
            self.seen_steps = steps
            job.step()
        elif self.flags.hold.value == self.job_id:
            if not job.pause_asked:
                job.pause()
        elif job.pause_asked:
            job.resume()

    def on_epoch_end(self, job, record) -> None:
        self.on_batch_end(job, None, None)
        now = time.monotonic()
        weights = None
        if now - self.sent_weights_at >= WEIGHTS_EVERY:
            self.sent_weights_at = now
            weights = job.snapshot_model().state_dict()
        epoch = record["epoch"]
        snapshot = job.snapshots().get(epoch) if on_grid(epoch, job.snapshot_limit) else None
        self.send(("epoch", (record, weights, snapshot)))

    def on_hold(self, job, holding: bool) -> None:
        """Holding: with the held epoch's snapshot (epoch, state), which may be off the grid, so
        that a paused page can show it; going on: with None."""
        latest = max(job.snapshots().items()) if holding else None
        self.send(("hold", (holding, latest)))

    def on_wait(self, job) -> None:
        self.on_batch_end(job, None, None)

    def on_train_end(self, job) -> None: ...


def _run_job(
    spec: JobSpec, job_id: int, send: Callable, flags: "_Flags", threads: int, memory_mb: int
) -> None:
    from .train import TrainingJob  # noqa: PLC0415

    config = copy.copy(spec.config)
    config.threads = min(int(config.threads or threads), threads)
    job = TrainingJob(spec.model, spec.data, config, callbacks=[_Relay(job_id, send, flags)])
    job.start().join()
    weights = {k: v.detach().cpu() for k, v in job.model.state_dict().items()}
    last = max(job.snapshots().items())  # (epoch, state): the latest, which may be off the grid
    message = _in_words(job.status, job.message, memory_mb)
    send(("end", (job.status, message, weights, last)))


def _in_words(status: str, message: str, memory_mb: int) -> str:
    """The job's ending; a memory allocation refused by the cap said in the user's terms."""
    if status == "failed" and ("can't allocate memory" in message or "MemoryError" in message):
        return (
            "Training failed: this run needs more memory than this server allows each run "
            f"({memory_mb} MB). "
            "Use fewer hidden units or layers, a shorter window or a smaller batch."
        )
    return message


def _run_view(fn: Callable, args: tuple, send: Callable) -> None:
    try:
        result = fn(*args)
    except Exception as e:  # the page shows it; the worker lives on
        send(("view_error", e if _picklable(e) else RuntimeError(f"{type(e).__name__}: {e}")))
        return
    send(("view", result))


def _picklable(obj) -> bool:
    try:
        pickle.dumps(obj)
        return True
    except Exception:
        return False


def _worker_main(inbox, outbox, flags: "_Flags", threads: int, memory_mb: int) -> None:
    """A worker's life: warm up, say so, then one message at a time until told to stop (None) or the
    web process is gone."""
    os.nice(WORKER_NICE)
    torch.set_num_threads(threads)
    # torch's lazy imports, now rather than in a job
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])

    def send(message) -> None:
        outbox.send_bytes(dumps(message))

    cap = _cap_memory(memory_mb)
    try:
        send(("ready", (os.getpid(), cap)))
        while True:
            kind, job_id, payload = pickle.loads(inbox.recv_bytes())
            if kind == "quit":
                return
            if kind == "job":
                _run_job(pickle.loads(payload), job_id, send, flags, threads, memory_mb)
            else:
                _run_view(*payload, send)
    except (EOFError, OSError):  # the web process is gone (or shut us down): nobody to train for
        return


_SPAWNING = threading.Lock()


def _start_without_main(process) -> None:
    """Start a spawned process that does not import this process's __main__ first. A spawned child
    normally re-imports it; under Streamlit that is the app script itself (which would start a pool
    of its own), under AppTest too. A worker needs only rnnviz, found through sys.path as here."""
    import multiprocessing.spawn as spawn  # noqa: PLC0415

    with _SPAWNING:
        usual = spawn.get_preparation_data

        def without_main(name):
            data = usual(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        spawn.get_preparation_data = without_main
        try:
            process.start()
        finally:
            spawn.get_preparation_data = usual


class _Flags:
    """The numbers the web process writes and a worker reads (lock-free shared values)."""

    def __init__(self, ctx):
        self.stop = ctx.RawValue("q", 0)  # the id of the job asked to stop
        # the latest heartbeat (time.monotonic(), shared by the machine)
        self.beat = ctx.RawValue("d", 0.0)
        self.hold = ctx.RawValue("q", 0)  # the id of the job asked to pause (0: none)
        self.steps = ctx.RawValue("q", 0)  # Step presses for the job now training


class _Worker:
    """The web process's side of one worker: its process, pipes and shared flags."""

    def __init__(self, ctx, threads: int, memory_mb: int, name: str):
        self.inbox_r, self.inbox = ctx.Pipe(duplex=False)
        self.outbox, outbox_w = ctx.Pipe(duplex=False)
        self.flags = _Flags(ctx)
        self.stop_flag, self.beat = self.flags.stop, self.flags.beat
        self.process = ctx.Process(
            target=_worker_main,
            name=name,
            daemon=True,
            args=(self.inbox_r, outbox_w, self.flags, threads, memory_mb),
        )
        _start_without_main(self.process)
        outbox_w.close()  # only the worker writes: its death then reads as EOF here
        self.inbox_r.close()
        self.ready = threading.Event()
        self.job: ProcessJob | None = None
        self.started_at = 0.0

    def send(self, kind: str, job_id: int, payload) -> None:
        self.inbox.send_bytes(dumps((kind, job_id, payload)))

    def receive(self, timeout: float):
        """The next message, None if none came within `timeout`; EOFError if the worker is gone."""
        if self.outbox.poll(timeout):
            return pickle.loads(self.outbox.recv_bytes())
        if not self.process.is_alive():
            raise EOFError
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def death(self) -> str:
        """How the process ended, in words."""
        self.process.join(1)
        code = self.process.exitcode
        if code is None:
            return "it stopped answering"
        if code < 0:
            try:
                import signal  # noqa: PLC0415

                return f"it was ended by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"it was ended by signal {-code}"
        return f"it exited with code {code}"


# -- the handle ------------------------------------------------------------------------------------


class ProcessJob(JobProgress):
    """A job submitted to a ProcessExecutor: the same surface as TrainingJob (see rnnviz.executors),
    plus `worker_pid`, the process it trains in. Its snapshots arrive with the epochs' records."""

    _ids = iter(range(1, 1 << 62))

    def __init__(self, executor: "ProcessExecutor", spec: JobSpec):
        self.id = next(ProcessJob._ids)
        self.model, self.data, self.config = spec.model, spec.data, spec.config
        self.worker_pid: int | None = None
        self._executor = executor
        self._init_snapshots(spec.model, spec.config)
        self._payload = pickle.dumps(spec)  # made now: the page may change its model afterwards
        self._lock = threading.Lock()
        self._status, self._message = "queued", ""
        self._history: list[dict] = []
        self._weights: dict | None = None
        self._last_beat = time.monotonic()
        self._stop_asked = False
        self._ended = threading.Event()
        self._first_news = threading.Event()
        # wall clock (what the server's log shows)
        self.submitted_at, self.started_at = time.time(), None

    # -- control --
    def stop(self) -> None:
        """Ask the job to stop; it does so before its next batch (or before it starts)."""
        self._stop_asked = True
        self._executor._stop(self)

    def join(self, timeout: float | None = None) -> "ProcessJob":
        self._ended.wait(timeout)
        return self

    def pause(self) -> None:
        """Hold after the epoch in progress (see TrainingJob.pause)."""
        self._control(hold=True)

    def step(self) -> None:
        """Train exactly one more epoch, then hold again (before it starts: a pause)."""
        self._control(hold=True, step=True)

    def resume(self) -> None:
        self._control(hold=False)

    def _control(self, hold: bool, step: bool = False) -> None:
        with self._lock:
            self._hold_asked = hold
            if step or not hold:  # going on: not held from now on (see TrainingJob.step)
                self._holding = False
        self._executor._hold(self, hold, step)

    def heartbeat(self) -> None:
        self._last_beat = time.monotonic()
        self._executor._beat(self)

    # -- state --
    @property
    def queue_position(self) -> int:
        return self._executor._ahead_of(self) if self.status == "queued" else 0

    def snapshot_model(self) -> nn.Module:
        """A CPU copy of the model with the latest weights streamed back (else the initial ones)."""
        with self._lock:
            weights = self._weights
        clone = copy.deepcopy(self._template)
        if weights is not None:
            clone.load_state_dict(weights)
        clone.eval()
        return clone

    # -- news from the worker (the executor's reader threads) --
    def _news(self, kind: str, payload) -> None:
        if kind == "running":
            with self._lock:
                self._status = "running"
        elif kind == "epoch":
            record, weights, snapshot = payload
            with self._lock:
                self._history.append(record)
                if weights is not None:
                    self._weights = weights
                if snapshot is not None:
                    self._snapshots.add(record["epoch"], snapshot)
            self._first_news.set()
        elif kind == "hold":
            holding, latest = payload
            with self._lock:
                if latest is not None:  # the held epoch's weights: its snapshot, the latest ones
                    self._snapshots.add(*latest)
                    self._weights = latest[1]
                self._holding = holding
        elif kind == "end":
            status, message, weights, (epoch, snapshot) = payload
            self.model.load_state_dict(weights)
            self.model.eval()
            with self._lock:
                self._snapshots.add(epoch, snapshot)
            self._finish(status, message, weights)

    def _finish(self, status: str, message: str, weights: dict | None = None) -> None:
        with self._lock:
            self._status, self._message = status, message
            self._holding = False
            if weights is not None:
                self._weights = weights
        self._first_news.set()
        self._ended.set()
        now = time.time()
        started = self.started_at if self.started_at is not None else now
        with self._lock:
            in_epochs = sum(r["seconds"] for r in self._history)
        log.info(
            "job %d %s: %d epochs, waited %.2f s for a worker, trained %.2f s (worker %s; "
            "%.2f s inside its epochs)",
            self.id,
            status,
            self.epochs_done,
            started - self.submitted_at,
            now - started,
            self.worker_pid,
            in_epochs,
        )


# -- the executor ----------------------------------------------------------------------------------


class ProcessExecutor:
    """Jobs in a pool of `slots` warm worker processes (default: the cores this process may use);
    the rest wait in arrival order. One more worker runs heavy views (`run_view`)."""

    name = "process"

    def __init__(
        self, slots: int | None = None, job_memory_mb: int | None = None, view_worker: bool = True
    ):
        from .limits import Limits  # noqa: PLC0415

        cores = usable_cores()
        self.slots = int(slots or cores)
        self.threads = threads_per_worker(self.slots, cores)
        self.job_memory_mb = int(
            job_memory_mb if job_memory_mb is not None else Limits.from_env().job_memory_mb
        )
        self._ctx = mp.get_context("spawn")
        self._lock = threading.RLock()
        self._queue: deque[ProcessJob] = deque()
        self._closed = False
        # runs before multiprocessing ends the workers: none is then replaced
        atexit.register(self._exiting)
        self._workers = [self._start_worker(i) for i in range(self.slots)]
        self._view_lock = threading.Lock()
        self._view_worker = self._new_worker("rnnviz-view") if view_worker else None

    # -- the contract --
    def submit(self, spec: JobSpec) -> ProcessJob:
        if self._closed:
            raise RuntimeError("this executor was shut down")
        job = ProcessJob(self, spec)
        with self._lock:
            self._queue.append(job)
            self._dispatch()
        return job

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until every training worker has started and warmed up; False if `timeout` passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for w in list(self._workers):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not w.ready.wait(left):
                return False
        return True

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            queued, self._queue = list(self._queue), deque()
            workers = list(self._workers) + ([self._view_worker] if self._view_worker else [])
        for job in queued:
            job._finish("stopped", "Stopped before it started: the server is shutting down.")
        for w in workers:
            try:
                w.send("quit", 0, None)
            except OSError:
                pass
        for w in workers:
            w.process.join(2)
            w.kill()
            if w.job is not None:
                w.job._finish("failed", "Training failed: the server shut down while it trained.")

    def _exiting(self) -> None:
        self._closed = True

    def run_view(self, fn: Callable, *args, timeout: float = VIEW_SECONDS):
        """fn(*args) in the view worker (fn and args picklable); its result, or its exception raised
        here. Past `timeout` seconds (waiting for the worker included) the worker is replaced and
        TimeoutError raised; WorkerLost if the worker died (out of memory, ...)."""
        if self._view_worker is None:
            return fn(*args)
        deadline = time.monotonic() + timeout
        if not self._view_lock.acquire(timeout=timeout):
            raise TimeoutError(
                f"the server is busy with other views; try again in a moment (waited {timeout:g} s)"
            )
        try:
            w = self._view_worker
            w.send("view", 0, (fn, args))
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._replace_view_worker()
                    raise TimeoutError(f"this view took longer than {timeout:g} s and was stopped")
                try:
                    message = w.receive(min(left, POLL))
                except EOFError:
                    why = w.death()
                    self._replace_view_worker()
                    raise WorkerLost(
                        f"the process computing this view ended ({why}); it may need more memory "
                        f"than this server allows ({self.job_memory_mb} MB)"
                    ) from None
                if message is None or message[0] == "ready":
                    continue
                kind, result = message
                if kind == "view_error":
                    raise result
                return result
        finally:
            self._view_lock.release()

    # -- the pool --
    def _new_worker(self, name: str) -> _Worker:
        return _Worker(self._ctx, self.threads, self.job_memory_mb, name)

    def _start_worker(self, index: int) -> _Worker:
        w = self._new_worker(f"rnnviz-worker-{index}")
        threading.Thread(
            target=self._read, args=(w,), name=f"rnnviz-reader-{index}", daemon=True
        ).start()
        return w

    def _replace_view_worker(self) -> None:
        self._view_worker.kill()
        self._view_worker = self._new_worker("rnnviz-view")

    def _dispatch(self) -> None:
        """Give queued jobs to idle ready workers, in arrival order (called with the lock held)."""
        for w in self._workers:
            if not self._queue:
                return
            if w.job is None and w.ready.is_set():
                job = self._queue.popleft()
                if job._stop_asked:
                    job._finish("stopped", "Stopped before it started.")
                    continue
                self._start_on(w, job)

    def _start_on(self, w: _Worker, job: ProcessJob) -> None:
        c = job.config
        if (
            c.heartbeat_timeout is not None
            and time.monotonic() - job._last_beat > c.heartbeat_timeout
        ):
            job._finish(
                "stopped",
                f"Stopped before it started: nobody was watching for {c.heartbeat_timeout:g} s "
                "(the page was closed).",
            )
            return
        w.job, w.started_at = job, time.monotonic()
        job.started_at = time.time()
        w.stop_flag.value = 0
        w.beat.value = job._last_beat
        w.flags.steps.value = 0
        w.flags.hold.value = job.id if job._hold_asked else 0  # paused before it started
        job.worker_pid = w.process.pid
        with job._lock:
            job._status = "running"
        w.send("job", job.id, job._payload)

    def _ahead_of(self, job: ProcessJob) -> int:
        """Runs that must end before `job` starts: its place in line less the workers free now."""
        with self._lock:
            try:
                place = self._queue.index(job) + 1
            except ValueError:
                return 0
            # idle, or warming up: none to wait for
            free = sum(1 for w in self._workers if w.job is None)
            return max(0, place - free)

    def _stop(self, job: ProcessJob) -> None:
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                job._finish("stopped", "Stopped before it started.")
                self._dispatch()
                return
            for w in self._workers:
                if w.job is job:
                    w.stop_flag.value = job.id

    def _hold(self, job: ProcessJob, hold: bool, step: bool) -> None:
        """Pause (hold), Step (hold, one more epoch) or Resume the worker training `job`; a job
        still queued takes its pause along when it starts (_start_on)."""
        with self._lock:
            for w in self._workers:
                if w.job is job:
                    w.flags.hold.value = job.id if hold else 0
                    if step:
                        w.flags.steps.value += 1

    def _beat(self, job: ProcessJob) -> None:
        for w in self._workers:
            if w.job is job:
                w.beat.value = job._last_beat

    def _read(self, w: _Worker) -> None:
        """A reader thread: one per worker, for its life; replaces the worker when it dies."""
        while True:
            try:
                message = w.receive(POLL)
            except EOFError:
                return self._worker_died(w, w.death())
            if message is None:
                if self._past_time_limit(w):
                    w.kill()
                    return self._worker_died(
                        w, "it went on past the time limit and was stopped by force"
                    )
                continue
            kind, payload = message
            if kind == "ready":
                w.ready.set()
                with self._lock:
                    self._dispatch()
                continue
            job = w.job
            if job is None:
                continue
            job._news(kind, payload)
            if kind == "end":
                with self._lock:
                    w.job = None
                    self._dispatch()

    def _past_time_limit(self, w: _Worker) -> bool:
        job = w.job
        return (
            job is not None
            and job.config.max_seconds is not None
            and time.monotonic() - w.started_at > job.config.max_seconds + HARD_KILL_GRACE
        )

    def _worker_died(self, w: _Worker, why: str) -> None:
        with self._lock:
            job, w.job = w.job, None
            if job is not None:
                job._finish(
                    "failed",
                    f"Training failed: the process training this run ended ({why}). It may have "
                    "needed more memory than this server allows each run "
                    f"({self.job_memory_mb} MB) "
                    "or more time; try a smaller model or fewer epochs. The server goes on.",
                )
            if self._closed:
                return
            index = self._workers.index(w)
            self._workers[index] = self._start_worker(index)
