"""The streamlit side of rnnviz: the only package that imports streamlit.

live      live training: one job per run on the server's executor (worker processes), the
          refreshing fragment
sidebar   the settings every page shares (device, seed)
state     per-session state helpers (everything lives in st.session_state)
"""
