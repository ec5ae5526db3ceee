"""TrainingJob: the seed's hello to 100%, identical histories per seed, stop, divergence, gate."""

import math
import threading
import time
from pathlib import Path

import pytest
import torch

from rnnviz import (
    Callback,
    JobGate,
    ModelConfig,
    SequenceModel,
    TrainConfig,
    TrainData,
    TrainingJob,
    cli,
    data,
    predict,
    tasks,
)
from rnnviz.data import make_char_dataset
from rnnviz.train import HISTORY_COLUMNS, Weights, fit, resolve_device


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
    return TrainingJob(
        model, data, TrainConfig(epochs=epochs, batch_size=8, lr=lr, device="cpu", **kw)
    )


def test_hello_reaches_full_accuracy_within_200_epochs():
    ds, job = _hello_job()
    job.start().join(60)
    assert job.status == "done", job.message
    rows = tasks.char_predictions(job.model, ds)
    assert [r["predicted"] for r in rows] == ["o", "e", "y", "y", "y"]
    assert job.history[-1]["train_accuracy"] == 1.0
    assert len(job.history) == 200


def test_same_seed_same_history():
    a, b = _regression_job().start().join(), _regression_job().start().join()
    keys = ("train_loss", "val_loss", "val_rmse", "grad_norm")
    assert [[r[k] for k in keys] for r in a.history] == [[r[k] for k in keys] for r in b.history]
    c = _regression_job(seed=1).start().join()
    assert a.history[-1]["train_loss"] != c.history[-1]["train_loss"]


def test_history_records_every_field_and_validation():
    job = _regression_job(epochs=3).start().join()
    assert [r["epoch"] for r in job.history] == [1, 2, 3]
    for r in job.history:
        assert r["val_loss"] is not None and r["val_rmse"] == pytest.approx(r["val_loss"] ** 0.5)
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
    job = TrainingJob(
        model,
        TrainData(torch.randn(4, 5, 2), torch.randn(4, 1)),
        TrainConfig(epochs=2, device="cpu"),
    )
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
    job = TrainingJob(
        model,
        TrainData(torch.randn(8, 3, 1), torch.randn(8, 1)),
        TrainConfig(epochs=2),
        callbacks=[Hold()],
    ).start()
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


# -- divergence that gradient clipping keeps finite (issue 12, point 7) ----------------------------
# The Nile's annual flow at Aswan, 1871-1970, in 10^8 m^3 (Durbin & Koopman; R's datasets::Nile).
NILE = [
    1120,
    1160,
    963,
    1210,
    1160,
    1160,
    813,
    1230,
    1370,
    1140,
    995,
    935,
    1110,
    994,
    1020,
    960,
    1180,
    799,
    958,
    1140,
    1100,
    1210,
    1150,
    1250,
    1260,
    1220,
    1030,
    1100,
    774,
    840,
    874,
    694,
    940,
    833,
    701,
    916,
    692,
    1020,
    1050,
    969,
    831,
    726,
    456,
    824,
    702,
    1120,
    1100,
    832,
    764,
    821,
    768,
    845,
    864,
    862,
    698,
    845,
    744,
    796,
    1040,
    759,
    781,
    865,
    845,
    944,
    984,
    897,
    822,
    1010,
    771,
    676,
    649,
    846,
    812,
    742,
    801,
    1040,
    860,
    874,
    848,
    890,
    744,
    749,
    838,
    1050,
    918,
    986,
    797,
    923,
    975,
    815,
    1020,
    906,
    901,
    1170,
    912,
    746,
    919,
    718,
    714,
    740,
]
ASSETS = Path(__file__).resolve().parents[1] / "assets"
SEATTLE = (ASSETS / "seattle-weather.csv", "temp_max", ["temp_max", "temp_min", "wind"])
EMPLOYMENT = (ASSETS / "us-employment.csv", "nonfarm", ["nonfarm"])


@pytest.fixture(scope="module")
def nile_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nile") / "nile.csv"
    path.write_text("year,flow\n" + "".join(f"{1871 + i},{v}\n" for i, v in enumerate(NILE)))
    return path


def _forecast_job(
    path,
    target,
    features,
    window=20,
    cell="lstm",
    nonlinearity="tanh",
    optimizer="adam",
    lr=1e-2,
    epochs=30,
    scaler="minmax",
    callbacks=(),
):
    """A job as the Forecast page builds it; its defaults: LSTM, 16 units, batch 32, Adam 0.01,
    30 epochs."""
    ds = data.make_forecast_dataset(
        data.read_csv(path),
        data.ForecastConfig(target=target, features=features, window=window, scaler=scaler),
    )
    model = tasks.forecast_model(ds, cell, 16, 1, "last", nonlinearity, seed=0)
    cfg = TrainConfig(
        epochs=epochs, batch_size=32, lr=lr, optimizer=optimizer, seed=0, device="cpu"
    )
    return ds, TrainingJob(model, tasks.forecast_train_data(ds), cfg, callbacks=list(callbacks))


def _assert_kept_the_best_epoch(job, ds):
    """The message names the epoch of lowest validation loss; the model holds that epoch's weights:
    its validation loss, recomputed here, is the one the history recorded for that epoch."""
    losses = [r["val_loss"] for r in job.history]
    best = min(range(len(losses)), key=losses.__getitem__) + 1
    assert (
        f"The weights kept are those of epoch {best}, the epoch with the lowest validation loss."
        in job.message
    )
    x_val, y_val = ds.part("val")
    for model in (job.model, job.snapshot_model()):
        recomputed = float(torch.nn.functional.mse_loss(predict(model, x_val), y_val))
        assert recomputed == pytest.approx(losses[best - 1], rel=1e-4), (
            recomputed,
            losses[best - 1],
        )


def test_runaway_learning_rate_on_nile_is_diverged_not_done(nile_csv):
    """Adam at lr 1e6: clipping keeps every loss finite (the old NaN guard saw nothing), the test
    RMSE was 1.4e9."""
    ds, job = _forecast_job(nile_csv, "flow", ["flow"], lr=1e6, epochs=50)
    job.start().join(60)
    assert all(math.isfinite(r["train_loss"]) and math.isfinite(r["val_loss"]) for r in job.history)
    assert job.status == "diverged", (job.status, job.message)
    assert job.message.startswith(
        "Training diverged: the model's predictions on the validation part lie far "
        "outside the values it learnt from"
    ), job.message
    assert "Lower the learning rate (it is 1e+06) and train again." in job.message
    assert len(job.history) == 50  # it trained to the end: the verdict is on the finished run
    _assert_kept_the_best_epoch(job, ds)


def test_sgd_relu_lr_10_predicting_250_degrees_on_seattle_is_diverged():
    """The page's Seattle sample, RNN/relu, SGD, lr 10: every ReLU dies; the model says 255 °C."""
    ds, job = _forecast_job(
        *SEATTLE, cell="rnn", nonlinearity="relu", optimizer="sgd", lr=10.0, epochs=5
    )
    job.start().join(120)
    test_x, _ = ds.part("test")
    degrees = ds.inverse(predict(job.model, test_x))
    # the case as reported: far above any Seattle maximum (35.6 °C)
    assert degrees.min() > 200, degrees.min()
    assert job.status == "diverged", (job.status, job.message)
    assert (
        "lie far outside the values it learnt from "
        "(typically 5.9 times their whole range beyond them)" in job.message
    ), job.message
    assert "Lower the learning rate (it is 10) and train again." in job.message
    _assert_kept_the_best_epoch(job, ds)


def test_a_model_that_training_made_worse_than_untrained_and_10x_the_baseline_is_diverged():
    """Rule 2b: RNN/relu, SGD at lr 3 on Seattle: dead ReLUs, the validation loss flat at about
    1.5 from epoch 1 (so not 10 times epoch 1's), hundreds of times persistence's, and above what
    the untrained model scored on the same windows (computed here from a second model with the
    same seed, before any step)."""
    ds, job = _forecast_job(
        *SEATTLE, window=14, cell="rnn", nonlinearity="relu", optimizer="sgd", lr=3.0
    )
    _, untrained = _forecast_job(
        *SEATTLE, window=14, cell="rnn", nonlinearity="relu", optimizer="sgd", lr=3.0
    )
    x_val, y_val = ds.part("val")
    before = float(((predict(untrained.model, x_val).reshape(y_val.shape) - y_val) ** 2).mean())
    job.start().join(120)
    first, last = job.history[0]["val_loss"], job.history[-1]["val_loss"]
    base = job.data.baseline_loss
    assert last < 10 * first and last > 10 * base and last > before, (first, last, before)
    assert job.status == "diverged", (job.status, job.message)
    y = job.data.y
    constant = float(((y - y.mean(0)) ** 2).mean())
    train = job.history[-1]["train_loss"]
    assert train > constant, (train, constant)
    assert (
        f"the validation loss ended at {last:.3g}, more than 10 times the baseline's {base:.3g} "
        f"and above the untrained model's {before:.3g}, and the training loss at {train:.3g}, "
        f"above the {constant:.3g} of always predicting the training mean: training made it worse"
        in job.message
    ), job.message
    _assert_kept_the_best_epoch(job, ds)


def test_a_trend_the_model_cannot_extrapolate_is_not_called_diverged():
    """Rule 2b leaves alone a model that fits its training rows: US employment at the level,
    whose later values leave the training range, ends far above persistence on validation but
    low on training."""
    ds, job = _forecast_job(*EMPLOYMENT, window=11)
    job.start().join(120)
    assert job.status == "done", (job.status, job.message)


def test_validation_loss_ending_10x_above_epoch_1_and_the_baseline_is_diverged():
    """Rule 2: LSTM, SGD at lr 1 on US employment: the validation loss climbs from 0.017 to 0.56."""
    ds, job = _forecast_job(*EMPLOYMENT, window=11, optimizer="sgd", lr=1.0)
    job.start().join(60)
    first, last = job.history[0]["val_loss"], job.history[-1]["val_loss"]
    base = job.data.baseline_loss
    assert last > 10 * first and last > 10 * base, (first, last, base)
    assert job.status == "diverged", (job.status, job.message)
    assert job.message.startswith(
        f"Training diverged: the validation loss ended at {last:.3g}, more than 10 times "
        f"epoch 1's {first:.3g} and the baseline's {base:.3g}."
    ), job.message
    _assert_kept_the_best_epoch(job, ds)


def test_forecast_train_data_baseline_loss_is_persistence_on_the_validation_part():
    table = data.read_csv(EMPLOYMENT[0])
    ds = data.make_forecast_dataset(table, data.ForecastConfig(target="nonfarm", window=11))
    val = ds.parts["val"]
    # independent: min-max scale by hand, fit on the rows the training windows touch
    # (n_train + window + horizon - 1)
    seen = table["nonfarm"].to_numpy()[: ds.parts["train"].stop + 11]
    scaled_errors = (ds.baseline[val] - ds.actual[val]) / (seen.max() - seen.min())
    assert tasks.forecast_train_data(ds).baseline_loss == pytest.approx(
        float((scaled_errors**2).mean()), rel=1e-6
    )


@pytest.mark.parametrize("sample", [SEATTLE, EMPLOYMENT], ids=["seattle", "us-employment"])
def test_default_settings_on_the_bundled_samples_stay_done(sample):
    path, target, features = sample
    rows = len(data.read_csv(path))
    # the page's default window
    _, job = _forecast_job(path, target, features, window=min(20, rows // 10))
    job.start().join(180)
    assert job.status == "done", (job.status, job.message)


def test_unscaled_targets_far_from_zero_are_not_called_diverged():
    """Scaling 'none': the untrained model predicts about 0 where the targets are about 130,000.
    Three epochs do not get there, which is not divergence
    (rule 3 measures from where the model started)."""
    _, job = _forecast_job(*EMPLOYMENT, window=11, epochs=3, scaler="none")
    job.start().join(60)
    assert job.status == "done", (job.status, job.message)


def test_stopped_after_diverging_says_both():
    """Rules 1 to 3 also judge a run that was stopped: the user learns it had diverged."""
    ds = data.make_forecast_dataset(
        data.read_csv(EMPLOYMENT[0]), data.ForecastConfig(target="nonfarm", window=11)
    )
    batches = math.ceil(len(ds.part("train")[0]) / 32)
    _, job = _forecast_job(
        *EMPLOYMENT, window=11, lr=1e6, epochs=100, callbacks=[_StopAfter(batches * 3)]
    )
    job.start().join(60)
    assert len(job.history) == 3  # stopped after the last batch of epoch 3
    assert job.status == "diverged", (job.status, job.message)
    assert job.message.startswith("Stopped by you. By then training had diverged: "), job.message


def test_cli_says_diverged_with_what_to_do(nile_csv):
    lines = []
    rc = cli.main(
        [
            "fit",
            str(nile_csv),
            "--target",
            "flow",
            "--lr",
            "1e6",
            "--epochs",
            "20",
            "--device",
            "cpu",
        ],
        out=lines.append,
    )
    said = [ln for ln in lines if ln.startswith("Training diverged: ")]
    assert len(said) == 1 and "Lower the learning rate (it is 1e+06) and train again." in said[0], (
        lines
    )
    assert rc == 1


# -- the loop as a pure function, the model protocol, named history columns (issues 13.1, 14.3) ----
def _regression_parts(epochs=3, **kw):
    job = _regression_job(epochs=epochs, **kw)
    return job.model, job.data, job.config


def _without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def test_fit_reports_rows_to_the_sink_as_the_thread_job_does():
    rows = []
    result = fit(*_regression_parts(), rows.append, lambda: None)
    job = _regression_job(epochs=3).start().join()
    assert (result.status, result.message, result.epochs) == ("done", "Finished 3 epochs.", 3)
    assert _without_seconds(rows) == _without_seconds(job.history)  # same seed, same floats


def test_fit_asks_should_stop_before_every_batch_and_keeps_the_last_finished_epoch():
    model, data, config = _regression_parts(epochs=10)
    asked, rows = [], []

    def should_stop():
        asked.append(len(rows))
        # 6 batches per epoch: the 3rd of epoch 2
        return "Stopped by the test." if len(asked) == 9 else None

    result = fit(model, data, config, rows.append, should_stop)
    assert len(asked) == 9 and asked == [0] * 6 + [1] * 3
    assert (result.status, result.epochs, result.kept_epoch) == ("stopped", 1, 1)
    assert result.message == "Stopped by the test. Kept the weights after epoch 1."
    again, first = _regression_parts(epochs=1)[0], []
    fit(
        again,
        data,
        TrainConfig(epochs=1, batch_size=8, lr=0.01, device="cpu"),
        first.append,
        lambda: None,
    )
    for (name, p), q in zip(model.named_parameters(), again.parameters()):
        assert torch.equal(p, q), f"{name}: not the weights after epoch 1"


def _replay(model, data, config):
    """The same run written out in plain torch, independently of fit: the shuffled order from the
    same seed, Adam, clip_grad_norm_ when clipping; returns each epoch's last-batch gradient norm
    (float64, over every gradient concatenated) and the model."""
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=config.lr)
    g = torch.Generator().manual_seed(config.seed)
    n, batch, norms = data.x.shape[0], config.batch_size or data.x.shape[0], []
    for _ in range(config.epochs):
        order = torch.randperm(n, generator=g)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            loss = torch.nn.functional.mse_loss(model(data.x[idx]), data.y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            norm = torch.cat([p.grad.reshape(-1) for p in params]).double().norm()
            if config.clip_norm:
                torch.nn.utils.clip_grad_norm_(params, config.clip_norm)
            opt.step()
        norms.append(float(norm))
    return norms, model


@pytest.mark.parametrize("clip_norm", [None, 0.05], ids=["no clipping", "clipped"])
@pytest.mark.parametrize("batch_size", [0, 8], ids=["full batch", "6 batches"])
def test_grad_norm_and_final_weights_match_a_plain_torch_replay(clip_norm, batch_size):
    model, data, _ = _regression_parts()
    config = TrainConfig(
        epochs=4, batch_size=batch_size, lr=0.01, clip_norm=clip_norm, device="cpu"
    )
    start = {k: v.clone() for k, v in model.state_dict().items()}
    rows = []
    assert fit(model, data, config, rows.append, lambda: None).status == "done"
    twin = SequenceModel(model.config, seed=0)
    twin.load_state_dict(start)
    norms, twin = _replay(twin, data, config)
    got = [r["grad_norm"] for r in rows]
    assert got == pytest.approx(norms, rel=1e-5), f"grad_norm {got} against {norms}"
    if clip_norm:
        assert min(norms) > clip_norm, "the clip never bit: this case tests nothing"
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert torch.equal(p, q), f"{name}: not the replay's final weights"


class _WithSpare(torch.nn.Module):
    """A linear model with a parameter outside the graph: its gradient must stay None (an
    optimizer skips it), as torch's own zero_grad(set_to_none=True) leaves it."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))
        self.spare = torch.nn.Parameter(torch.ones(2))

    def forward(self, x, lengths=None):
        return x.sum(dim=(1, 2))[:, None] * self.w  # (N, 1)

    def batch_loss(self, x, y, lengths=None):
        out = self(x, lengths)
        return torch.nn.functional.mse_loss(out, y), out

    def metrics(self, output, y):
        return {}


def test_a_parameter_outside_the_graph_keeps_no_gradient_and_the_norm_counts_the_rest():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 3, 1, generator=g)
    y = 2 * x.sum(dim=(1, 2))[:, None]
    model, rows = _WithSpare(), []
    config = TrainConfig(epochs=3, batch_size=0, lr=0.1, clip_norm=None, device="cpu")
    fit(model, TrainData(x, y), config, rows.append, lambda: None)
    assert model.spare.grad is None and torch.equal(model.spare.detach(), torch.ones(2))
    s = x.sum(dim=(1, 2))[:, None]
    w = float(model.w.detach())  # after 3 steps; the last row's norm is of the 3rd step's start
    assert rows[-1]["grad_norm"] > 0 and w != 1.0
    # d/dw mean((s w - y)^2) = mean(2 s (s w - y)), at the weights the last step started from
    replay = _WithSpare()
    opt = torch.optim.Adam([replay.w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        expected = float((2 * s * (s * replay.w.detach() - y)).mean().abs())
        torch.nn.functional.mse_loss(replay(x), y).backward()
        opt.step()
    assert rows[-1]["grad_norm"] == pytest.approx(expected, rel=1e-5)


def test_history_columns_are_named_for_regression():
    job = _regression_job(epochs=2).start().join()
    for r in job.history:
        assert tuple(r) == HISTORY_COLUMNS
        assert r["train_accuracy"] is None and r["val_accuracy"] is None
    x_val, y_val = job.data.x_val, job.data.y_val
    # the weights of the last epoch
    expected = float(((predict(job.model, x_val) - y_val) ** 2).mean().sqrt())
    assert job.history[-1]["val_rmse"] == pytest.approx(expected, rel=1e-5)
    no_val = TrainingJob(
        job.model, TrainData(job.data.x, job.data.y), TrainConfig(epochs=1, device="cpu")
    )
    assert no_val.start().join().history[0]["val_rmse"] is None


def test_history_columns_are_named_for_classification_with_validation():
    from rnnviz.data.memory import make_memory_task

    task = make_memory_task(distractors=3, samples=64, val_samples=32, seed=0)
    job = (
        TrainingJob(
            tasks.memory_model(task, "gru", hidden_size=8, seed=0),
            tasks.memory_train_data(task),
            TrainConfig(epochs=3, batch_size=16, lr=0.02, device="cpu"),
        )
        .start()
        .join()
    )
    last = job.history[-1]
    assert tuple(last) == HISTORY_COLUMNS and last["val_rmse"] is None
    right = (predict(job.model, task.x_val).argmax(-1) == task.y_val).float().mean()
    assert last["val_accuracy"] == pytest.approx(float(right))
    assert 0.0 <= last["train_accuracy"] <= 1.0


class _HalfRight(torch.nn.Module):
    """A model with its own loss (L1) and metric, whose batch_loss hands forward the targets: the
    loop must ask it."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x, lengths=None, target=None):
        return x.sum(dim=(1, 2))[:, None] * self.w  # (N, 1)

    def batch_loss(self, x, y, lengths=None):
        out = self(x, lengths, target=y)
        return (out - y).abs().mean(), out

    def metrics(self, output, y):
        return {"right": 1, "counted": 2}


def test_the_loop_asks_the_model_for_its_loss_and_metrics():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 3, 1, generator=g)
    y = 2 * x.sum(dim=(1, 2))[:, None]
    model = _HalfRight()
    job = (
        TrainingJob(
            model,
            TrainData(x, y),
            TrainConfig(
                epochs=1, batch_size=0, lr=0.5, optimizer="sgd", clip_norm=None, device="cpu"
            ),
        )
        .start()
        .join()
    )
    assert job.status == "done", job.message
    # L1 at w = 0, not MSE
    assert job.history[0]["train_loss"] == pytest.approx(float(y.abs().mean()))
    assert job.history[0]["train_accuracy"] == 0.5
    # one L1 step
    assert float(model.w.detach()) == pytest.approx(0.5 * float(x.sum(dim=(1, 2)).abs().mean()))


def test_weights_keep_the_best_epoch_across_worse_ones():
    model = torch.nn.Linear(1, 1)
    weights = Weights()
    for epoch, best in enumerate([True, True, False, True, False, False]):
        with torch.no_grad():
            model.weight.fill_(epoch)
        weights.save(model, epoch, best)
    assert weights.good_epoch == 5 and float(weights.state()["weight"]) == 5
    assert (
        weights.keep_best(model) == 3
        and float(model.weight.detach()) == 3
        and float(weights.state()["weight"]) == 3
    )


def test_divergence_rule_3_runs_no_forward_pass_when_the_validation_rmse_rules_it_out(monkeypatch):
    """A finished run whose validation RMSE is small cannot have wild predictions (see
    _wild_predictions): no pass over the validation part just for rule 3, and none for the untrained
    model either."""
    import rnnviz.train as train

    calls = []
    monkeypatch.setattr(train, "predict", lambda *a, **k: calls.append(1) or predict(*a, **k))
    job = _regression_job(epochs=2).start().join()
    assert job.status == "done" and job.history[-1]["val_rmse"] < 0.5
    assert calls == []


def test_divergence_rule_3_judges_a_big_part_on_evenly_spaced_windows(monkeypatch):
    """No validation part and 5,000 training windows: rule 3's pass looks at RULE3_WINDOWS of them,
    evenly spaced from first to last, and still calls a wild constant prediction diverged."""
    import rnnviz.train as train

    seen = []
    monkeypatch.setattr(
        train, "predict", lambda m, x, *a, **k: seen.append(x.clone()) or predict(m, x, *a, **k)
    )
    x = torch.arange(5000, dtype=torch.float32).reshape(5000, 1, 1)  # window i holds the number i
    y = torch.rand(5000, 1)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(1, 1))

    # predicts 1000 whatever it sees: 1000 target ranges outside [0, 1]
    class Wild(torch.nn.Module):
        def __init__(self, inner, value):
            super().__init__()
            self.inner = inner
            # in the state dict, so `start` resets it
            self.register_buffer("value", torch.tensor(value))

        def forward(self, x, lengths=None):
            return self.inner(x) * 0 + self.value

    data = TrainData(x, y)
    start = Wild(model, 0.5).state_dict()
    assert (
        train._wild_predictions(Wild(model, 1000.0), data, [{"val_rmse": None}], start) is not None
    )
    # the trained model, then the untrained one
    assert [len(s) for s in seen] == [train.RULE3_WINDOWS] * 2
    looked_at = seen[0].reshape(-1)
    assert looked_at[0] == 0 and looked_at[-1] == 4999
    assert torch.all(looked_at.diff() >= 4) and torch.all(looked_at.diff() <= 5)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_device_this_machine_lacks_is_the_users_to_change():
    from rnnviz.errors import UserError

    with pytest.raises(
        UserError, match="CUDA was asked for but this machine has no CUDA GPU; use 'auto' or 'cpu'"
    ):
        resolve_device("cuda")
