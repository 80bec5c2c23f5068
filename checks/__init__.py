"""Flask Club's checks: one pytest module per step of the exercise, and `python -m checks`."""
