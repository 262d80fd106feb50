"""Cadre Desk core: the Qt-free part of the employment-assistance desktop tool.

Everything here runs headless (CLI, county office scripts, tests); the PySide6
front end in ``ui/`` calls into it and never the other way round.
"""

__version__ = "0.1.0"
