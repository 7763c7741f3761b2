"""Tierwise's benchmark: `python -m bench` (see README, "Speed")."""
