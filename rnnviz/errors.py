"""The one base class of every error a user can act on: `UserError`.

A `UserError` says, in the user's terms, what is wrong and what to do; a page shows its message
and nothing else, and the CLI prints it and exits with status 2. Its kinds live beside the code
that raises them:

    DataError        rnnviz.data      a file, a table, typed words or pairs that cannot be used
    LimitError       rnnviz.limits    a setting above this server's limits
    MetricError      rnnviz.metrics   a forecast whose error would be infinite or NaN
    CheckpointError  rnnviz.checkpoint  a model file that cannot be loaded

Anything else that escapes rnnviz is a bug: the app logs it with its traceback and tells the
user "Something went wrong; nothing was lost." (rnnviz.ui.state.report_bug). UserError is a
ValueError, so code written before it, which caught ValueError, still catches every kind.
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(ValueError):
    """A problem the user can fix, phrased for them: what, where, and what to do."""
