"""The Forecast page's views: the data (data.py), the settings form (form.py), a run: how it
starts and which views show it (run.py), one run live (one.py), several runs (spread.py), the
baseline ladder (ladder.py), the model's insides (inside.py) and the downloads (files.py)."""
