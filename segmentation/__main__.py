"""`python -m segmentation ...`: see segmentation/cli.py."""

import sys

from segmentation.cli import main

sys.exit(main())
