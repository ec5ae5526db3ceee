"""The views of the lesson pages: one module per page, one function per view.

A page (app_pages/<page>.py) reads its settings, makes one rnnviz call and hands the results to
these functions, which draw tables and figures from what rnnviz computed. No maths here: every
number shown comes from the package (tasks, trace, plots).
"""
