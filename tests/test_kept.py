"""rnnviz.kept: what an ended run leaves behind, and one session's bounded list of them."""

import dataclasses
import json
from dataclasses import dataclass, field

import pytest
import torch
from safetensors.torch import load as safetensors_load

from rnnviz import checkpoint, predict
from rnnviz.kept import KeptRun, KeptRuns, final_metrics, keep_job, keepable, settings_summary
from rnnviz.limits import Limits
from rnnviz.seq2seq import Seq2Seq, Seq2SeqConfig
from rnnviz.settings import NextLetterSettings
from rnnviz.train import TrainConfig


@dataclass
class _EndedJob:
    """The part of a JobHandle keep_job reads: how it ended, its rows and its latest model."""

    model: torch.nn.Module
    status: str = "done"
    history: list = field(default_factory=list)
    config: TrainConfig = field(default_factory=lambda: TrainConfig(seed=7))

    def snapshot_model(self):
        return self.model


def _rows(losses, accuracy=None):
    return [
        {"epoch": i + 1, "train_loss": loss, "val_loss": None, "train_accuracy": accuracy}
        for i, loss in enumerate(losses)
    ]


def _kept(page="next_letter", number_hint=0.5) -> KeptRun:
    model = torch.nn.Linear(1, 1)
    return KeptRun(
        page=page,
        settings=None,
        status="done",
        history=tuple(_rows([number_hint])),
        metrics={},
        weights=model.state_dict(),
        model_class=torch.nn.Linear,
        config=None,
    )


@pytest.mark.parametrize(
    "status, epochs, kept",
    [
        ("done", 3, True),
        ("diverged", 2, True),
        ("stopped", 1, True),
        ("stopped", 0, False),  # no curve, no trained weights
        ("failed", 3, False),
        ("running", 2, False),
        ("queued", 0, False),
    ],
)
def test_keepable_says_which_endings_are_kept(status, epochs, kept):
    assert keepable(status, epochs) is kept, (status, epochs)


def test_final_metrics_are_the_last_rows_numbers_that_apply():
    rows = _rows([0.9, 0.4, 0.25], accuracy=0.75)
    rows[-1]["val_accuracy"] = 0.5
    assert final_metrics(rows) == {"train_loss": 0.25, "train_accuracy": 0.75, "val_accuracy": 0.5}
    assert final_metrics([]) == {}


def test_keep_job_copies_the_weights_and_rebuilds_a_model_that_predicts_the_same(tiny_model):
    model = tiny_model("lstm", seed=3)
    x = torch.randn(5, 7, 1)  # (N, L, F)
    expected = predict(model, x)
    job = _EndedJob(model, "stopped", _rows([1.5, 0.5]))
    kept = keep_job("forecast", "settings", job, metrics={"test RMSE": 2.0}, source="a.csv")
    assert kept.status == "stopped" and kept.epochs == 2 and kept.source == "a.csv"
    assert kept.seed == 7
    assert kept.metrics == {"train_loss": 0.5, "test RMSE": 2.0}
    assert kept.history == tuple(job.history) and kept.history[0] is not job.history[0]
    with torch.no_grad():  # the job's model trains on: the kept weights stay as they were
        for p in model.parameters():
            p.add_(1.0)
    assert torch.equal(predict(kept.model(), x), expected)
    assert all(w.device.type == "cpu" for w in kept.weights.values())


def checkpoint_contents(data: bytes) -> tuple[dict, dict]:
    """(tensors, metadata) of safetensors bytes. Two saves of one model are not always the same
    bytes (safetensors writes the metadata's keys in a hash map's order), so files are compared
    by what they hold."""
    size = int.from_bytes(data[:8], "little")
    return safetensors_load(data), json.loads(data[8 : 8 + size])["__metadata__"]


def assert_same_checkpoint(data: bytes, expected: bytes) -> None:
    (tensors, meta), (want_tensors, want_meta) = map(checkpoint_contents, (data, expected))
    assert meta == want_meta
    assert tensors.keys() == want_tensors.keys()
    for name, w in want_tensors.items():
        assert torch.equal(tensors[name], w), name


def test_checkpoint_holds_what_to_bytes_writes_and_opens_to_the_same_predictions(tiny_model):
    model = tiny_model("gru", seed=1, hidden_size=3)
    extra = {"page": "next_letter", "vocab": ["a", "b"]}
    kept = keep_job("next_letter", None, _EndedJob(model, history=_rows([0.1])), extra=extra)
    data = kept.checkpoint()
    assert_same_checkpoint(data, checkpoint.to_bytes(model, extra))
    opened, saved_extra = checkpoint.from_bytes(data)
    x = torch.randn(4, 6, 1)
    assert saved_extra == extra
    assert torch.equal(predict(opened, x), predict(model, x))


def test_a_seq2seq_run_downloads_weights_torch_rebuilds_to_the_same_translations():
    """A Seq2Seq is no rnnviz checkpoint: its download is its weights in safetensors with its class,
    config and vocabulary as metadata, enough for torch alone to rebuild it."""
    config = Seq2SeqConfig(cell="gru", vocab_size=6, embedding_dim=4, hidden_size=5)
    model = Seq2Seq(config, seed=0)
    extra = {"vocab": ["<pad>", "<sos>", "<eos>", "a", "b", "c"], "level": "char"}
    kept = keep_job("seq2seq", None, _EndedJob(model, history=_rows([0.3])), extra=extra)
    assert not kept.reopenable
    rebuilt = kept.model()
    for name, w in model.state_dict().items():
        assert torch.equal(rebuilt.state_dict()[name], w), name
    tensors, meta = checkpoint_contents(kept.checkpoint())
    saved = json.loads(meta["rnnviz"])
    assert saved == {"model": "Seq2Seq", "config": config.to_dict(), **extra}
    # torch alone: the class, the config, load_state_dict
    again = Seq2Seq(Seq2SeqConfig(**saved["config"]))
    again.load_state_dict(tensors)
    x, lengths = torch.tensor([[3, 4, 5], [5, 4, 0]]), torch.tensor([3, 2])
    assert torch.equal(again.eval()(x, lengths), model.eval()(x, lengths))


def test_runs_are_numbered_in_order_and_found_by_page_and_number():
    runs = KeptRuns(limit=3)
    a = runs.add(_kept("forecast"))
    b = runs.add(_kept("next_letter"))
    c = runs.add(_kept("forecast"))
    assert [a.number, b.number, c.number] == [1, 2, 3]
    assert runs.for_page("forecast") == [a, c]
    assert runs.get("forecast", 3) is c
    assert runs.get("forecast", 2) is None  # run 2 is Next letter's


def test_the_eleventh_run_of_a_page_drops_its_oldest_and_no_other_pages():
    limit = Limits().kept_runs
    assert limit == 10
    runs = KeptRuns(limit=limit)
    other = runs.add(_kept("digits"))
    kept = [runs.add(_kept("forecast", number_hint=float(i))) for i in range(limit + 1)]
    numbers = [r.number for r in runs.for_page("forecast")]
    assert numbers == [r.number for r in kept[1:]], numbers
    assert len(numbers) == limit
    assert runs.for_page("digits") == [other]


def test_delete_removes_only_that_run():
    runs = KeptRuns()
    first, second = runs.add(_kept()), runs.add(_kept())
    assert runs.delete("next_letter", first.number) is True
    assert runs.for_page("next_letter") == [second]
    assert runs.delete("next_letter", first.number) is False  # already gone
    assert runs.delete("forecast", second.number) is False  # another page's number


def test_kept_settings_stay_the_frozen_object_given(tiny_model):
    settings = NextLetterSettings(cell="gru", hidden_size=4)
    runs = KeptRuns()
    kept = runs.add(
        keep_job("next_letter", settings, _EndedJob(tiny_model(), history=_rows([1.0])))
    )
    assert kept.settings is settings


def test_the_summary_names_the_main_settings_and_those_that_differ_with_long_text_cut():
    words = "alpha beta gamma delta epsilon zeta"  # 36 characters
    mine = NextLetterSettings(text=words, cell="lstm", lr=0.3, epochs=5)
    other = NextLetterSettings(text="hello", cell="rnn", lr=0.3, epochs=5)
    summary = settings_summary(mine, [other, mine])
    assert summary == (
        "cell=lstm · hidden_size=8 · num_layers=1 · lr=0.3 · epochs=5 · "
        "text=alpha beta gamma delta…"
    ), summary
    assert settings_summary(mine) == "cell=lstm · hidden_size=8 · num_layers=1 · lr=0.3 · epochs=5"


def test_a_session_of_big_models_keeps_fewer_runs_within_its_memory_budget():
    """Limits.kept_mb caps the weights all of a session's kept runs hold: 1 MB runs in a 2.5 MB
    budget keep the newest two, across pages, and a run bigger than the budget alone is kept."""
    assert Limits().kept_mb == 64

    def big(page: str, mb: float) -> KeptRun:
        weights = {"w": torch.zeros(int(mb * 2**20 / 4))}  # float32: 4 bytes each
        return dataclasses.replace(_kept(page), weights=weights)

    runs = KeptRuns(mb=2.5)
    first = runs.add(big("forecast", 1))
    second = runs.add(big("digits", 1))
    third = runs.add(big("forecast", 1))
    assert runs.runs == [second, third] and runs.megabytes == pytest.approx(2.0)
    assert first not in runs.runs
    huge = runs.add(big("next_letter", 3))
    assert runs.runs == [huge]  # the run just kept stays, whatever its size
