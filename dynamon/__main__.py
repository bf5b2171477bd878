"""python -m dynamon: the engine's command line."""

import sys

from dynamon.cli import main

sys.exit(main())
