"""The streamlit side of rnnviz: the only package that imports streamlit.

    live      live training: one TrainingJob per session, a shared gate, the refreshing fragment
    sidebar   the settings every page shares (device, seed)
    state     per-session state helpers (everything lives in st.session_state)
"""
