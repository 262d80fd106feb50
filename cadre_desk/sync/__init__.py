"""Carrying data between cadres' laptops and the county office as files.

``roles`` (county office or laptop, devices, enrolment), ``keys`` (this
database's key pairs and rotated receiving keys), ``package`` (the signed,
encrypted file), ``schema`` (the shape a package's parts must have),
``selection`` (which rows go in a package), ``export`` (writing packages:
one manifest builder, one log writer), ``importer`` (checks, then applies;
rows a laptop may not change are refused alone), ``merge`` (field-level
merge by hybrid logical clock, conflicts, the same person entered twice),
``conflicts`` (the county office's review), ``journal`` (the sync log and
the refused rows in words). Imports go one way: roles and keys know
nothing of export or importer.
"""

from .roles import allowed_household_numbers

__all__ = ["allowed_household_numbers"]
