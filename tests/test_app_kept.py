"""Kept runs on the pages (rnnviz.ui.views.kept) under AppTest: each ended run is kept, the run
table shows its final metrics, an earlier run's curves overlay the current one's, Restore puts its
settings back, Download gives its model, Delete forgets it; and Seq2seq pages its pairs table."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import torch
from safetensors.torch import load as safetensors_load
from streamlit.testing.v1 import AppTest

from rnnviz import checkpoint, predict, tasks
from rnnviz.seq2seq import Seq2Seq, Seq2SeqConfig
from rnnviz.ui.views.seq2seq import PAIRS_PER_PAGE


def _kept_table(at: AppTest):
    """The run table: the dataframe with a "run" and a "settings" column."""
    tables = [d.value for d in at.dataframe if {"run", "settings"} <= set(d.value.columns)]
    assert len(tables) == 1, len(tables)
    return tables[0]


def _figure(at: AppTest, key: str) -> go.Figure:
    """The chart with widget key `key`, as plotly reads its JSON back."""
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    assert len(charts) == 1, key
    return pio.from_json(charts[0].proto.spec)


def _values(array) -> list:
    """A trace's x or y: a tuple, or plotly's typed array {"dtype", "bdata": base64}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def _trace(figure: go.Figure, name: str) -> dict:
    """The trace called `name`: {"x": [...], "y": [...], "dash": its line's dash}."""
    found = [tr for tr in figure.data if tr.name == name]
    assert len(found) == 1, (name, [tr.name for tr in figure.data])
    return {"x": _values(found[0].x), "y": _values(found[0].y), "dash": found[0].line.dash}


def _next_letter_twice(at, train_on_page):
    """Run 1 (lr 0.1, 3 epochs, seed 0) and run 2 (lr 0.3, 2 epochs, seed 4) on Next letter."""
    at.number_input(key="nl_epochs").set_value(3)
    at.select_slider(key="nl_lr").set_value(0.1).run()
    first = train_on_page(at, "nl", "next_letter")
    at.number_input(key="nl_epochs").set_value(2)
    at.number_input(key="seed").set_value(4)
    at.select_slider(key="nl_lr").set_value(0.3).run()
    second = train_on_page(at, "nl", "next_letter")
    assert not at.exception, at.exception
    return first, second


def test_next_letter_keeps_runs_overlays_restores_downloads_and_deletes(
    app_page, train_on_page, downloads
):
    at = app_page("app_pages/next_letter.py")
    first, second = _next_letter_twice(at, train_on_page)
    # 1. two rows, newest first, with each run's last epoch's loss and accuracy
    table = _kept_table(at)
    assert table["run"].tolist() == [2, 1]
    for row, run in zip(table.to_dict("records"), (second, first)):
        last = run.job.history[-1]
        assert row["epochs"] == len(run.job.history) and row["status"] == "done"
        assert row["seed"] == run.job.config.seed
        assert row["train loss"] == last["train_loss"], row
        assert row["train accuracy"] == last["train_accuracy"], row
    settings = table["settings"].tolist()[1]  # each setting named as its widget's label
    assert "Learning rate=0.1" in settings and "Epochs=3" in settings
    # 2. run 1's curve on run 2's chart: exactly its history
    at.multiselect(key="nl_kept_overlay").select(1).run()
    assert at.multiselect(key="nl_kept_overlay").options == ["run 1"]  # not the current run
    figure = _figure(at, "nl_loss_chart")
    curve = _trace(figure, "run 1: train loss")
    assert curve["x"] == [r["epoch"] for r in first.job.history]
    assert curve["y"] == [r["train_loss"] for r in first.job.history]
    assert curve["dash"] == "dash"
    assert _trace(figure, "train loss")["y"] == [r["train_loss"] for r in second.job.history]
    # 3. the download: a checkpoint that opens and predicts what run 1's weights predict
    data = downloads["rnnviz-next_letter-run1.safetensors"]()
    model, extra = checkpoint.from_bytes(data)
    ds = first.dataset
    assert extra["vocab"] == list(ds.vocab)
    with torch.no_grad():
        assert torch.equal(model(ds.x, ds.lengths), first.job.snapshot_model()(ds.x, ds.lengths))
    # 4. restore: run 1's settings in the widgets and in the link
    at.button(key="nl_kept_restore_1").click().run()
    assert not at.exception, at.exception
    assert at.select_slider(key="nl_lr").value == 0.1
    assert at.number_input(key="nl_epochs").value == 3
    assert at.number_input(key="seed").value == 0
    assert at.query_params["lr"] == "0.1" and at.query_params["epochs"] == "3"
    assert at.query_params["seed"] == "0"
    # 5. delete: its row goes, and it is no longer offered to overlay
    at.button(key="nl_kept_delete_1").click().run()
    assert _kept_table(at)["run"].tolist() == [2]
    assert at.multiselect(key="nl_kept_overlay").value == []
    assert all(tr.name != "run 1: train loss" for tr in _figure(at, "nl_loss_chart").data)


def test_the_eleventh_run_drops_the_oldest(app_page, train_on_page):
    at = app_page("app_pages/next_letter.py")
    at.number_input(key="nl_epochs").set_value(1).run()
    runs = [train_on_page(at, "nl", "next_letter") for _ in range(11)]
    assert not at.exception, at.exception
    assert _kept_table(at)["run"].tolist() == list(range(11, 1, -1))
    kept = at.session_state["kept_runs"].for_page("next_letter")
    assert [k.history for k in kept] == [tuple(r.job.history) for r in runs[1:]]


def test_forecast_keeps_runs_with_test_errors_and_overlays_the_earlier_forecast(
    app_page, train_on_page, downloads, seattle_table
):
    at = app_page("app_pages/forecast.py")
    at.number_input(key="fc_window").set_value(5)
    at.select_slider(key="fc_hidden_size").set_value(4)
    at.number_input(key="fc_epochs").set_value(2).run()
    first = train_on_page(at, "fc", "forecast")
    at.number_input(key="fc_epochs").set_value(3).run()
    second = train_on_page(at, "fc", "forecast")
    assert not at.exception, at.exception
    # 1. two rows with each run's test errors beside the baseline's, in °C (independently computed)
    table = _kept_table(at)
    assert table["run"].tolist() == [2, 1]
    for row, run in zip(table.to_dict("records"), (second, first)):
        result = tasks.evaluate_forecast(run.job.snapshot_model(), run.dataset, "test")
        assert row["RMSE (test)"] == pytest.approx(result.table[0]["model"], rel=1e-12)
        assert row["RMSE (test), baseline"] == pytest.approx(result.table[0]["baseline"])
        assert row["train loss"] == run.job.history[-1]["train_loss"]
    # 2. run 1's loss and forecast on run 2's charts, exactly
    at.multiselect(key="fc_kept_overlay").select(1).run()
    loss = _trace(_figure(at, "fc_loss_chart"), "run 1: train loss")
    assert loss["y"] == [r["train_loss"] for r in first.job.history]
    val = _trace(_figure(at, "fc_loss_chart"), "run 1: validation loss")
    assert val["y"] == [r["val_loss"] for r in first.job.history]
    forecast = _trace(_figure(at, "fc_forecast_chart"), "run 1: model")
    model, ds = first.job.snapshot_model(), first.dataset
    expected = np.concatenate(
        [tasks.evaluate_forecast(model, ds, p).predicted for p in ("val", "test")]
    )
    assert forecast["y"] == expected.tolist()
    # 3. the download opens on the same table as the page's own download does
    data = downloads["rnnviz-forecast-run1.safetensors"]()
    (opened, extra), (page_model, page_extra) = (
        checkpoint.from_bytes(d)
        for d in (data, tasks.forecast_checkpoint(model, ds, first.settings.saved()))
    )
    assert extra == page_extra
    for name, w in page_model.state_dict().items():
        assert torch.equal(opened.state_dict()[name], w), name
    restored, _, _ = tasks.restore_forecast(data, seattle_table.copy())
    x = ds.x[ds.parts["test"]]
    assert torch.equal(predict(restored, x), predict(model, x))
    # 4. restore puts run 1's epochs back
    at.button(key="fc_kept_restore_1").click().run()
    assert at.number_input(key="fc_epochs").value == 2
    assert at.query_params["epochs"] == "2"


def test_seq2seq_pages_every_pair_once_and_overlays_the_earlier_loss(
    app_page, train_on_page, downloads
):
    at = app_page("app_pages/seq2seq.py")
    words = ["ab", "abc", "ba", "cab", "bca", "acb", "bac", "cba"]
    pairs = [f"{a}{b} -> {b}{a}" for a in words for b in words[:6]][:45]  # 45 pairs: 3 pages
    at.text_area(key="s2_pairs").set_value("\n".join(pairs))
    at.radio(key="s2_level").set_value("char")
    at.number_input(key="s2_epochs").set_value(2).run()
    first = train_on_page(at, "s2", "seq2seq")
    second = train_on_page(at, "s2", "seq2seq")
    assert not at.exception, at.exception
    # 1. every pair once across the pages, in order
    seen = []
    pages = -(-len(pairs) // PAIRS_PER_PAGE)
    for page in range(1, pages + 1):
        at.pagination(key="s2_pairs_page").set_value(page).run()
        shown = [d.value for d in at.dataframe if "model says" in d.value.columns][0]
        assert len(shown) == min(PAIRS_PER_PAGE, len(pairs) - len(seen)), page
        seen += [(i, s) for i, s in zip(shown.index, shown["source"])]
    assert [i for i, _ in seen] == list(range(1, len(pairs) + 1))
    assert [s for _, s in seen] == [first.dataset.join(s) for s in first.dataset.sources]
    # 2. the earlier run's loss on the current run's chart
    at.multiselect(key="s2_kept_overlay").select(1).run()
    curve = _trace(_figure(at, "s2_loss_chart"), "run 1: train loss")
    assert curve["y"] == [r["train_loss"] for r in first.job.history]
    assert _trace(_figure(at, "s2_loss_chart"), "train loss")["y"] == [
        r["train_loss"] for r in second.job.history
    ]
    # 3. run 1's download: its weights, config and vocabulary, which torch alone rebuilds
    data = downloads["rnnviz-seq2seq-run1.safetensors"]()
    size = int.from_bytes(data[:8], "little")
    meta = json.loads(json.loads(data[8 : 8 + size])["__metadata__"]["rnnviz"])
    assert meta["model"] == "Seq2Seq" and meta["vocab"] == list(first.dataset.vocab)
    assert meta["level"] == "char"
    rebuilt = Seq2Seq(Seq2SeqConfig(**meta["config"]))
    rebuilt.load_state_dict(safetensors_load(data))
    ds, trained = first.dataset, first.job.snapshot_model().eval()
    assert torch.equal(rebuilt.eval()(ds.x, ds.lengths), trained(ds.x, ds.lengths))


def test_digits_keeps_its_run_with_the_validation_accuracy_and_the_class_names(
    app_page, train_on_page, downloads
):
    at = app_page("app_pages/digits.py")
    at.number_input(key="dg_epochs").set_value(1).run()
    run = train_on_page(at, "dg", "digits")
    assert not at.exception, at.exception
    row = _kept_table(at).to_dict("records")[0]
    last = run.job.history[-1]
    assert row["run"] == 1 and row["epochs"] == 1
    assert row["validation accuracy"] == last["val_accuracy"]
    assert row["validation loss"] == last["val_loss"]
    model, extra = checkpoint.from_bytes(downloads["rnnviz-digits-run1.safetensors"]())
    assert extra == {"task": "digits", "classes": [str(d) for d in range(10)]}
    x_test = run.dataset["test"][0]
    assert torch.equal(predict(model, x_test), predict(run.job.snapshot_model(), x_test))
