"""The command line: `python -m rnnviz fit CSV ...` and `python -m rnnviz words "..."`.

fit    trains a forecaster on a CSV column and prints it beside the baseline ladder (persistence,
       seasonal naive, linear autoregression, exponential smoothing) on the test part, the winner
       in one sentence, and any warning (the test values leave the training range); `--json`
       prints all of it as one JSON object on stdout instead (progress goes to stderr then)
       --folds K: a rolling-origin evaluation instead, K folds; --export-script PATH: the run as a
       standalone torch + pandas script. Its flags are the Forecast page's settings
       (rnnviz.settings.ForecastSettings): the same names, defaults and limits.
words  trains the next-letter model on typed words and prints each word's predicted last letter
Bad input ends with exit status 2 and the UserError's message, never a traceback; so does a
forecast whose error would be infinite or NaN (MetricError): a finished run never prints an inf or
NaN metric.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from . import baselines, data, runs, tasks
from . import settings as config
from .errors import UserError
from .limits import Limits
from .settings import ForecastSettings, ForecastSource, NextLetterSettings
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
    _fit_parser(sub)
    _words_parser(sub)
    return p


def _words_parser(sub) -> None:
    """`words`: the words, a flag per Next letter setting (rnnviz.settings.NextLetterSettings: the
    page's names and defaults; old names such as --hidden still work), and the command line's own
    (--batch-size, --seed, --device)."""
    w = sub.add_parser("words", help="predict each word's last letter (or every next letter)")
    w.add_argument("text", help='words separated by spaces, e.g. "hello apple lobby daddy bobby"')
    config.add_arguments(w, NextLetterSettings)  # --nonlinearity too, since the page has it
    w.add_argument("--batch-size", type=int, default=0, help="0 = every word at once")
    _run_args(w)


def _fit_parser(sub) -> None:
    """`fit`: a flag per Forecast setting (rnnviz.settings.ForecastSettings: the page's names,
    defaults and bounds; old names such as --hidden and --difference still work), and the
    command line's own (--split, --json, --save, --export-script, --seed, --device)."""
    f = sub.add_parser("fit", help="forecast a CSV column; compare with the persistence baseline")
    f.add_argument("csv", help="path to the CSV file")
    config.add_arguments(
        f, ForecastSettings, optional=("window", "season", "folds"), required=("target",)
    )
    config.add_arguments(f, ForecastSource)
    f.add_argument(
        "--split",
        type=float,
        nargs=3,
        default=None,
        metavar=("TRAIN", "VAL", "TEST"),
        help="fractions of the windows (default 0.7 0.15 0.15; the test part is the rest)",
    )
    f.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (model, baselines, winner, warnings) on stdout; progress to "
        "stderr",
    )
    f.add_argument(
        "--save", default=None, help="folder to save the model in (safetensors + config.json)"
    )
    f.add_argument(
        "--export-script",
        default=None,
        metavar="PATH",
        help="write this run as a standalone Python script (torch + pandas, no rnnviz) to PATH",
    )
    _run_args(f)


def _run_args(p) -> None:
    """Where and how reproducibly a command trains (the app's sidebar settings)."""
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])


def _run_job(model, train_data, train: TrainConfig, out) -> TrainingJob:
    job = TrainingJob(model, train_data, train, callbacks=[_PrintProgress(train.epochs, out)])
    job.start().join()
    if job.status != "done":
        out(job.message)
    return job


def _fit_settings(a, rows: int) -> ForecastSettings:
    """The run's settings from the flags: --split as the page's percentages, the window (when not
    given) the page's 20 or less to fit, a season of at least 2."""
    if a.season is not None and a.season < 2:
        raise data.DataError(
            f"--season must be at least 2 rows (got {a.season}); leave it out to find one."
        )
    given = {"season": a.season or 0, "runs": "one" if a.folds is None else "folds"}
    if a.split is not None:
        given["train_pct"], given["val_pct"] = (
            config.percent(a.split[0]),
            config.percent(a.split[1]),
        )
    split = config.from_arguments(ForecastSettings, a, **given).split
    if a.window is None:
        fit = data.largest_window(rows, a.horizon, split)
        given["window"] = max(min(ForecastSettings.window, fit), 1)  # the field's default, 20
    return config.from_arguments(ForecastSettings, a, **given)


def _fit(a, out) -> int:
    say = _stderr if a.json else out  # with --json, stdout carries the JSON object alone
    # 1. the table, the settings, and the page's one call: limits checked, windows, models
    table = data.read_csv(a.csv, fill="ffill" if a.fill else None)
    for note in table.attrs["notes"]:
        say(note)
    settings = _fit_settings(a, len(table))
    if a.folds is not None and a.json:
        raise data.DataError(
            "--folds prints a table of folds, not JSON: leave out --json (or --folds)."
        )
    plan = tasks.plan_forecast(table, settings, a.seed, a.device, Limits.from_env())
    ds = plan.dataset
    warnings = _describe(settings, ds, say)
    if a.export_script:
        script = tasks.forecast_script(table, _saved(settings, ds), plan.train[0], a.fill)
        Path(a.export_script).write_text(script, encoding="utf-8")
        say(
            f"Wrote {a.export_script}: `python {a.export_script} {a.csv}` trains this run again "
            "without rnnviz."
        )
    if a.folds is not None:
        return _fit_folds(settings, plan, out)
    # 2. train, then rank the model with the baselines on the test part
    job = _run_job(plan.models[0], plan.train_data[0], plan.train[0], say)
    if job.status == "failed":
        return 1
    if job.status != "done":
        warnings.append(job.message)
    result = tasks.evaluate_forecast(job.model.cpu(), ds, "test")
    ladder = baselines.ladder(
        ds,
        baselines.baseline_forecasts(ds, settings.season_rows),
        result.predicted,
        "test",
        model_name=settings.cell.upper(),
    )
    # 3. say it, and keep the model
    if a.json:
        out(json.dumps(_fit_json(settings, ds, ladder, warnings), allow_nan=False))
    else:
        _print_fit(settings, result, ladder, out)
    if a.save:
        path = tasks.save_forecast(job.model, ds, _saved(settings, ds).saved(), a.save)
        say(f"Saved the model to {path}; the Forecast page opens it (Open a saved model).")
    return 1 if job.status == "diverged" else 0  # the message above says why and what to do


def _saved(settings: ForecastSettings, ds) -> ForecastSettings:
    """The settings as they trained: the columns and window the dataset was made with."""
    return dataclasses.replace(settings, features=tuple(ds.features), window=ds.window)


def _describe(settings: ForecastSettings, ds, say) -> list[str]:
    """Say how the table became windows, and warn when the test part leaves the training range.
    Returns the warnings."""
    warnings = []
    outside = baselines.extrapolation(ds.series, ds.config)
    if outside is not None:
        warnings.append(
            outside.message(cure="--difference", predict_change=settings.predict_change)
        )
        say(f"warning: {warnings[-1]}")
    n = {k: s.stop - s.start for k, s in ds.parts.items()}
    say(
        f"{len(ds.x)} windows of ({ds.window}, {len(ds.features)}): train {n['train']}, "
        f"validation {n['val']}, test {n['test']}"
        + ("; predicting the change from the last value" if settings.predict_change else "")
    )
    return warnings


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _fit_json(settings: ForecastSettings, ds, ladder: baselines.Ladder, warnings) -> dict:
    """The fit's outcome as plain JSON values: every number finite (the ladder refuses others)."""
    winner = "model" if ladder.winner == ladder.model.name else ladder.winner
    return {
        "target": settings.target,
        "part": "test",
        "rows": len(ds.actual[ds.parts["test"]]),
        "model": {**ladder.model.to_dict(), "name": ladder.model.name},
        "baselines": [r.to_dict() for r in ladder.baselines],
        "winner": winner,
        "verdict": ladder.verdict,
        "season": ladder.season.describe(),
        "predict_change": settings.predict_change,
        "scaler": settings.scaler,
        "warnings": warnings,
        "notes": ladder.left_out,
    }


def _print_fit(settings: ForecastSettings, result, ladder: baselines.Ladder, out) -> None:
    out(f"\nTest part ({len(result.actual)} rows), '{settings.target}' in the data's own units:")
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


def _fit_folds(settings: ForecastSettings, plan: tasks.ForecastPlan, out) -> int:
    """Rolling origin: a model per fold (same seed), trained on every window before the fold's
    origin and tested on the block after it; then each fold's RMSE beside persistence's, and the
    means."""
    folds, results, diverged = plan.folds, [], False
    jobs = zip(plan.models, plan.train_data, plan.train)
    for fold, ds, (model, train_data, train) in zip(folds, plan.datasets, jobs):
        out(
            f"\nFold {fold.number}/{len(folds)}: train on windows 0-{fold.origin - 1}, "
            f"test on windows {fold.test.start}-{fold.test.stop - 1}"
        )
        job = _run_job(model, train_data, train, out)
        if job.status == "failed":
            return 1
        diverged |= job.status == "diverged"
        results.append(tasks.evaluate_forecast(job.model.cpu(), ds, "test"))
    out(
        f"\nRolling origin, {len(folds)} folds: RMSE on each fold's test block, "
        f"'{settings.target}' in the data's own units"
    )
    out(
        f"{'fold':<6} {'test from':<20} {'test to':<20} {'train':>6} {'test':>5} "
        f"{'model':>12} {'persistence':>12}"
    )
    for r in runs.fold_table(folds, results):
        out(
            f"{r['fold']:<6} {r['test from']:<20} {r['test to']:<20} {r['train windows']:>6g} "
            f"{r['test windows']:>5g} {r['model RMSE']:>12.4f} {r['persistence RMSE']:>12.4f}"
        )
    return 1 if diverged else 0


def _words(a, out) -> int:
    s = config.from_arguments(NextLetterSettings, a, text=a.text)
    config.check(s, Limits.from_env())
    ds = data.make_char_dataset(s.text, mode=s.mode)
    out(
        f"{len(ds.words)} words, vocabulary of {len(ds.vocab)}: {' '.join(ds.vocab)}; "
        f"one-hot input shape {tuple(ds.one_hot().shape)}"
    )
    embedding_dim = s.embedding_dim if s.encoding == "embedding" else None
    model = tasks.char_model(
        ds,
        s.cell,
        s.hidden_size,
        s.num_layers,
        nonlinearity=s.nonlinearity,
        embedding_dim=embedding_dim,
        seed=a.seed,
    )
    out(f"{model.parameter_count()} parameters")
    train = dataclasses.replace(s.train_config(a.seed, a.device), batch_size=a.batch_size)
    job = _run_job(model, tasks.char_train_data(ds), train, out)
    if job.status == "failed":
        return 1
    rows = tasks.char_predictions(job.model.cpu(), ds)
    out("")
    for r in rows:
        verdict = "ok" if r["correct"] else "wrong"
        out(f"{r['input']} -> {r['predicted']}  p={r['probability']:.2f}  {verdict}")
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
