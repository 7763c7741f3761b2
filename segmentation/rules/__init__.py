"""The rules: metrics -> pillar scores -> priority -> tier -> quadrant, with reasons.

One module per rule (schemes, pillars, tiers, quadrant), each owning its settings, their
constraints (checked by `constraints`), its vectorised numbers and its plain words.
No I/O, no UI.
"""
