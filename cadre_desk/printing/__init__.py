"""Printed documents as PDFs: the household handbook (``handbook``) and the
county's policy compilation (``compilation``).

Layout is data in ``styles``; the bundled font is registered once per process
(``fonts``); every document uses the one template of ``document``; our own
flowables live in ``flowables``. Output is byte-repeatable: ReportLab runs in
invariant mode, so the same data gives the same PDF.
"""

from .document import PrintCancelled

__all__ = ["PrintCancelled"]
