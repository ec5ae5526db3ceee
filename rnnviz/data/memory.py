"""The long-memory task: read a symbol, then N distractors, then say the first symbol again.

A sequence is one of `symbols` signal letters (A, B, ...) followed by N random distractor
letters (a, b, ...); the answer is the first letter. With `anywhere`, the signal letter stands at
a random place among the N + 1 (the distractors before it too): the model must notice it when it
comes and keep it from then on, whatever it read before. Only the signal step carries information,
so the model must carry it across N steps: easy for an LSTM or GRU, hard for a plain RNN whose
gradient from the answer back to step 0 shrinks with every step (see trace.gradient_norms).
Shapes: N sequences, L = distractors + 1 steps, V vocabulary (signals then distractors).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..limits import Limits
from .tables import DataError

__all__ = ["SYMBOLS", "MemoryTask", "make_memory_task"]

SYMBOLS = 4  # signal letters by default: the classes, so guessing is right 1 time in 4


@dataclass
class MemoryTask:
    vocab: list[str]  # index -> letter: the signals first, then the distractors
    symbols: int  # how many signal letters (the classes)
    distractors: int  # N, steps between the signal and the answer
    x: Tensor  # (N_train, L) int64 letter indices
    y: Tensor  # (N_train,) int64: the first letter's index (= its class)
    x_val: Tensor  # (N_val, L)
    y_val: Tensor  # (N_val,)

    def text(self, row: Tensor) -> str:
        return "".join(self.vocab[int(i)] for i in row)


def make_memory_task(
    distractors: int = 10,
    symbols: int = SYMBOLS,
    distractor_letters: int = 6,
    samples: int = 512,
    val_samples: int = 128,
    seed: int = 0,
    anywhere: bool = False,
) -> MemoryTask:
    """Random sequences from `seed` (the same seed gives the same task).

    >>> task = make_memory_task(distractors=3, samples=2, val_samples=1, seed=0)
    >>> [task.text(r) for r in task.x], task.y.tolist()  # the answer is the capital letter's index
    (['Aabd', 'Dbbb'], [0, 3])
    """
    if int(distractors) < 0:
        raise DataError(f"Distractors must be 0 or more (got {distractors}).")
    # LimitError above this server's Limits.distractors
    Limits.from_env().check(distractors=int(distractors))
    if not 2 <= int(symbols) <= 26 or not 1 <= int(distractor_letters) <= 26:
        raise DataError("Use 2-26 signal letters and 1-26 distractor letters.")
    vocab = [chr(ord("A") + i) for i in range(symbols)] + [
        chr(ord("a") + i) for i in range(distractor_letters)
    ]
    g = torch.Generator().manual_seed(int(seed))
    n = int(samples) + int(val_samples)
    first = torch.randint(0, symbols, (n,), generator=g)  # (n,) the class
    # (n, N)
    noise = torch.randint(symbols, symbols + distractor_letters, (n, int(distractors)), generator=g)
    x = torch.cat([first[:, None], noise], dim=1)  # (n, N + 1)
    if anywhere:  # swap the signal with the letter at a random step 0..N of its row
        rows, at = torch.arange(n), torch.randint(0, int(distractors) + 1, (n,), generator=g)
        x[:, 0], x[rows, at] = x[rows, at], first
    s = int(samples)
    return MemoryTask(vocab, int(symbols), int(distractors), x[:s], first[:s], x[s:], first[s:])
