"""Loading the shapes that used to take 30-90 s: very wide, and very long and narrow."""

from __future__ import annotations

import io


def shape_csv(rows: int, columns: int) -> bytes:
    """A CSV of `rows` accounts: a name column, then `columns - 1` numeric columns."""
    header = ",".join(["Account Name"] + [f"Metric {i}" for i in range(1, columns)])
    body = "\n".join(",".join([f"Account {r}"] + [str(r)] * (columns - 1)) for r in range(rows))
    return (header + "\n" + body + "\n").encode()


def load_shape(rows: int, columns: str) -> float:
    """Seconds to load a `rows` x `columns` CSV (columns as text: the plan's label format)."""
    import time

    import segmentation as seg

    data = shape_csv(rows, int(columns))
    start = time.perf_counter()
    seg.load(io.BytesIO(data), filename="shape.csv")
    return time.perf_counter() - start
