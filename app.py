"""rnnviz: the app's entry point. `streamlit run app.py` (or `make run`).

Page config, the navigation over app_pages/, and the sidebar every page shares. Each lesson lives
in its own thin file under app_pages/ (not pages/: Streamlit would treat that folder as a legacy
multipage app). A page shows a UserError's message itself; any other error is a bug, logged with
its traceback and shown as one sentence (rnnviz.ui.state.bugs_reported). ARCHITECTURE.md has the
map.
"""

import streamlit as st
import torch

from rnnviz.ui.i18n import t
from rnnviz.ui.live import executor, session_heartbeat, warm_up
from rnnviz.ui.sidebar import choose_language, shared_sidebar
from rnnviz.ui.state import bugs_reported

# One torch thread for everything in this process (every job, every page): a server runs
# several jobs at once, and changing the count while one runs can hang OpenMP.
if torch.get_num_threads() != 1:
    torch.set_num_threads(1)

st.set_page_config(page_title="rnnviz", page_icon="🔁", layout="wide")

warm_up()
executor()  # the training pool, started warm once per server process (not at the first Train)
choose_language()
PAGES = [
    st.Page("app_pages/home.py", title=t("Home"), icon="🏠", default=True),
    st.Page("app_pages/forecast.py", title=t("Forecast"), icon="📈", url_path="forecast"),
    st.Page("app_pages/next_letter.py", title=t("Next letter"), icon="🔤", url_path="next-letter"),
    st.Page(
        "app_pages/step_through.py", title=t("Step through"), icon="🧮", url_path="step-through"
    ),
    st.Page("app_pages/digits.py", title=t("Digits"), icon="✍️", url_path="digits"),
    st.Page("app_pages/seq2seq.py", title=t("Seq2seq"), icon="🔁", url_path="seq2seq"),
    st.Page("app_pages/compare.py", title=t("Compare"), icon="⚖️", url_path="compare"),
]
page = st.navigation(PAGES)
with bugs_reported():
    running_jobs = shared_sidebar()
    page.run()
with bugs_reported(), running_jobs:
    # the session-wide heartbeat, at the sidebar's top: a job trains on while its student looks
    # elsewhere. Drawn after the page, it leaves out the runs the page shows live (their view is
    # their heartbeat), a run that Train started in this script run too.
    session_heartbeat(PAGES)
