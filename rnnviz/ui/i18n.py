"""The UI's languages: English and Korean, switched in the sidebar.

English is the source text, written where it is shown (as gettext does); every other language is
one table, rnnviz/ui/lang/<code>.py, mapping each English string to its translation. `t()` looks a
string up in the session's language and fills its {placeholders}. A test holds every t("...") in
the code to an entry in every table, with the same placeholders. Messages raised by the package
itself (DataError, a job's ending) stay in English: they name the user's own rows and columns.
"""

from __future__ import annotations

import streamlit as st

from .lang import ko

__all__ = ["LANGUAGES", "TABLES", "t", "language"]

LANGUAGES = {"en": "English", "ko": "한국어"}
TABLES: dict[str, dict[str, str]] = {"ko": ko.STRINGS}


def language() -> str:
    lang = st.session_state.get("lang")
    return lang if lang in LANGUAGES else "en"


def t(text: str, **values) -> str:
    """`text` in the session's language, with {placeholders} filled from `values`."""
    lang = language()
    if lang != "en":
        text = TABLES[lang].get(text, text)
    return text.format(**values) if values else text
