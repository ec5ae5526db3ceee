"""Kept runs in a real browser: two runs on Next letter, run 1's curve drawn on run 2's chart, and
run 1's model downloaded from the run table and opened again."""

import re

import pytest
import torch

from rnnviz import checkpoint, tasks
from rnnviz.data import make_char_dataset
from rnnviz.settings import NextLetterSettings
from rnnviz.train import fit

pytestmark = pytest.mark.browser

WORDS = "hello apple lobby daddy bobby"  # the page's default words


def _train(page, runs: int) -> None:
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text(f"Kept runs ({runs})").wait_for(timeout=120_000)


def _epochs(page, value: int) -> None:
    box = page.get_by_label("Epochs", exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(1000)


def _trained_here(epochs: int) -> torch.nn.Module:
    """Run 1 trained again here: the page's defaults, seed 0, on the CPU (the same seed gives
    the same training there)."""
    ds = make_char_dataset(WORDS, mode="last")
    model = tasks.char_model(ds, "rnn", 8, 1, seed=0)
    config = NextLetterSettings(epochs=epochs).train_config(seed=0, device="cpu")
    fit(model, tasks.char_train_data(ds), config, sink=lambda row: None, should_stop=lambda: None)
    return model


def test_an_earlier_runs_curve_overlays_and_its_model_downloads(server, page, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server + "/next-letter")
    _epochs(page, 20)
    _train(page, 1)
    _epochs(page, 30)
    _train(page, 2)
    # 1. run 1's loss on run 2's chart, named in its legend
    overlay = page.locator(".st-key-nl_kept_overlay input")
    if not overlay.is_visible():  # the table is folded: open it (a click on an open one folds it)
        page.get_by_text("Kept runs (2)").click()
    overlay.wait_for()
    page.wait_for_timeout(500)  # the page settled: a rerun would drop what is typed
    overlay.click()
    page.keyboard.type("run 1")
    page.keyboard.press("Enter")
    page.locator(".legendtext", has_text="run 1: train loss").wait_for()
    # 2. run 1's model, as the browser downloads it, holds the weights of run 1 trained again here
    # the first: a download button with help has two <button>s inside its tooltip wrapper
    button = page.locator(".st-key-nl_kept_download_1 button").first
    with page.expect_download() as download:
        button.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "rnnviz-next_letter-run1.safetensors"
    model, extra = checkpoint.from_bytes(path.read_bytes())
    assert extra["vocab"] == list(make_char_dataset(WORDS, mode="last").vocab)
    expected = _trained_here(20).state_dict()
    for name, w in model.state_dict().items():
        assert torch.allclose(w, expected[name], atol=1e-5), name
