"""CLI commands, one module per area; each module's ``register(subparsers)``
adds its commands to ``cadre-desk`` (see ``cadre_desk/cli.py``)."""
