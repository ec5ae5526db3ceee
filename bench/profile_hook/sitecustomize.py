"""A sampling profiler for the app's server, for bench/class_bench.py --profile (no py-spy here).

Python imports `sitecustomize` at start-up from PYTHONPATH; class_bench starts the server with
this folder on PYTHONPATH and RNNVIZ_PROFILE_OUT set. In that process only (the variable is
removed at once, so the worker processes it spawns do not profile), a daemon thread wakes every
INTERVAL_S while the file RNNVIZ_PROFILE_OUT + ".on" exists (the bench creates it when the class
presses Train and removes it once every run has ended), reads each thread's CPU ticks
(/proc/self/task/TID/stat) and, for every thread that used CPU since the last look, counts its
Python stack (sys._current_frames). When the ".on" file goes, and at exit, it writes
RNNVIZ_PROFILE_OUT as JSON: samples by thread name, the functions with the most samples,
inclusive (on the stack) and self (on top), and the commonest innermost stacks. A sample is a
thread seen running; the sampler itself takes the GIL about 100 times a second while on.
"""

import json
import os
import sys
import threading
import time
from collections import Counter

INTERVAL_S = 0.01
STACK_DEPTH = 14
OUT = os.environ.pop("RNNVIZ_PROFILE_OUT", None)


def _ticks(native_id: int) -> int:
    try:
        with open(f"/proc/self/task/{native_id}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return -1


def _where(code) -> str:
    path = code.co_filename
    short = path.rsplit("site-packages/", 1)[-1] if "site-packages/" in path else path
    return f"{short.rsplit('/rnnviz/', 1)[-1]}:{code.co_name}"


class _Sampler(threading.Thread):
    def __init__(self, out: str):
        super().__init__(daemon=True, name="rnnviz-profile-sampler")
        self.out = out
        self.by_thread: Counter = Counter()
        self.inclusive: Counter = Counter()
        self.self_: Counter = Counter()
        self.stacks: Counter = Counter()  # the innermost STACK_DEPTH frames, outermost first
        self.samples = 0
        self._last: dict[int, int] = {}

    def _sample(self) -> None:
        threads = {t.ident: t for t in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            t = threads.get(ident)
            if t is None or t is self or t.native_id is None:
                continue
            ticks = _ticks(t.native_id)
            ran = ticks > self._last.get(t.native_id, ticks)
            self._last[t.native_id] = ticks
            if not ran:
                continue
            self.samples += 1
            kind = "main" if t is threading.main_thread() else t.name.split("-")[0]
            self.by_thread[kind] += 1
            self.self_[_where(frame.f_code)] += 1
            stack = []
            while frame is not None:
                stack.append(_where(frame.f_code))
                frame = frame.f_back
            self.inclusive.update(set(stack))
            self.stacks[";".join(reversed(stack[:STACK_DEPTH]))] += 1

    def dump(self) -> None:
        report = {
            "interval_s": INTERVAL_S,
            "samples": self.samples,
            "by_thread": dict(self.by_thread.most_common()),
            "inclusive": self.inclusive.most_common(80),
            "self": self.self_.most_common(40),
            "stacks": self.stacks.most_common(60),
        }
        with open(self.out + ".tmp", "w") as f:
            json.dump(report, f, indent=1)
        os.replace(self.out + ".tmp", self.out)

    def run(self) -> None:
        on, checked = False, 0.0
        while True:
            time.sleep(INTERVAL_S)
            if time.monotonic() - checked > 0.1:  # the bench says when: OUT.on exists
                checked, was = time.monotonic(), on
                on = os.path.exists(self.out + ".on")
                if was and not on:
                    self.dump()
            if on:
                self._sample()


if OUT:
    import atexit

    _sampler = _Sampler(OUT)
    _sampler.start()
    atexit.register(_sampler.dump)
