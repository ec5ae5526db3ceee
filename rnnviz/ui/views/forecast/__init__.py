"""The Forecast page's views: the data (data.py), the settings form (form.py), starting a run
(start.py), one run live (live.py), several runs (spread.py), the baseline ladder (ladder.py), the
model's insides (inside.py) and the files a run gives or takes (files.py)."""
