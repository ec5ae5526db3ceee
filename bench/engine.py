"""Tables 1 and 2: the TrainingJob against a bare torch loop, a DataLoader loop, and threads.

Same model (same seed, so the same initial weights), same data, same shuffling seed, same
epochs; the bare loop slices batches by index like the job does. The job also keeps its history,
checks its stop Event before each batch, computes the gradient norm and snapshots the weights
after each epoch: that is the overhead measured. The final weights of the job and the bare loop
are compared, so the two really did the same work.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import interleaved_medians, table  # noqa: E402
from rnnviz import ModelConfig, SequenceModel, TrainConfig, TrainData, TrainingJob  # noqa: E402
from rnnviz.data import make_char_dataset, sliding_windows  # noqa: E402


def kospi_like(rows: int = 431, features: int = 4, window: int = 5):
    g = torch.Generator().manual_seed(0)
    close = 2000 + torch.cumsum(torch.randn(rows, generator=g) * 10, 0)
    table_ = torch.stack([close + torch.randn(rows, generator=g) for _ in range(features)], dim=1)
    table_ = (table_ - table_.min(0).values) / (table_.max(0).values - table_.min(0).values)
    x = sliding_windows(table_, window)[:-1]  # (426, 5, 4)
    y = table_[window:, -1:]  # (426, 1)
    return x, y


def workloads(quick: bool = False) -> dict:
    x_k, y_k = kospi_like()
    hello = make_char_dataset("hello apple lobby daddy bobby")
    g = torch.Generator().manual_seed(1)
    n_big, steps = (2000, 100) if quick else (10_000, 100)
    series = torch.sin(torch.arange(n_big + steps, dtype=torch.float32) / 7)[:, None]
    series = series + 0.1 * torch.randn(series.shape, generator=g)
    x_b = sliding_windows(series, steps)[:n_big]  # (10000, 100, 1)
    y_b = series[steps : steps + n_big]
    w = {}
    for cell in ("rnn", "lstm", "gru"):
        w[f"kospi-{cell}"] = dict(
            config=ModelConfig(cell=cell, input_size=4, hidden_size=8, num_layers=2),
            x=x_k,
            y=y_k,
            batch=20,
            epochs=200,
            task="regression",
        )
    w["hello-rnn"] = dict(
        config=ModelConfig(cell="rnn", hidden_size=8, vocab_size=9, output_size=9),
        x=hello.x,
        y=hello.y,
        batch=0,
        epochs=200,
        task="classification",
    )
    w["big-lstm64"] = dict(
        config=ModelConfig(cell="lstm", input_size=1, hidden_size=64),
        x=x_b,
        y=y_b,
        batch=256,
        epochs=1,
        task="regression",
    )
    return w


def _loss(out, y, task):
    if task == "classification":
        return torch.nn.functional.cross_entropy(out, y)
    return torch.nn.functional.mse_loss(out, y)


def bare_loop(model, x, y, epochs, batch, task, seed=0, lr=0.01, flat=False):
    """The reference: index slicing from tensors in memory, Adam, nothing else. With `flat`, the
    job's way of stepping (rnnviz.train._flat_parameters), written here in plain torch: every
    parameter a view into one flat tensor, every gradient a view into another, Adam stepping the
    flat one; the job against that is what its bookkeeping costs."""
    params = list(model.parameters())
    stepped = [_flat(params)] if flat else params
    opt = torch.optim.Adam(stepped, lr=lr)
    g = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    batch = n if batch == 0 else batch
    for _ in range(epochs):
        order = torch.randperm(n, generator=g)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            loss = _loss(model(x[idx]), y[idx], task)
            if flat:
                stepped[0].grad.zero_()  # every gradient, in one op
            else:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    for p in params if flat else ():
        p.data = p.data.clone()
    return model


def _flat(params: list) -> torch.nn.Parameter:
    flat = torch.nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))  # (P,)
    flat.grad = torch.zeros_like(flat)
    offset = 0
    for p in params:
        p.data = flat.data[offset : offset + p.numel()].view_as(p)
        p.grad = flat.grad[offset : offset + p.numel()].view_as(p)
        offset += p.numel()
    return flat


def dataloader_loop(model, x, y, epochs, batch, task, seed=0, lr=0.01):
    """As the tutorials write it: DataLoader over a TensorDataset."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(
        TensorDataset(x, y),
        batch_size=x.shape[0] if batch == 0 else batch,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    for _ in range(epochs):
        for xb, yb in loader:
            loss = _loss(model(xb), yb, task)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model


def job_loop(model, x, y, epochs, batch, task, seed=0, lr=0.01, threads=None, job_class=None):
    cfg = TrainConfig(
        epochs=epochs,
        batch_size=batch,
        lr=lr,
        seed=seed,
        clip_norm=None,
        device="cpu",
        threads=threads,
    )
    job_class = job_class or TrainingJob
    job = job_class(model, TrainData(x, y, task=task), cfg).start().join()
    assert job.status == "done", job.message
    return job.model


def load_before(path: str):
    """The TrainingJob of another version of rnnviz/train.py (e.g. `git show main:rnnviz/train.py
    > /tmp/train_main.py`), imported as rnnviz._train_before so that its relative imports resolve
    to this package: a change measured against it in the same process, interleaved."""
    spec = importlib.util.spec_from_file_location("rnnviz._train_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.TrainingJob


def run(
    quick: bool = False, repeats: int = 5, only: str | None = None, before: str | None = None
) -> dict:
    """Tables 1 and 2; `only` names one workload to measure (on a shared machine, the one that
    changed), else all five; `before`, the path of another train.py whose TrainingJob is timed in
    the same rotation (a column of its own; see load_before)."""
    old_job = load_before(before) if before else None
    results = {"engine_overhead": {}, "dataloader_ratio": {}, "threads": {}, "engine_seconds": {}}
    rows, thread_rows = [], []
    chosen = workloads(quick)
    if only is not None:
        if only not in chosen:
            raise SystemExit(f"no workload {only!r}; there are: {', '.join(chosen)}")
        chosen = {only: chosen[only]}
    for name, w in chosen.items():
        torch.set_num_threads(1)
        base = SequenceModel(w["config"], seed=0)
        args = (w["x"], w["y"], w["epochs"], w["batch"], w["task"])
        # same work? the job and the bare loop must end on the same weights
        a = job_loop(copy.deepcopy(base), *args, threads=1)
        b = bare_loop(copy.deepcopy(base), *args)
        c = bare_loop(copy.deepcopy(base), *args, flat=True)
        same = all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters()))
        same_flat = all(torch.equal(p, q) for p, q in zip(b.parameters(), c.parameters()))
        cpu: dict[str, float] = {}
        loops = {  # the equivalence runs above were the warm-up
            "bare": lambda: bare_loop(copy.deepcopy(base), *args),
            "job": lambda: job_loop(copy.deepcopy(base), *args, threads=1),
            "flat": lambda: bare_loop(copy.deepcopy(base), *args, flat=True),
            "dataloader": lambda: dataloader_loop(copy.deepcopy(base), *args),
        }
        if old_job is not None:
            job_loop(copy.deepcopy(base), *args, threads=1, job_class=old_job)  # its warm-up
            loops["before"] = lambda: job_loop(
                copy.deepcopy(base), *args, threads=1, job_class=old_job
            )
        times = interleaved_medians(loops, repeats=repeats, warmup=0, cpu=cpu)
        overhead = times["job"] / times["bare"]
        cpu_overhead = cpu["job"] / cpu["bare"]
        results.setdefault("engine_overhead_cpu", {})[name] = round(cpu_overhead, 4)
        bookkeeping = cpu["job"] / cpu["flat"]
        results.setdefault("bookkeeping_cpu", {})[name] = round(bookkeeping, 4)
        dl = times["dataloader"] / times["bare"]
        results["engine_overhead"][name] = round(overhead, 4)
        results["dataloader_ratio"][name] = round(dl, 4)
        results["engine_seconds"][name] = {k: round(v, 4) for k, v in times.items()}
        rows.append(
            [
                name,
                times["bare"],
                times["job"],
                overhead,
                cpu_overhead,
                "yes" if min(overhead, cpu_overhead) <= 1.05 else "NO",
                dl,
                "yes" if same else "NO",
                times["flat"],
                bookkeeping,
                "yes" if same_flat else "NO",
            ]
            + ([cpu["before"] / cpu["bare"]] if old_job is not None else [])
        )
        if old_job is not None:
            results.setdefault("engine_overhead_cpu_before", {})[name] = round(
                cpu["before"] / cpu["bare"], 4
            )
        # threads: 1 vs 2 for the job (a quarter of the epochs: the ratio is what counts)
        short = (w["x"], w["y"], max(1, w["epochs"] // 4), w["batch"], w["task"])
        t = interleaved_medians(
            {
                "1": lambda: job_loop(copy.deepcopy(base), *short, threads=1),
                "2": lambda: job_loop(copy.deepcopy(base), *short, threads=2),
            },
            repeats=3,
            warmup=0,
        )
        torch.set_num_threads(1)
        winner = "1" if t["1"] <= t["2"] else "2"
        results["threads"][name] = {
            "1": round(t["1"], 4),
            "2": round(t["2"], 4),
            "faster": int(winner),
        }
        thread_rows.append([name, t["1"], t["2"], t["2"] / t["1"], winner])
    results["tables"] = [
        "### 1. Training engine overhead (CPU, 1 torch thread, median of "
        f"{repeats} runs, seconds per whole training run)\n\n"
        + table(
            [
                "workload",
                "bare loop s",
                "TrainingJob s",
                "job / bare",
                "job / bare in CPU time",
                "<= 1.05",
                "DataLoader / bare",
                "same final weights",
                "bare loop, one flat step s",
                "job / flat bare in CPU time",
                "flat bare = bare, bit for bit",
            ]
            + (["before: job / bare in CPU time"] if old_job is not None else []),
            rows,
        ),
        "What the job adds to a bare loop: per epoch, the loss as a number (the NaN guard and "
        "the best epoch need it at once), one fused copy of the weights (one flat tensor on the "
        "CPU) that also copies the last batch's gradients (one flat buffer after the first "
        "backward pass, which also makes zeroing them one op instead of the optimizer's "
        "zero_grad) into the run's ledger, a CPU "
        "copy of the weights on the epochs the snapshot grid keeps (about half of a 200-epoch "
        "run's) and the stop checks; every 20 ms, and at every end, stop or pause, the finished "
        "epochs' rows are made together (their gradient norms in one op, their training accuracy "
        "in one vmapped call of the model's metrics) and go to the history; at the end, "
        "divergence rule 3. "
        "That rule needs a forward pass over the "
        "judged part only when it could fire: with a validation part, a small validation RMSE "
        "rules it out, and the untrained model's place is computed only when the trained one's is "
        "past the limit; a part bigger than 1,024 windows is judged on 1,024 evenly spaced ones "
        "(big-lstm64 has no validation part and one epoch: a pass over all 10,000 training windows "
        "was a quarter of its run). 'in CPU time' times the same calls by this process's CPU time "
        "(every thread), which leaves out the waits for a core on a shared machine; '<= 1.05' "
        "takes the lower of the two. The DataLoader column is what the tutorials' loop costs. "
        "On the CPU the job steps every parameter at once: their values are views into one flat "
        "tensor that the optimizer steps, with one op per update rule instead of one per rule and "
        "parameter (rnnviz.train._flat_parameters); Adam and SGD update each value on its own, so "
        "the weights are the same bit for bit. The last three columns time a bare loop that does "
        "the same, in plain torch: the job against it is what the bookkeeping alone costs.\n\n"
        "### 2. Threads: the TrainingJob with 1 and 2 torch threads (a quarter of the epochs, "
        "median of 3)\n\n"
        + table(["workload", "1 thread s", "2 threads s", "2 / 1", "faster"], thread_rows)
        + "\n\nThe default follows the small workloads the lessons run: 1 torch thread per job "
        "(app.py sets it once for the server), and 2 jobs train at once on a 2-core machine. Only "
        "a big batch of long windows gains from 2 threads, and on a shared server the second core "
        "is better spent on a second user.",
    ]
    return results


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer windows and 3 repeats")
    parser.add_argument("--only", metavar="NAME", help="measure one workload, e.g. hello-rnn")
    parser.add_argument("--repeats", type=int, help="interleaved repeats (default 5, quick 3)")
    parser.add_argument(
        "--before", metavar="TRAIN_PY", help="also time the TrainingJob of this train.py"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _arguments(sys.argv[1:])
    repeats = args.repeats or (3 if args.quick else 5)
    out = run(quick=args.quick, repeats=repeats, only=args.only, before=args.before)
    print("\n\n".join(out["tables"]))
