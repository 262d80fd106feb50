"""Carrying data between cadres' laptops and the county office as files.

``roles`` (county office or laptop, enrolment), ``keys`` (this database's key
pairs), ``package`` (the signed, encrypted file), ``export`` (what goes in a
package), ``importer`` (checks, then applies all or nothing), ``merge``
(field-level merge by hybrid logical clock, conflicts, the same person
entered twice), ``conflicts`` (the county office's review).
"""

from .roles import allowed_household_numbers

__all__ = ["allowed_household_numbers"]
