"""Uploads: kept in memory, within a per-session budget, and the previous book let go first.

Streamlit (1.67) serves uploads through Starlette, whose multipart parser spools every file
part over 1 MB to a temporary file on disk. Customer lists must never touch the disk, so the
spool threshold is raised above the upload limit: the part stays a BytesIO in memory.
"""

from __future__ import annotations

import gc
from collections.abc import MutableMapping
from typing import Any

from starlette.formparsers import MultiPartParser

from segmentation.loading import MAX_UPLOAD_MB

# A multipart body is a little larger than the file it carries.
SPOOL_BYTES = (MAX_UPLOAD_MB + 1) * 1024 * 1024
SESSION_BUDGET_MB = 1000  # bytes one browser session may upload in all (five full-size files)
USED = "tw_upload_bytes"


def keep_uploads_in_memory() -> None:
    """Raise Starlette's spool-to-disk threshold above the upload limit (idempotent)."""
    if not hasattr(MultiPartParser, "spool_max_size"):  # a Starlette that changed its parser
        raise RuntimeError("starlette.formparsers.MultiPartParser.spool_max_size is gone")
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, SPOOL_BYTES)


def admit(session: MutableMapping[str, Any], name: str, size: int) -> str | None:
    """Count an upload against the session's budget; the refusal when it would go over."""
    used = session.get(USED, 0)
    if used + size > SESSION_BUDGET_MB * 1024 * 1024:
        return (
            f"{name} was not read: this session has already uploaded {used / 1024**2:,.0f} MB, "
            f"and one session may upload {SESSION_BUDGET_MB:,} MB in all; reload the page to "
            "start a fresh session, then upload the file again."
        )
    session[USED] = used + size
    return None


def free_derived(session: MutableMapping[str, Any], empty: dict[str, Any]) -> None:
    """Let go of the previous book's scores and results (`empty`: key -> empty value) before
    a new book is read, so a session holds one book's derived tables, not two. The collector
    runs only when there were tables to let go of (a collection takes a tenth of a second)."""
    held = any(_holds(session.get(key)) for key in empty)
    session.update(empty)
    if held:
        gc.collect()


def _holds(value: Any) -> bool:
    """Whether a derived-table slot holds anything (None and {} are its empty values)."""
    return value is not None and not (isinstance(value, dict) and not value)
