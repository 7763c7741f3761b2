"""Run python-calamine in a child process with an address-space and a time limit.

A hostile 2 KB workbook can make the Rust reader allocate hundreds of GB and abort the
process (SIGABRT); in the server that would end every user's session. In a child process
the abort, an out-of-memory or a run-away parse ends only the child, and the parent raises
one InputError sentence. The workbook goes to the child through a pipe, never a file.
"""

from __future__ import annotations

import fcntl
import marshal
import math
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from segmentation.errors import InputError
from segmentation.loading.csv_reader import paused_gc

CHILD_MEMORY_BYTES = 2 * 1024**3  # address space of the reader process
CHILD_SECONDS = 30  # wall clock and CPU time of the reader process
_CHILD = Path(__file__).with_name("_calamine_child.py")
_REREAD = "open it in Excel, save it again as .xlsx and upload that."


@dataclass
class SheetRead:
    """What the child read: the worksheets' names, the one chosen, its cells and merges."""

    sheets: list[str]
    chosen: str
    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]


def read_in_child(
    data: bytes,
    name: str,
    sheet: str | None,
    memory_bytes: int = CHILD_MEMORY_BYTES,
    seconds: float = CHILD_SECONDS,
    meanwhile: Callable[[], None] | None = None,
) -> SheetRead:
    """Read one sheet (named, else the largest visible) in a limited child process.

    `meanwhile` runs in this process while the child reads (on the other core); if it
    raises, the child is killed and its answer never read, so its refusal is the one said.
    """
    request = {
        "data": data,
        "sheet": sheet,
        "memory_bytes": memory_bytes,
        "cpu_seconds": math.ceil(seconds),
    }
    child = subprocess.Popen(
        [sys.executable, "-I", str(_CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        with suppress(BrokenPipeError):  # the child died at once: its return code says how
            child.stdin.write(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
            child.stdin.flush()  # it reads the whole request first, then works: no deadlock
        if meanwhile is not None:
            meanwhile()
    except BaseException:
        child.kill()
        child.communicate()
        raise
    with suppress(BrokenPipeError):
        child.stdin.close()
    try:  # the wall-clock limit counts while this process waits (the CPU limit throughout)
        answer = _answer(child, seconds)
    except subprocess.TimeoutExpired:
        _reap(child, 0)  # killed now, its pipes closed
        raise InputError(
            f"{name} took more than {seconds:g} s to read, which no account export needs; {_REREAD}"
        ) from None
    if answer is None:
        raise InputError(_crash_message(name, child.returncode, memory_bytes))
    if "error" in answer:
        raise InputError(_error_message(name, answer, sheet))
    return SheetRead(answer["sheets"], answer["chosen"], answer["rows"], answer["merged"])


def _answer(child: subprocess.Popen, seconds: float) -> dict | None:
    """The child's frames (_calamine_child._frames) as they come: each chunk of rows is
    unpacked here while the child converts the next. The sheets with all their rows, or the
    child's error; None when its output stops before the end mark (it died: it has then been
    waited for, and its return code says how). Raises TimeoutExpired past `seconds`; stderr is
    drained so that the child never blocks on it."""
    deadline = time.monotonic() + seconds
    pending = bytearray()
    answer: dict | None = None
    rows: list[list] = []
    final = False  # the end mark, or an error: nothing follows
    with suppress(AttributeError, OSError):  # Linux: a chunk fits the pipe, fewer hand-overs
        fcntl.fcntl(child.stdout.fileno(), fcntl.F_SETPIPE_SZ, _READ_BYTES)
    with selectors.DefaultSelector() as selector, paused_gc():
        for stream in (child.stdout, child.stderr):
            os.set_blocking(stream.fileno(), False)
            selector.register(stream, selectors.EVENT_READ)
        while selector.get_map() and not final:
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(child.args, seconds)
            for key, _ in selector.select(left):
                data = os.read(key.fd, _READ_BYTES)
                if not data:
                    selector.unregister(key.fileobj)
                elif key.fileobj is child.stdout:
                    pending += data
            for frame in _complete_frames(pending):
                if frame is _END:
                    final = True
                elif isinstance(frame, list):
                    rows += frame
                elif answer is None or "error" in frame:
                    answer = frame
                    final = "error" in frame
    if final and answer is not None:
        # The answer is whole. The child's exit waits for the kernel to free its memory
        # (a tenth of a second for a big sheet): it is reaped on the side, not waited for.
        threading.Thread(target=_reap, args=(child, seconds), daemon=True).start()
        return answer if "error" in answer else {**answer, "rows": rows}
    _reap(child, max(deadline - time.monotonic(), 0.001))
    return None


def _reap(child: subprocess.Popen, seconds: float) -> None:
    """Wait for the child's end (killed past `seconds`) and close its pipes."""
    try:
        child.wait(seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    child.stdout.close()
    child.stderr.close()


_END = object()
_READ_BYTES = 1024**2
_HEAD = 9  # a frame's kind (1 byte) and length (8 bytes)


def _complete_frames(pending: bytearray):
    """Unpack and remove the complete frames at the start of `pending`."""
    start = 0
    while len(pending) - start >= _HEAD:
        kind = pending[start : start + 1]
        (length,) = struct.unpack_from("<Q", pending, start + 1)
        end = start + _HEAD + length
        if len(pending) < end:
            break
        with memoryview(pending) as view:
            body = view[start + _HEAD : end]
            yield _END if kind == b"E" else _unpacked(kind, body)
            body.release()
        start = end
    del pending[:start]


def _unpacked(kind: bytes, body) -> dict | list:
    """One frame of the child's answer (_calamine_child._packed)."""
    return marshal.loads(body) if kind == b"M" else pickle.loads(body)


def _crash_message(name: str, returncode: int, memory_bytes: int) -> str:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"{name} took too long to read, which no account export needs; {_REREAD}"
    return (
        f"{name} could not be read within {memory_bytes / 1024**3:.0f} GB of memory "
        f"(the Excel reader stopped); {_REREAD}"
    )


def _error_message(name: str, answer: dict, sheet: str | None) -> str:
    kind = answer["error"]
    if kind == "password":
        return (
            f"{name} is encrypted with a password; save an unprotected copy from Excel "
            "and upload that."
        )
    if kind == "no_sheets":
        return f"{name} has no worksheets; export the accounts as .xlsx or .csv."
    if kind == "no_such_sheet":
        listed = ", ".join(f"'{n}'" for n in answer["sheets"])
        return f"{name} has no sheet named '{sheet}'; its sheets are {listed}."
    if kind == "memory":
        return f"{name} needs more memory to read than an account export can; {_REREAD}"
    detail = " ".join(str(answer.get("detail", "")).split())
    return f"{name} could not be opened as an Excel workbook ({detail}); {_REREAD}"
