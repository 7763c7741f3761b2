"""Scoring: metrics -> pillar scores -> priority -> tier, with reasons. No I/O, no UI."""
