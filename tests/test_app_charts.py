"""Issue 15's truthful charts and counts on the pages, under AppTest.

The figures' own tests are in test_plots_truth.py.
"""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_read_and_preview_count_the_same_rows_and_columns():
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    read = re.search(r"Read ([\d,]+) rows x (\d+) columns", " ".join(c.value for c in at.caption))
    preview = [re.search(r"Preview: ([\d,]+) rows x (\d+) columns", e.label) for e in at.expander]
    preview = [m for m in preview if m]
    assert read and preview, (read, [e.label for e in at.expander])
    assert read.groups() == preview[0].groups()
