"""Issue 17 items 4 and 5: an upload never touches the disk; a session has an upload budget."""

from __future__ import annotations

import asyncio
import os
import tempfile

import pytest
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartParser

from ui import uploads

BOUNDARY = "----tierwiseboundary"


def _multipart(payload: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="accounts.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + payload
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def _parse(body: bytes):
    async def stream():
        for start in range(0, len(body), 64 * 1024):  # as the server receives it: in chunks
            yield body[start : start + 64 * 1024]

    headers = Headers({"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    return asyncio.run(MultiPartParser(headers, stream()).parse())


def _files_under(folder) -> list[str]:
    return [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names]


@pytest.fixture
def watched_tmp(tmp_path, monkeypatch):
    """The temp dir every tempfile call uses, and Starlette's threshold restored after."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(MultiPartParser, "spool_max_size", MultiPartParser.spool_max_size)
    return tmp_path


def _anonymous_files_created(watched, body: bytes) -> tuple[list[str], bool]:
    """Files seen under the temp dir while parsing (spooled files are unlinked at once, so
    watch os.open too), and whether the upload's buffer rolled over to a real file."""
    seen: list[str] = []
    real_open = os.open

    def spy(path, *args, **kwargs):
        if str(path).startswith(str(watched)):
            seen.append(str(path))
        return real_open(path, *args, **kwargs)

    os.open = spy
    try:
        form = _parse(body)
    finally:
        os.open = real_open
    upload = form["file"]
    rolled = bool(getattr(upload.file, "_rolled", False))
    assert upload.file.read() == body.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n--", 1)[0]
    return seen + _files_under(watched), rolled


def test_default_starlette_spools_a_large_upload_to_disk(watched_tmp, monkeypatch) -> None:
    """What the old main did with any upload over 1 MB (Starlette's own 1 MB threshold)."""
    monkeypatch.setattr(MultiPartParser, "spool_max_size", 1024 * 1024)
    seen, rolled = _anonymous_files_created(watched_tmp, _multipart(b"a,b\n" * 600_000))
    assert rolled and seen


@pytest.mark.parametrize("size_mb", [1, 2, 50])
def test_upload_stays_in_memory(watched_tmp, size_mb: int) -> None:
    uploads.keep_uploads_in_memory()
    payload = b"Account ID,Account Name\n" + b"A-1,Acme\n" * (size_mb * 1024 * 1024 // 9)
    seen, rolled = _anonymous_files_created(watched_tmp, _multipart(payload))
    assert not rolled
    assert seen == []


def test_threshold_is_above_the_upload_limit() -> None:
    uploads.keep_uploads_in_memory()
    assert MultiPartParser.spool_max_size > uploads.MAX_UPLOAD_MB * 1024 * 1024


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("already", "size", "admitted"),
    [
        (0, 200 * MB, True),
        (800 * MB, 200 * MB, True),  # exactly at the budget
        (800 * MB, 200 * MB + 1, False),  # one byte over
        (999 * MB, 2 * MB, False),
    ],
)
def test_session_upload_budget(already: int, size: int, admitted: bool) -> None:
    assert uploads.SESSION_BUDGET_MB == 1000
    session = {uploads.USED: already}
    refusal = uploads.admit(session, "big.csv", size)
    assert (refusal is None) == admitted
    assert session[uploads.USED] == (already + size if admitted else already)
    if not admitted:
        assert refusal.startswith("big.csv was not read") and "\n" not in refusal


def test_new_upload_frees_the_previous_derived_tables() -> None:
    import gc
    import weakref

    import pandas as pd

    result = pd.DataFrame({"x": range(1000)})
    alive = weakref.ref(result)
    session = {"tw_result": result, "tw_scores": {"k": 1}}
    del result
    uploads.free_derived(session, {"tw_result": None, "tw_scores": {}})
    gc.collect()
    assert alive() is None and session == {"tw_result": None, "tw_scores": {}}


def test_a_first_upload_with_nothing_to_free_runs_no_collection() -> None:
    import gc

    import pandas as pd

    runs = []
    callback = lambda phase, info: runs.append(phase) if phase == "start" else None  # noqa: E731
    was_enabled = gc.isenabled()
    gc.disable()  # only the collections free_derived asks for are counted
    gc.callbacks.append(callback)
    try:
        empty = {"tw_result": None, "tw_scores": {}}
        uploads.free_derived({"tw_result": None, "tw_scores": {}}, empty)
        assert runs == []  # nothing held: no collection
        uploads.free_derived({"tw_result": pd.DataFrame({"x": [1]}), "tw_scores": {}}, empty)
        assert runs  # a previous book's table: collected
    finally:
        gc.callbacks.remove(callback)
        if was_enabled:
            gc.enable()
