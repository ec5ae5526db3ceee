"""rnnviz: the app's entry point. `streamlit run app.py` (or `make run`).

Page config, the navigation over pages/, and the sidebar every page shares. Each lesson lives
in its own thin file under pages/.
"""
import streamlit as st

from rnnviz.ui.sidebar import shared_sidebar

st.set_page_config(page_title="rnnviz", page_icon="🔁", layout="wide")

PAGES = [
    st.Page("app_pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("app_pages/forecast.py", title="Forecast", icon="📈", url_path="forecast"),
    st.Page("app_pages/next_letter.py", title="Next letter", icon="🔤", url_path="next-letter"),
    st.Page("app_pages/step_through.py", title="Step through", icon="🧮", url_path="step-through"),
]

page = st.navigation(PAGES)
shared_sidebar()
page.run()
