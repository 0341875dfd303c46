"""Checks on what a caller hands a client, made before anything is sent or paid for.

A job is paid for when it is submitted; an output path that cannot be written, a file
that would be silently replaced or a timeout that makes no sense must fail before that,
not when the finished video comes back.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

from ._exceptions import InvalidInput, InvalidInputType

__all__ = ["check_job_id", "check_output_path", "check_timeout"]


def check_output_path(
    path: Any, *, overwrite: bool, exists_hint: str = "pass overwrite=True to replace it"
) -> Path:
    """Where a video will be saved, if it can be: a file name in a folder vidgen can write.

    Missing folders are fine (they are created on download) as long as the nearest folder
    that exists can be written to.

    Args:
        path: the output path as given.
        overwrite: whether an existing file may be replaced.
        exists_hint: what to tell the user when the file exists and may not be replaced.

    Raises:
        InvalidInput: the path is empty, a folder, under a file, in a folder that cannot be
            written, or an existing file while ``overwrite`` is false.
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise InvalidInputType(
            f"the output path must be a str or a Path, not {type(path).__name__}",
            param="output",
        )
    text = os.fspath(path)
    if not str(text).strip():
        raise InvalidInput(
            "the output path is empty; give a file name such as video.mp4", param="output"
        )
    target = Path(text)
    if target.is_dir() or str(text).endswith(("/", os.sep)):
        raise InvalidInput(
            f"{text} is a folder; give a file name, e.g. {target / 'video.mp4'}", param="output"
        )
    if target.exists() and not overwrite:
        raise InvalidInput(f"{text} exists; {exists_hint}", param="output")
    folder = target.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InvalidInput(
            f"cannot save to {text}: {folder} is a file, not a folder", param="output"
        )
    problem = _unwritable(folder)
    if problem is not None:
        raise InvalidInput(
            f"cannot save to {text}: the folder {folder} is not writable ({problem}); choose "
            "another output path or fix the folder's permissions",
            param="output",
        )
    return target


def _unwritable(folder: Path) -> str | None:
    """Why no file can be created in ``folder``, or None when one can.

    Permission bits are not the whole story (root, read-only mounts, ACLs), so a file is
    created and removed, as the download's part file will be.
    """
    if not os.access(folder, os.W_OK | os.X_OK):
        return "permission denied"
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".vidgen-check-")
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(handle)
    os.unlink(name)
    return None


def check_timeout(timeout: Any) -> float:
    """A wait deadline in seconds: a number above zero (``math.inf`` waits for ever).

    Raises:
        InvalidInput: anything else.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise InvalidInputType(
            f"timeout must be a number of seconds, e.g. 900, not {type(timeout).__name__}",
            param="timeout",
        )
    if math.isnan(timeout) or timeout <= 0:
        raise InvalidInput(
            f"timeout must be a number of seconds above 0, e.g. 900, not {timeout!r}",
            param="timeout",
        )
    return float(timeout)


def check_job_id(job_id: str) -> str:
    """A provider's job id as given by a caller: a non-empty string without surrounding blanks.

    Raises:
        InvalidInput: an empty or blank id.
    """
    if not isinstance(job_id, str):
        raise InvalidInputType(
            f"a job is a Job or a job id string, not {type(job_id).__name__}", param="job"
        )
    if not job_id.strip() or job_id != job_id.strip():
        raise InvalidInput(
            f"job id {job_id!r} is empty or has blanks around it; give the id submit "
            "returned (`vidgen jobs` lists them)",
            param="job",
        )
    return job_id
