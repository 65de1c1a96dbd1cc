"""``python -m papernotes``."""

import sys

from papernotes.cli.main import main

sys.exit(main())
