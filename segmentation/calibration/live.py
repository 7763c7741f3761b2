"""The Workshop's live calibration: the current settings' priority AUC and top-tier lift against
the marked outcome, beside the baseline settings' (recomputed on every slider move)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.calibration.outcomes import Outcome
from segmentation.calibration.stats import LiveSummary, live_summary


@dataclass(frozen=True)
class LiveView:
    """What the Workshop shows next to the tier counts."""

    label: str  # the outcome, in plain words
    now: LiveSummary
    baseline: LiveSummary | None  # None: the baseline settings cannot be scored without it

    @property
    def signal(self) -> bool:
        """False when priority's 95% AUC interval holds 0.5: no reliable signal."""
        return self.now.auc.clears_half

    @property
    def auc_change(self) -> float | None:
        return None if self.baseline is None else self.now.auc.value - self.baseline.auc.value

    @property
    def lift_change(self) -> float | None:
        if self.baseline is None or self.baseline.top_tier != self.now.top_tier:
            return None
        change = self.now.top_lift - self.baseline.top_lift
        return None if np.isnan(change) else change


def live_view(
    result: pd.DataFrame, outcome: Outcome, baseline: LiveSummary | None = None
) -> LiveView:
    """The live block for `result` (the current settings' segmentation of the outcome's book);
    `baseline` is `live_summary` of the baseline settings' result, computed once per baseline."""
    return LiveView(outcome.label, live_summary(result, outcome), baseline)
