"""``python -m cadre_desk``: the same as the ``cadre-desk`` command."""

import sys

from cadre_desk.cli import main

sys.exit(main())
