"""Reading the raw bytes of an upload or a path, with the size limit checked first."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from segmentation.errors import InputError

MAX_UPLOAD_MB = 200
ZIP_SIGNATURE = b"PK\x03\x04"
EMPTY_ZIP_SIGNATURE = b"PK\x05\x06"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")


@dataclass
class Source:
    name: str
    data: bytes

    @property
    def extension(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def content(self) -> str:
        """What the bytes really are: "zip", "ole2" or "text"."""
        head = self.data[:8]
        if head.startswith(ZIP_SIGNATURE) or head.startswith(EMPTY_ZIP_SIGNATURE):
            return "zip"
        if head.startswith(OLE2_SIGNATURE):
            return "ole2"
        return "text"


def read_source(path_or_file: str | os.PathLike | BinaryIO, filename: str | None) -> Source:
    """Read the input's bytes, refusing files over MAX_UPLOAD_MB before reading them."""
    limit = MAX_UPLOAD_MB * 1024 * 1024
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        name = filename or path.name
        if not path.is_file():
            raise InputError(f"{name} was not found; check the path and try again.")
        size = path.stat().st_size
        _check_size(name, size, limit)
        return Source(name, path.read_bytes())
    handle = path_or_file
    name = filename or getattr(handle, "name", None) or "upload"
    name = Path(str(name)).name
    size = getattr(handle, "size", None)
    if size is None and hasattr(handle, "seek") and hasattr(handle, "tell"):
        position = handle.tell()
        handle.seek(0, os.SEEK_END)
        size = handle.tell() - position
        handle.seek(position)
    if size is not None:
        _check_size(name, int(size), limit)
    data = handle.read(limit + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    _check_size(name, len(data), limit)
    return Source(name, bytes(data))


def _check_size(name: str, size: int, limit: int) -> None:
    if size > limit:
        raise InputError(
            f"{name} is {size / 1024 / 1024:.0f} MB, over the {MAX_UPLOAD_MB} MB limit; "
            "export only the columns and rows you need and upload that."
        )
    if size == 0:
        raise InputError(f"{name} is empty; export the accounts again and upload that file.")
