"""The long-memory task, and the gradient by distance from the loss."""

import numpy as np
import pytest
import torch

from rnnviz import TrainConfig, TrainingJob, gradient_norms, tasks
from rnnviz.data import DataError
from rnnviz.data.memory import make_memory_task
from rnnviz.limits import LimitError


def test_the_answer_is_the_first_letter_and_only_it_is_a_signal():
    task = make_memory_task(
        distractors=7, symbols=3, distractor_letters=5, samples=50, val_samples=10, seed=1
    )
    assert task.x.shape == (50, 8) and task.x_val.shape == (10, 8)
    assert task.vocab == ["A", "B", "C", "a", "b", "c", "d", "e"]
    assert torch.equal(task.y, task.x[:, 0]) and torch.equal(task.y_val, task.x_val[:, 0])
    assert bool((task.x[:, 1:] >= 3).all())  # distractors never look like an answer
    assert set(task.y.tolist()) == {0, 1, 2}
    again = make_memory_task(
        distractors=7, symbols=3, distractor_letters=5, samples=50, val_samples=10, seed=1
    )
    assert torch.equal(task.x, again.x)


def test_bad_sizes_are_refused(monkeypatch):
    with pytest.raises(DataError):
        make_memory_task(distractors=-1)
    with pytest.raises(DataError):
        make_memory_task(symbols=1)
    monkeypatch.setenv("RNNVIZ_DISTRACTORS", "5")  # the cap is the server's, from limits.py
    with pytest.raises(LimitError, match="6 distractors is above this server's limit of 5"):
        make_memory_task(distractors=6)
    assert make_memory_task(distractors=5, samples=2, val_samples=1).x.shape == (2, 6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_short_gap_is_learnt(cell):
    task = make_memory_task(distractors=3, seed=0)
    model = tasks.memory_model(task, cell, hidden_size=16, seed=0)
    job = TrainingJob(
        model, tasks.memory_train_data(task), TrainConfig(epochs=15, batch_size=32, lr=0.01)
    )
    assert job.start().join(60).status == "done"
    assert job.history[-1]["val_accuracy"] >= 0.95  # chance is 0.25


def test_gradient_by_distance_flips_the_mean_of_gradient_norms():
    task = make_memory_task(distractors=5, seed=0)
    model = tasks.memory_model(task, "lstm", hidden_size=8, seed=0)
    by_distance = tasks.gradient_by_distance(model, task.x, task.y, sequences=3)
    per_step = torch.stack(
        [gradient_norms(model, task.x[i], task.y[i : i + 1])[-1] for i in range(3)]
    ).mean(0)
    np.testing.assert_allclose(by_distance, per_step.flip(0).numpy(), rtol=1e-6)


def test_without_recurrent_weights_no_gradient_reaches_back():
    """W_hh = 0: h_t depends on x_t alone, so only the last step's state gets a gradient."""
    task = make_memory_task(distractors=4, seed=0)
    model = tasks.memory_model(task, "rnn", hidden_size=8, seed=0)
    with torch.no_grad():
        model.rnn.weight_hh_l0.zero_()
    g = tasks.gradient_by_distance(model, task.x, task.y, sequences=4)
    assert g[0] > 0 and np.all(g[1:] == 0)


def test_history_summary_reads_the_history():
    history = [
        {
            "epoch": 1,
            "train_loss": 2.0,
            "val_loss": 1.5,
            "train_accuracy": 0.2,
            "val_accuracy": 0.3,
            "val_rmse": None,
            "seconds": 0.25,
            "grad_norm": 1.0,
        },
        {
            "epoch": 2,
            "train_loss": 1.0,
            "val_loss": 0.5,
            "train_accuracy": 0.4,
            "val_accuracy": 0.6,
            "val_rmse": None,
            "seconds": 0.5,
            "grad_norm": 2.0,
        },
    ]
    assert tasks.history_summary(history) == {
        "epochs": 2,
        "train_loss": 1.0,
        "val_loss": 0.5,
        "train_accuracy": 0.4,
        "val_accuracy": 0.6,
        "val_rmse": None,
        "seconds": 0.75,
    }
    assert tasks.history_summary([]) == {
        "epochs": 0,
        "train_loss": None,
        "val_loss": None,
        "train_accuracy": None,
        "val_accuracy": None,
        "val_rmse": None,
        "seconds": 0.0,
    }
