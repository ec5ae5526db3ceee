"""The lessons' views: what a page shows, grouped by view, one module per page (a subpackage for
Forecast, the largest).

A page (app_pages/) reads its settings (rnnviz.ui.controls), makes one rnnviz call and calls these.
Each function here draws one view (a form, a live chart, a table) from a run's results; the maths
stays in rnnviz, the figures in rnnviz.plots. common.py holds the views more than one page draws.
"""
