"""The sidebar every page shares: the session's running jobs (their heartbeat), the language,
where training runs (device) and the seed."""

from __future__ import annotations

import streamlit as st
import torch

from ..train import resolve_device
from . import share
from .i18n import LANGUAGES, t

__all__ = ["choose_language", "shared_sidebar", "device_choice", "seed_choice"]


def _devices() -> list[str]:
    options = ["auto", "cpu"]
    if torch.cuda.is_available():
        options.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        options.append("mps")
    return options


def choose_language() -> None:
    """Before anything is drawn: the language from a link or the last choice, else the browser's."""
    share.param("lang", options=list(LANGUAGES))
    if "lang" not in st.session_state:
        st.session_state["lang"] = (
            "ko" if str(st.context.locale or "").lower().startswith("ko") else "en"
        )


def shared_sidebar():
    """Drawn by app.py on every page, before the page. Returns the place at its top for the
    session's running jobs that the page does not show (live.session_heartbeat), which app.py draws
    after the page: by then it knows which runs the page drew a live view for, a run that Train
    started in this script run too."""
    with st.sidebar:
        jobs = st.container()
        st.radio(
            "Language / 언어",
            list(LANGUAGES),
            key="lang",
            format_func=LANGUAGES.get,
            horizontal=True,
        )
        share.param("device", options=_devices())
        st.selectbox(
            t("Device"),
            _devices(),
            key="device",
            help=t("auto uses a CUDA GPU or Apple MPS when there is one, else the CPU."),
        )
        auto = resolve_device("auto")
        name = torch.cuda.get_device_name(0) if auto.type == "cuda" else auto.type.upper()
        st.caption(f"auto = {name}")
        share.param("seed", "int", lo=0, hi=2**31 - 1)
        st.number_input(
            t("Seed"),
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            key="seed",
            help=t(
                "The same seed gives the same starting weights and the same training on the CPU."
            ),
        )
    return jobs


def device_choice() -> str:
    return st.session_state.get("device", "auto")


def seed_choice() -> int:
    return int(st.session_state.get("seed", 0))
