"""Where a grade goes: one renderer per format, the delivery of a run, and the class report."""
