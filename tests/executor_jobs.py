"""Models for tests/test_executors.py that misbehave on purpose, in a module a worker process can
import (tests/ is put on sys.path before the pool starts, so a pickled instance unpickles there).

Not a test file: pytest collects test_*.py only."""

from __future__ import annotations

import ctypes
import os

import torch

from rnnviz import ModelConfig, SequenceModel


class Runaway(SequenceModel):
    """A SequenceModel whose first forward pass goes wrong in the way `how` names:
    "exit" leaves the process (os._exit), "segfault" reads address 0, "memory" asks for 4 GiB."""

    def __init__(self, how: str):
        super().__init__(ModelConfig(cell="lstm", input_size=1, hidden_size=4), seed=0)
        self.how = how

    def forward(self, x, lengths=None, **kw):
        if self.how == "exit":
            os._exit(3)
        if self.how == "segfault":
            ctypes.string_at(0)
        if self.how == "memory":
            # never touched: only an address-space cap refuses it
            torch.empty(4 * 2**30, dtype=torch.uint8)
        return super().forward(x, lengths, **kw)
