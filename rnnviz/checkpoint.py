"""Saving and loading models: safetensors weights with the JSON config inside, never pickle.

A checkpoint is one .safetensors file whose metadata holds the ModelConfig (and anything else
the caller wants to keep, such as the scalers and column names) as JSON. `save` to a folder also
writes config.json beside it for people to read. `load` rebuilds the model from the config and
accepts the weights only if every tensor name and shape matches what that config builds;
anything else (a pickle renamed, a foreign or tampered file) is refused with a CheckpointError.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from .models import ModelConfig, SequenceModel

__all__ = ["CheckpointError", "to_bytes", "from_bytes", "save", "load"]

WEIGHTS_NAME = "model.safetensors"
MAX_CHECKPOINT_BYTES = 200 * 1024 * 1024


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded, with the reason in words."""


def to_bytes(model: SequenceModel, extra: dict | None = None) -> bytes:
    """The model as safetensors bytes, config and `extra` (JSON-able) in the metadata."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"format": "rnnviz", "config": json.dumps(model.config.to_dict()),
            "extra": json.dumps(extra or {})}
    return st_save(tensors, metadata=meta)


def _metadata(data: bytes) -> dict:
    """Read the safetensors header's metadata without loading tensors."""
    if len(data) < 8:
        raise CheckpointError("This is not a safetensors file (it is too short).")
    n = int.from_bytes(data[:8], "little")
    if n <= 0 or n > min(len(data) - 8, 100_000_000):
        raise CheckpointError("This is not a safetensors file. Upload a model saved by rnnviz (.safetensors).")
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError("This is not a safetensors file. Upload a model saved by rnnviz (.safetensors).") from None
    return header.get("__metadata__") or {}


def from_bytes(data: bytes, config: dict | None = None) -> tuple[SequenceModel, dict]:
    """(model, extra) from safetensors bytes; `config` overrides the config in the metadata."""
    if len(data) > MAX_CHECKPOINT_BYTES:
        raise CheckpointError(f"The model file is larger than {MAX_CHECKPOINT_BYTES // 2**20} MB.")
    meta = _metadata(data)
    try:
        cfg_dict = config if config is not None else json.loads(meta["config"])
        extra = json.loads(meta.get("extra", "{}"))
    except (KeyError, json.JSONDecodeError):
        raise CheckpointError("This safetensors file was not saved by rnnviz: it has no model settings.") from None
    try:
        model_config = ModelConfig.from_dict(cfg_dict)
        model = SequenceModel(model_config)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"The saved model settings are invalid: {e}") from None
    try:
        tensors = st_load(data)
    except Exception as e:  # safetensors raises several error types on bad bytes
        raise CheckpointError(f"The weights could not be read: {e}") from None
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in tensors.items()}
    missing, extra_keys = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    if missing or extra_keys:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing[:5]))
        if extra_keys:
            parts.append("unexpected " + ", ".join(extra_keys[:5]))
        raise CheckpointError("The weights do not belong to this model (" + "; ".join(parts) + ").")
    wrong = [f"{k} is {got[k]}, expected {expected[k]}" for k in expected if got[k] != expected[k]]
    if wrong:
        raise CheckpointError("The weights have the wrong shapes: " + "; ".join(wrong[:5]) + ".")
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    model.eval()
    return model, extra


def save(model: SequenceModel, folder: str | os.PathLike, extra: dict | None = None) -> Path:
    """Write model.safetensors and config.json into `folder`. Returns the weights' path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WEIGHTS_NAME
    path.write_bytes(to_bytes(model, extra))
    (folder / "config.json").write_text(json.dumps({"model": model.config.to_dict(), "extra": extra or {}},
                                                   indent=2, ensure_ascii=False))
    return path


def load(source: str | os.PathLike | bytes) -> tuple[SequenceModel, dict]:
    """Load from a folder written by `save`, a .safetensors file, or its bytes."""
    if isinstance(source, (bytes, bytearray)):
        return from_bytes(bytes(source))
    path = Path(source)
    if path.is_dir():
        path = path / WEIGHTS_NAME
    if not path.exists():
        raise CheckpointError(f"There is no model file at {path}.")
    return from_bytes(path.read_bytes())
