"""One core view per panel the pages draw: a page asks for a panel's view and draws it.

tiers (the tier cards, coverage), quadrant, histogram, data_quality and accounts; movement
between tiers lives in `segmentation.movement`. UI-free and vectorised: every function works
on the result of `segment()` / `tier_accounts()`, so a 100k-account book redraws on every
slider move.
"""
