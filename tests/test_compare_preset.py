"""Compare's "LSTM story" preset (settings.LSTM_STORY), trained the way the page trains it.

The page (app_pages/compare.py) builds the task with make_memory_task, the models with
tasks.memory_models and trains each in a TrainingJob with CompareSettings.train_config; so does
this test, for the seeds 0, 1 and 2 the page's seed setting gives.
"""

import pytest

from rnnviz import TrainingJob, tasks
from rnnviz.data.memory import SYMBOLS, make_memory_task
from rnnviz.settings import LSTM_STORY

CHANCE = 1 / SYMBOLS  # 0.25: the answer is one of 4 letters
# A model that learns nothing is right about 1 time in 4: on 128 validation sequences that is
# 0.25 +- 0.04 (one standard deviation). A plain RNN may also learn one bit of the letter, which
# two of the four it was (seen: 0.52); it never learns both. So "fails" is at most 0.60, far
# below the 0.95 of the run that remembers. Measured (rnn, lstm, gru, lstm with forget bias 1):
# seed 0: 0.266 0.375 0.258 1.000; seed 1: 0.320 0.273 0.211 1.000; seed 2: 0.523 0.148 0.281
# 1.000.
FAILS = 0.60


def _final_accuracy(task, model, seed: int) -> float:
    job = TrainingJob(
        model,
        tasks.memory_train_data(task),
        LSTM_STORY.train_config(tasks.MEMORY_BATCH, seed, "cpu"),
    )
    assert job.start().join(300).status == "done", job.message
    assert len(job.history) == LSTM_STORY.epochs
    return job.history[-1]["val_accuracy"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_lstm_story_preset_separates_the_cells(seed):
    task = make_memory_task(distractors=LSTM_STORY.distractors, seed=seed)
    models = tasks.memory_models(task, LSTM_STORY.hidden_size, seed, LSTM_STORY.forget_bias)
    accuracy = {key: _final_accuracy(task, m, seed) for key, m in models.items()}
    print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in accuracy.items()))
    for forgets in ("rnn", "lstm", "gru"):  # torch's initialisation: the forget gate near 0.5
        assert accuracy[forgets] <= FAILS, (seed, forgets, accuracy)
    assert accuracy[tasks.FORGET_BIAS_RUN] >= 0.95, (seed, accuracy)
