"""The command line: `python -m rnnviz fit CSV ...` and `python -m rnnviz words "..."`.

fit    trains a forecaster on a CSV column and prints it beside the baseline ladder (persistence, seasonal
       naive, linear autoregression, exponential smoothing) on the test part, the winner in one sentence,
       and any warning (the test values leave the training range); `--json` prints all of it as one JSON
       object on stdout instead (progress goes to stderr then)
       --folds K: a rolling-origin evaluation instead, K folds; --export-script PATH: the run as a
       standalone torch + pandas script
words  trains the next-letter model on typed words and prints each word's predicted last letter
Bad input ends with exit status 2 and the DataError's message, never a traceback; so does a forecast whose
error would be infinite or NaN (MetricError): a finished run never prints an inf or NaN metric.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import baselines, data, runs, tasks
from .errors import UserError
from .export import forecast_script
from .train import Callback, TrainConfig, TrainingJob

__all__ = ["main"]


class _PrintProgress(Callback):
    """One line per epoch to a sink (stdout by default)."""

    def __init__(self, total: int, sink=print):
        self.total, self.sink = total, sink

    def on_epoch_end(self, job, record):
        val = f"  val {record['val_loss']:.5f}" if record["val_loss"] is not None else ""
        acc = (
            f"  acc {record['train_accuracy']:.2f}" if record["train_accuracy"] is not None else ""
        )
        if record["val_accuracy"] is not None:
            acc += f"  val acc {record['val_accuracy']:.2f}"
        self.sink(
            f"epoch {record['epoch']:>4}/{self.total}  train {record['train_loss']:.5f}{val}{acc}"
            f"  ({record['seconds'] * 1000:.0f} ms)"
        )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m rnnviz", description="Train small RNNs from the command line."
    )
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fit", help="forecast a CSV column; compare with the persistence baseline")
    f.add_argument("csv", help="path to the CSV file")
    f.add_argument("--target", required=True, help="column to forecast")
    f.add_argument(
        "--features", nargs="+", default=None, help="input columns (default: the target alone)"
    )
    f.add_argument(
        "--window", type=int, default=None, help="steps of history (default: 20, or less to fit)"
    )
    f.add_argument("--horizon", type=int, default=1, help="how many rows ahead to predict")
    f.add_argument(
        "--split", type=float, nargs=3, default=(0.7, 0.15, 0.15), metavar=("TRAIN", "VAL", "TEST")
    )
    f.add_argument(
        "--scaler",
        choices=["minmax", "standard", "none"],
        default="minmax",
        help="how the columns are scaled (fit on the training part); standard reaches further beyond it",
    )
    f.add_argument(
        "--difference",
        action="store_true",
        help="differencing: read each input's step changes and predict the change from the last value "
        "instead of the value itself (for trending series)",
    )
    f.add_argument(
        "--season",
        type=int,
        default=None,
        help="rows per seasonal cycle for the seasonal baselines (default: from the dates or the "
        "training part's autocorrelation)",
    )
    f.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (model, baselines, winner, warnings) on stdout; progress to stderr",
    )
    f.add_argument("--fill", action="store_true", help="fill missing values from the row above")
    _model_args(f, cell="lstm", hidden=16, epochs=50, lr=0.01, batch=32)
    f.add_argument("--head", choices=["last", "flatten"], default="last")
    f.add_argument(
        "--save", default=None, help="folder to save the model in (safetensors + config.json)"
    )
    f.add_argument(
        "--folds",
        type=int,
        default=None,
        metavar="K",
        help="rolling-origin evaluation: K folds over the test part, each trained on everything before it",
    )
    f.add_argument(
        "--export-script",
        default=None,
        metavar="PATH",
        help="write this run as a standalone Python script (torch + pandas, no rnnviz) to PATH",
    )

    w = sub.add_parser("words", help="predict each word's last letter (or every next letter)")
    w.add_argument("text", help='words separated by spaces, e.g. "hello apple lobby daddy bobby"')
    w.add_argument("--mode", choices=["last", "next"], default="last")
    _model_args(w, cell="rnn", hidden=8, epochs=200, lr=0.01, batch=0)
    return p


def _model_args(p, cell, hidden, epochs, lr, batch):
    p.add_argument("--cell", choices=["rnn", "lstm", "gru"], default=cell)
    p.add_argument(
        "--nonlinearity", choices=["tanh", "relu"], default="tanh", help="plain RNN only"
    )
    p.add_argument("--hidden", type=int, default=hidden, help="hidden units per layer")
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--lr", type=float, default=lr, help="learning rate")
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--batch-size", type=int, default=batch, help="0 = all samples at once")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _train_config(a) -> TrainConfig:
    return TrainConfig(
        epochs=a.epochs,
        batch_size=a.batch_size,
        lr=a.lr,
        optimizer=a.optimizer,
        seed=a.seed,
        device=a.device,
    )


def _run_job(model, train_data, a, out) -> TrainingJob:
    job = TrainingJob(
        model, train_data, _train_config(a), callbacks=[_PrintProgress(a.epochs, out)]
    )
    job.start().join()
    if job.status != "done":
        out(job.message)
    return job


def _fit(a, out) -> int:
    say = _stderr if a.json else out  # with --json, stdout carries the JSON object alone
    table = data.read_csv(a.csv, fill="ffill" if a.fill else None)
    for note in table.attrs["notes"]:
        say(note)
    window = a.window
    if window is None:
        window = min(20, data.largest_window(len(table), a.horizon, tuple(a.split)))
        window = max(window, 1)
    if a.season is not None and a.season < 2:
        raise data.DataError(
            f"--season must be at least 2 rows (got {a.season}); leave it out to find one."
        )
    cfg = data.ForecastConfig(
        target=a.target,
        features=a.features,
        window=window,
        horizon=a.horizon,
        split=tuple(a.split),
        scaler=a.scaler,
        predict_change=a.difference,
    )
    ds = data.make_forecast_dataset(table, cfg)
    warnings = []
    outside = baselines.extrapolation(ds.series, cfg)
    if outside is not None:
        warnings.append(outside.message(cure="--difference", predict_change=a.difference))
        say(f"warning: {warnings[-1]}")
    n = {k: s.stop - s.start for k, s in ds.parts.items()}
    say(
        f"{len(ds.x)} windows of ({window}, {len(ds.features)}): train {n['train']}, "
        f"validation {n['val']}, test {n['test']}"
        + ("; predicting the change from the last value" if a.difference else "")
    )
    if a.export_script:
        script = forecast_script(table, _forecast_settings(a, ds), _train_config(a), a.fill)
        Path(a.export_script).write_text(script, encoding="utf-8")
        say(
            f"Wrote {a.export_script}: `python {a.export_script} {a.csv}` trains this run again without rnnviz."
        )
    if a.folds is not None:
        if a.json:
            raise data.DataError(
                "--folds prints a table of folds, not JSON: leave out --json (or --folds)."
            )
        return _fit_folds(a, table, cfg, out)
    model = tasks.forecast_model(
        ds, a.cell, a.hidden, a.layers, a.head, a.nonlinearity, seed=a.seed
    )
    job = _run_job(model, tasks.forecast_train_data(ds), a, say)
    if job.status == "failed":
        return 1
    if job.status != "done":
        warnings.append(job.message)
    result = tasks.evaluate_forecast(job.model.cpu(), ds, "test")
    ladder = baselines.ladder(
        ds,
        baselines.baseline_forecasts(ds, a.season),
        result.predicted,
        "test",
        model_name=a.cell.upper(),
    )
    if a.json:
        out(json.dumps(_fit_json(a, ds, ladder, warnings), allow_nan=False))
    else:
        _print_fit(a, result, ladder, out)
    if a.save:
        path = tasks.save_forecast(job.model, ds, _forecast_settings(a, ds), a.save)
        say(f"Saved the model to {path}; the Forecast page opens it (Open a saved model).")
    return 1 if job.status == "diverged" else 0  # the message above says why and what to do


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _fit_json(a, ds, ladder: baselines.Ladder, warnings: list[str]) -> dict:
    """The fit's outcome as plain JSON values: every number finite (the ladder refuses others)."""
    winner = "model" if ladder.winner == ladder.model.name else ladder.winner
    return {
        "target": a.target,
        "part": "test",
        "rows": len(ds.actual[ds.parts["test"]]),
        "model": {**ladder.model.to_dict(), "name": ladder.model.name},
        "baselines": [r.to_dict() for r in ladder.baselines],
        "winner": winner,
        "verdict": ladder.verdict,
        "season": ladder.season.describe(),
        "predict_change": a.difference,
        "scaler": a.scaler,
        "warnings": warnings,
        "notes": ladder.left_out,
    }


def _print_fit(a, result, ladder: baselines.Ladder, out) -> None:
    out(f"\nTest part ({len(result.actual)} rows), '{a.target}' in the data's own units:")
    out(f"{'metric':<8} {'model':>14} {'baseline':>14}  better")
    for row in result.table:
        out(f"{row['metric']:<8} {row['model']:>14.4f} {row['baseline']:>14.4f}  {row['better']}")
    out(f"\nThe ladder, best first ({ladder.season.describe()}):")
    out(f"{'rank':<5} {'forecast':<24} {'RMSE':>14} {'MAE':>14} {'MAPE %':>9}")
    for rank, r in enumerate(ladder.rows, 1):
        mape = f"{r.mape:>9.3f}" if r.mape is not None else f"{'-':>9}"
        name = ("> " if r.is_model else "  ") + r.name
        out(f"{rank:<5} {name:<24} {r.rmse:>14.4f} {r.mae:>14.4f} {mape}")
    out(ladder.verdict)
    for why in ladder.left_out:
        out(f"left out: {why}")


def _fit_folds(a, table, cfg, out) -> int:
    """Rolling origin: a model per fold (same seed), trained on every window before the fold's origin
    and tested on the block after it; then each fold's RMSE beside persistence's, and the means."""
    folds, datasets = runs.fold_datasets(table, cfg, a.folds)
    results, diverged = [], False
    for fold, ds in zip(folds, datasets):
        out(
            f"\nFold {fold.number}/{len(folds)}: train on windows 0-{fold.origin - 1}, "
            f"test on windows {fold.test.start}-{fold.test.stop - 1}"
        )
        model = tasks.forecast_model(
            ds, a.cell, a.hidden, a.layers, a.head, a.nonlinearity, seed=a.seed
        )
        job = _run_job(model, tasks.forecast_train_data(ds), a, out)
        if job.status == "failed":
            return 1
        diverged |= job.status == "diverged"
        results.append(tasks.evaluate_forecast(job.model.cpu(), ds, "test"))
    out(
        f"\nRolling origin, {len(folds)} folds: RMSE on each fold's test block, '{a.target}' in the data's own units"
    )
    out(
        f"{'fold':<6} {'test from':<20} {'test to':<20} {'train':>6} {'test':>5} {'model':>12} {'persistence':>12}"
    )
    for r in runs.fold_table(folds, results):
        out(
            f"{r['fold']:<6} {r['test from']:<20} {r['test to']:<20} {r['train windows']:>6g} "
            f"{r['test windows']:>5g} {r['model RMSE']:>12.4f} {r['persistence RMSE']:>12.4f}"
        )
    return 1 if diverged else 0


def _forecast_settings(a, ds) -> dict:
    """This run's choices under the names the Forecast page saves, so that its checkpoint is the page's."""
    return dict(
        target=a.target,
        features=list(ds.features),
        window=ds.window,
        horizon=a.horizon,
        split=tuple(a.split),
        scaler=a.scaler,
        predict_change=a.difference,
        season=a.season,
        cell=a.cell,
        nonlinearity=a.nonlinearity,
        hidden=a.hidden,
        layers=a.layers,
        head=a.head,
        optimizer=a.optimizer,
        lr=a.lr,
        epochs=a.epochs,
        batch=a.batch_size,
    )


def _words(a, out) -> int:
    ds = data.make_char_dataset(a.text, mode=a.mode)
    out(
        f"{len(ds.words)} words, vocabulary of {len(ds.vocab)}: {' '.join(ds.vocab)}; "
        f"one-hot input shape {tuple(ds.one_hot().shape)}"
    )
    model = tasks.char_model(
        ds, a.cell, a.hidden, a.layers, nonlinearity=a.nonlinearity, seed=a.seed
    )
    out(f"{model.parameter_count()} parameters")
    job = _run_job(model, tasks.char_train_data(ds), a, out)
    if job.status == "failed":
        return 1
    rows = tasks.char_predictions(job.model.cpu(), ds)
    out("")
    for r in rows:
        out(
            f"{r['input']} -> {r['predicted']}  p={r['probability']:.2f}  {'ok' if r['correct'] else 'wrong'}"
        )
    right = sum(r["correct"] for r in rows)
    out(f"accuracy {right}/{len(rows)} = {right / len(rows):.0%}")
    return 0


def main(argv: list[str] | None = None, out=print) -> int:
    a = _parser().parse_args(argv)
    try:
        return _fit(a, out) if a.command == "fit" else _words(a, out)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        if getattr(a, "json", False):
            out(json.dumps({"error": str(e)}))
        return 2
