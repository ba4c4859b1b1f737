"""``python -m fipgen``: the ``fipgen`` command."""

import sys

from .cli import main

sys.exit(main())
