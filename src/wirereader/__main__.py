"""`python -m wirereader` is the same as the `wirereader` command."""

import sys

from wirereader.cli import main

sys.exit(main())
