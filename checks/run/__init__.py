"""How one grading runs: the submission's copy, the pytest plugin, and a class's workers."""
