"""Table 4: trace and gradient_norms against the fused module, LSTM hidden 128, 2 layers, 1,000 steps.

trace re-runs the weights through explicit cells (a Python loop over steps for the recurrence,
every gate computed for all steps at once); the fused pass is torch's nn.LSTM forward.
gradient_norms unrolls with autograd; its reference is one fused forward and backward.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import median_seconds, table  # noqa: E402
from rnnviz import ModelConfig, SequenceModel, gradient_norms, trace  # noqa: E402


def run(repeats: int = 5, device: str = "cpu") -> dict:
    model = SequenceModel(ModelConfig(cell="lstm", input_size=4, hidden_size=128, num_layers=2), seed=0)
    model = model.to(device).eval()
    x = torch.randn(1000, 4, device=device)
    y = torch.tensor([0.5], device=device)

    def fused():
        with torch.no_grad():
            model(x[None])
        if device == "cuda":
            torch.cuda.synchronize()

    def fused_backward():
        loss = torch.nn.functional.mse_loss(model(x[None]), y.reshape(1, 1))
        loss.backward()
        model.zero_grad(set_to_none=True)
        if device == "cuda":
            torch.cuda.synchronize()

    def traced():
        trace(model, x)
        if device == "cuda":
            torch.cuda.synchronize()

    t_fused = median_seconds(fused, repeats)
    t_trace = median_seconds(traced, repeats)
    t_fb = median_seconds(fused_backward, repeats)
    t_grad = median_seconds(lambda: gradient_norms(model, x, y), max(3, repeats - 2))
    rows = [["trace", t_trace * 1000, t_fused * 1000, t_trace / t_fused],
            ["gradient_norms", t_grad * 1000, t_fb * 1000, t_grad / t_fb]]
    text = (f"### 4. Trace on {device} (LSTM hidden 128, 2 layers, 1,000 steps; median of {repeats})\n\n"
            + table(["function", "ms", "fused reference ms", "ratio"], rows)
            + "\n\nReferences: one fused forward pass for trace, one fused forward + backward for gradient_norms.")
    return {"trace_ms": round(t_trace * 1000, 2), "trace_vs_fused": round(t_trace / t_fused, 2),
            "gradient_norms_ms": round(t_grad * 1000, 1), "gradient_norms_vs_fused": round(t_grad / t_fb, 2),
            "tables": [text]}


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(run()["tables"][0])
