"""`python -m rnnviz`: the command line. See rnnviz/cli.py."""

import sys

from .cli import main

sys.exit(main())
