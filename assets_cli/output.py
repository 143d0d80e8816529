"""The one place that writes outputs: a temporary file, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assets_cli.errors import AssetsError


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AssetsError(f"cannot write here ({exc.strerror})", where=str(path.parent)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AssetsError(f"cannot write file ({exc.strerror})", where=str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
