"""Write a file so that a reader, or a build that starts after a crash, sees the old one or the new one, never half."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def write_atomic(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write ``data`` (text as UTF-8 with ``\\n`` line ends) beside ``path``, then rename it into place.

    ``durable`` flushes the bytes to disk before the rename, so a power cut cannot leave an empty
    file under the final name; caches whose entries are checked when read pass ``False``. The
    temporary name carries the process and thread ids, so concurrent writers never share one.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
