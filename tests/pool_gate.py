"""A module for a test's fork server to preload: it holds the pool's workers back until the test lets them start.

Importing it opens the FIFO named by ``PDPACK_TEST_POOL_GATE`` for reading, which waits until the test
opens it for writing: until then the fork server forks no worker, whatever the machine's speed.
"""

from __future__ import annotations

import os

_GATE = os.environ.get("PDPACK_TEST_POOL_GATE")
if _GATE:
    os.close(os.open(_GATE, os.O_RDONLY))
