"""``python -m bench [--quick] [--json] …``: the benchmark without cli.py."""

import sys

from bench import _standalone

sys.exit(_standalone())
