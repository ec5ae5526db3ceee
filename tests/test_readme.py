"""The README's package example runs as written and prints what the README says it prints."""

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    code = code.replace('"assets/', f'"{ROOT}/assets/').replace(
        '"runs/seattle"', repr(str(tmp_path / "seattle"))
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "233"
    assert [ln.split()[:3] for ln in lines[1:6]] == [
        ["hell", "->", "o"],
        ["appl", "->", "e"],
        ["lobb", "->", "y"],
        ["dadd", "->", "y"],
        ["bobb", "->", "y"],
    ]
    assert any(ln.startswith("RMSE") and "vs baseline" in ln for ln in lines)
    assert (tmp_path / "seattle" / "model.safetensors").exists()
