"""The Data page's upload progress: a status box through the loader's stages and the first
scoring, for a new upload only; an unusable file ends it in the error state."""

from __future__ import annotations

import pytest
from app_helpers import CSV_MIME, SAMPLE_CSV, SAMPLE_XLSX, XLSX_MIME, shown, texts

from ui.upload import STAGE_WORDS, STAGES


def _upload(at, name: str, data: bytes, mime: str):
    at.file_uploader(key="upload").set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("name", "path", "mime"),
    [("accounts.csv", SAMPLE_CSV, CSV_MIME), ("accounts.xlsx", SAMPLE_XLSX, XLSX_MIME)],
)
def test_a_new_upload_shows_every_stage_in_order(app, name, path, mime) -> None:
    _upload(app, name, path.read_bytes(), mime)
    (box,) = app.status
    assert box.proto.state == box.proto.State.COMPLETE
    assert shown(box.label).startswith(f"{name}: 500 accounts read and scored in ")
    done = [caption.value.rsplit(":", 1)[0] for caption in box.caption]
    assert done == [STAGE_WORDS[stage] for stage in STAGES]
    assert box.get("progress")[0].value == 100


def test_the_same_upload_is_not_read_again_on_a_rerun(app) -> None:
    _upload(app, "accounts.csv", SAMPLE_CSV.read_bytes(), CSV_MIME)
    app.run()
    assert not app.status
    assert "What was read" in texts(app.subheader)


def test_an_unusable_file_ends_in_the_error_state(app) -> None:
    _upload(app, "empty.csv", b"", CSV_MIME)
    (box,) = app.status
    assert box.proto.state == box.proto.State.ERROR
    assert shown(box.label) == "empty.csv could not be used"
    assert "empty.csv is empty" in texts(app.error)
    assert not box.caption  # no stage finished: the file was refused while being read
