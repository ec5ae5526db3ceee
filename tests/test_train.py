"""TrainingJob: the seed's hello to 100%, identical histories per seed, stop, divergence, the gate."""
import threading
import time

import pytest
import torch

from rnnviz import Callback, JobGate, ModelConfig, SequenceModel, TrainConfig, TrainData, TrainingJob, tasks
from rnnviz.data import make_char_dataset


def _hello_job(epochs=200, **kw):
    ds = make_char_dataset("hello apple lobby daddy bobby")
    model = tasks.char_model(ds, cell="rnn", hidden_size=8, seed=0)
    cfg = TrainConfig(epochs=epochs, batch_size=0, lr=0.05, seed=0, device="cpu", **kw)
    return ds, TrainingJob(model, tasks.char_train_data(ds), cfg)


def _regression_job(epochs=5, lr=0.01, **kw):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 6, 2, generator=g)
    y = x.sum(dim=(1, 2))[:, None] / 6
    model = SequenceModel(ModelConfig(cell="lstm", input_size=2, hidden_size=8), seed=0)
    data = TrainData(x[:48], y[:48], x[48:], y[48:])
    return TrainingJob(model, data, TrainConfig(epochs=epochs, batch_size=8, lr=lr, device="cpu", **kw))


def test_hello_reaches_full_accuracy_within_200_epochs():
    ds, job = _hello_job()
    job.start().join(60)
    assert job.status == "done", job.message
    rows = tasks.char_predictions(job.model, ds)
    assert [r["predicted"] for r in rows] == ["o", "e", "y", "y", "y"]
    assert job.history[-1]["metric"] == 1.0
    assert len(job.history) == 200


def test_same_seed_same_history():
    a, b = _regression_job().start().join(), _regression_job().start().join()
    keys = ("train_loss", "val_loss", "metric", "grad_norm")
    assert [[r[k] for k in keys] for r in a.history] == [[r[k] for k in keys] for r in b.history]
    c = _regression_job(seed=1).start().join()
    assert a.history[-1]["train_loss"] != c.history[-1]["train_loss"]


def test_history_records_every_field_and_validation():
    job = _regression_job(epochs=3).start().join()
    assert [r["epoch"] for r in job.history] == [1, 2, 3]
    for r in job.history:
        assert r["val_loss"] is not None and r["metric"] == pytest.approx(r["val_loss"] ** 0.5)
        assert r["seconds"] > 0 and r["grad_norm"] > 0


class _StopAfter(Callback):
    def __init__(self, batches):
        self.batches, self.seen = batches, 0

    def on_batch_end(self, job, batch, loss):
        self.seen += 1
        if self.seen == self.batches:
            job.stop()


def test_stop_is_honoured_within_one_batch():
    job = _regression_job(epochs=100)
    cb = _StopAfter(batches=10)
    job.callbacks.append(cb)
    job.start().join(30)
    assert job.status == "stopped" and "Stopped by you" in job.message
    assert cb.seen == 10, "a batch ran after stop()"
    assert len(job.history) == 1  # 6 batches per epoch: stopped during epoch 2


def test_divergence_rolls_back_and_says_lower_the_learning_rate():
    job = _regression_job(epochs=20, lr=1e6, optimizer="sgd", clip_norm=None)
    before = {k: v.clone() for k, v in job.model.state_dict().items()}
    job.start().join(30)
    assert job.status == "diverged", (job.status, job.message)
    assert "Lower the learning rate" in job.message
    kept = len(job.history)
    assert all(torch.isfinite(p).all() for p in job.model.parameters())
    if kept == 0:
        assert all(torch.equal(before[k], v) for k, v in job.model.state_dict().items())


def test_failed_job_reports_the_error():
    model = SequenceModel(ModelConfig(cell="gru", input_size=3, hidden_size=4), seed=0)
    job = TrainingJob(model, TrainData(torch.randn(4, 5, 2), torch.randn(4, 1)), TrainConfig(epochs=2, device="cpu"))
    job.start().join(10)
    assert job.status == "failed" and "RuntimeError" in job.message


def test_heartbeat_timeout_ends_an_abandoned_job():
    job = _regression_job(epochs=10_000, heartbeat_timeout=0.3)
    job.start()
    job.join(10)
    assert job.status == "stopped" and "nobody was watching" in job.message


def test_snapshot_model_is_a_separate_copy():
    job = _regression_job(epochs=2).start().join()
    snap = job.snapshot_model()
    for (k, v), p in zip(snap.state_dict().items(), job.model.state_dict().values()):
        assert torch.equal(v, p), k
    assert snap is not job.model


def test_gate_caps_concurrent_jobs_and_queues_the_rest():
    gate = JobGate(1)
    first = _regression_job(epochs=10_000)
    first.gate = gate
    second = _regression_job(epochs=1)
    second.gate = gate
    first.start()
    deadline = time.time() + 5
    while first.status != "running" and time.time() < deadline:
        time.sleep(0.01)
    second.start()
    time.sleep(0.3)
    assert second.status == "queued" and gate.active == 1
    first.stop()
    second.join(10)
    assert first.status == "stopped" and second.status == "done"


def test_zero_epochs_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        TrainConfig(epochs=0)


def test_wait_for_first_epoch_returns_when_epoch_one_is_recorded():
    gate_open = threading.Event()

    class Hold(Callback):
        def on_train_begin(self, job):
            gate_open.wait(10)

    model = SequenceModel(ModelConfig(cell="rnn", input_size=1, hidden_size=2), seed=0)
    job = TrainingJob(model, TrainData(torch.randn(8, 3, 1), torch.randn(8, 1)), TrainConfig(epochs=2),
                      callbacks=[Hold()]).start()
    assert job.wait_for_first_epoch(0.2) is False and job.epochs_done == 0  # held before epoch 1
    gate_open.set()
    assert job.wait_for_first_epoch(10) is True and job.epochs_done >= 1
    job.join()


def _wait_for(condition, timeout=10.0):
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.01)
    return condition()


def test_queue_position_counts_the_running_job_ahead():
    """1 slot, 3 jobs: A trains (0 ahead), B waits behind A (1 ahead), C behind A and B (2 ahead).
    When A ends, B trains and C has 1 ahead; when B ends, C trains."""
    gate = JobGate(1)
    a, b, c = (_regression_job(epochs=10_000) for _ in range(3))
    for job in (a, b, c):
        job.gate = gate
    try:
        a.start()
        assert _wait_for(lambda: a.status == "running"), a.status
        b.start(), c.start()  # asked at once, before their threads run: already in the line
        assert [j.queue_position for j in (a, b, c)] == [0, 1, 2]
        assert (a.status, b.status, c.status) == ("running", "queued", "queued")
        a.stop()
        assert _wait_for(lambda: b.status == "running"), b.status
        assert [j.queue_position for j in (b, c)] == [0, 1] and c.status == "queued"
        b.stop()
        assert _wait_for(lambda: c.status == "running"), c.status
        assert c.queue_position == 0 and gate.active == 1
    finally:
        for job in (a, b, c):
            job.stop()
            job.join(10)


def test_gate_ahead_of_with_two_slots_counts_the_runs_that_must_end_first():
    gate, never = JobGate(2), threading.Event()
    for job_id in (1, 2):
        assert gate.acquire(job_id, never)
    gate.enqueue(3), gate.enqueue(4)
    assert [gate.ahead_of(i) for i in (1, 2, 3, 4)] == [0, 0, 1, 2]
    gate.release(1)  # one slot free: job 3 is next and starts as soon as its thread asks
    assert [gate.ahead_of(i) for i in (3, 4)] == [0, 1]
