"""`python -m vlmkit ...`: the same as the `vlmkit` command."""

import sys

from vlmkit.commands import main

sys.exit(main())
