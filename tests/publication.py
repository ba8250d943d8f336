"""Reading a publication as a reader would, whole or not at all."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pipeline.workspace import SUMMARY_FILE, VALIDATION_FILE

# Written beside a publication by each check of the submissions, not part of it.
_STATUS_FILES = {SUMMARY_FILE, VALIDATION_FILE}


def whole(folder: Path) -> str:
    """Check that the build published in `folder` is whole (every file its manifest lists, with
    its checksum, and no other but the submissions' status) and return its flow run's id. The folder is opened once and
    read through that handle, so a publication swapped in meanwhile is not mixed with this one."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:

        def read(name: str) -> bytes:
            descriptor = os.open(name, os.O_RDONLY, dir_fd=handle)
            with os.fdopen(descriptor, "rb") as file:
                return file.read()

        manifest = json.loads(read("manifest.json"))
        assert manifest["outputs"], "a publication with no outputs"
        listed = {output["file"]: output["sha256"] for output in [*manifest["outputs"], manifest["bundle"]]}
        present = {entry.name for entry in os.scandir(handle) if entry.is_file()} - {"manifest.json", *_STATUS_FILES}
        assert present == set(listed), (present, listed)
        for name, checksum in listed.items():
            assert hashlib.sha256(read(name)).hexdigest() == checksum, name
        return str(manifest["flow_run_id"])
    finally:
        os.close(handle)
