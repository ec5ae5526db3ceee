"""Checkpoints: safetensors round trip; foreign, tampered and pickled files refused."""
import io
import json
import pickle

import pytest
import torch
from safetensors.torch import save as st_save

from rnnviz import ModelConfig, SequenceModel, checkpoint
from rnnviz.checkpoint import CheckpointError


def _model():
    return SequenceModel(ModelConfig(cell="lstm", input_size=3, hidden_size=5, num_layers=2), seed=0)


def test_round_trip_folder_and_bytes(tmp_path):
    m = _model()
    path = checkpoint.save(m, tmp_path / "run", extra={"target": "Close"})
    assert json.loads((tmp_path / "run" / "config.json").read_text())["model"]["hidden_size"] == 5
    for source in (tmp_path / "run", path, path.read_bytes()):
        loaded, extra = checkpoint.load(source)
        assert extra == {"target": "Close"}
        x = torch.randn(2, 4, 3)
        assert torch.equal(loaded(x), m.eval()(x))


def test_pickle_file_is_refused():
    buf = io.BytesIO()
    torch.save(_model().state_dict(), buf)  # torch's pickle-based format
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        checkpoint.load(buf.getvalue())
    with pytest.raises(CheckpointError):
        checkpoint.load(pickle.dumps({"a": 1}))


def test_wrong_shapes_are_refused():
    m = _model()
    tensors = {k: v.clone() for k, v in m.state_dict().items()}
    tensors["head.weight"] = torch.zeros(1, 7)
    data = st_save(tensors, metadata={"config": json.dumps(m.config.to_dict())})
    with pytest.raises(CheckpointError, match="wrong shapes: head.weight"):
        checkpoint.load(data)


def test_extra_or_missing_keys_are_refused():
    m = _model()
    tensors = dict(m.state_dict())
    tensors["evil"] = torch.zeros(1)
    with pytest.raises(CheckpointError, match="unexpected evil"):
        checkpoint.load(st_save(tensors, metadata={"config": json.dumps(m.config.to_dict())}))
    tensors.pop("evil")
    tensors.pop("head.bias")
    with pytest.raises(CheckpointError, match="missing head.bias"):
        checkpoint.load(st_save(tensors, metadata={"config": json.dumps(m.config.to_dict())}))


def test_foreign_safetensors_without_config_is_refused():
    with pytest.raises(CheckpointError, match="not saved by rnnviz"):
        checkpoint.load(st_save({"w": torch.zeros(2)}))


def test_tampered_config_is_refused():
    m = _model()
    cfg = m.config.to_dict() | {"cell": "transformer"}
    with pytest.raises(CheckpointError, match="settings are invalid"):
        checkpoint.load(st_save(dict(m.state_dict()), metadata={"config": json.dumps(cfg)}))
