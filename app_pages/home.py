"""Home: what each lesson is, in two sentences, and a link to open it; the teacher presets."""

import csv
from pathlib import Path

import streamlit as st

from rnnviz.ui.i18n import t
from rnnviz.ui.state import plain

PRESETS = Path(__file__).resolve().parents[1] / "assets" / "presets" / "presets.csv"

st.title(t("rnnviz: watch a recurrent network learn"))
st.write(
    t(
        "Train small RNN, LSTM and GRU models live, on your own CSV or on the bundled samples, "
        "and look inside while they learn: the hidden state step by step, every gate, the loss "
        "curves, and the forecast beside the naive 'next = last' baseline."
    )
)

LESSONS = [
    (
        "app_pages/forecast.py",
        "📈",
        t("Forecast"),
        t(
            "Upload a CSV (or use the bundled Seattle weather) and train a model to predict the "
            "next value of a column. Watch the loss fall, compare the forecast with the "
            "persistence baseline in the data's own units, and see the hidden state move through "
            "the series."
        ),
    ),
    (
        "app_pages/next_letter.py",
        "🔤",
        t("Next letter"),
        t(
            "Type a few words (any language) and train a character-level RNN to guess each word's "
            "last letter, or every next letter. See the one-hot tensor, count the parameters, "
            "watch the softmax after each letter and let the model write."
        ),
    ),
    (
        "app_pages/step_through.py",
        "🧮",
        t("Step through"),
        t(
            "One RNN, LSTM or GRU cell with numbers you can edit, or the weights of a model "
            "trained on another page. Each step's equations are shown twice: with symbols, then "
            "with the real numbers, down to the result."
        ),
    ),
    (
        "app_pages/digits.py",
        "✍️",
        t("Digits"),
        t(
            "Handwritten digits read one row of pixels per time step (or your own images-as-rows "
            "CSV). Watch the accuracy climb, read the confusion matrix, and see how sure the "
            "model is after each row it has read."
        ),
    ),
    (
        "app_pages/seq2seq.py",
        "🔁",
        t("Seq2seq"),
        t(
            "Type source -> target pairs (English to Korean, reversed words, dates) and train an "
            "encoder-decoder. See the encoder's states, the context vector, and each decoder step "
            "with and without teacher forcing."
        ),
    ),
    (
        "app_pages/compare.py",
        "⚖️",
        t("Compare"),
        t(
            "RNN, LSTM and GRU on one task with the same seed and budget, side by side; and the "
            "vanishing gradient: how much of the loss reaches a step N positions back."
        ),
    ),
]

for path, icon, title, text in LESSONS:
    with st.container(border=True):
        st.subheader(f"{icon} {title}")
        st.write(text)
        st.page_link(path, label=t("Open {page}", page=title), icon="➡️")

with st.expander(t("For teachers: ready-made lessons (links with settings, some controls hidden)")):
    st.caption(
        t(
            "Each link opens a page with its settings filled in and the controls that would "
            "distract hidden (the link's hide=... part). Every page has a 'Share these settings' "
            "box that makes such a link from what is on screen; add &hide= and the names of the "
            "settings to hide. The list is assets/presets/presets.csv."
        )
    )
    with PRESETS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            st.markdown(
                f"- [{plain(t(row['lesson']))}](./{row['page']}?{row['query']}): "
                f"{plain(t(row['what the students do']))}"
            )

st.caption(
    t(
        "A file you upload is held in this server's memory for your session only: it is never "
        "written to disk, no other user can see it, and it is dropped a couple of minutes after "
        "you close the tab."
    )
)
