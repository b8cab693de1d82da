"""Writes of the time audit (step 1): imports, the live feed, participants, the task catalogue."""
