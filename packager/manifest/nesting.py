"""How deeply contributed JSON and YAML may nest.

Parsers and the code that walks their results recurse once per level: a line such as
``[[[[...]]]]`` 20,000 deep raises RecursionError, which no row-level handler expects. A
manifest row or a collection.yaml has no use for more than a few levels, so anything deeper
than ``MAX_NESTING`` makes the row (JSONL) or the file (YAML) invalid, with a message that says so.
"""

from __future__ import annotations

from typing import Any

# A JSONL row or a collection.yaml value: an object of objects of lists is three levels.
MAX_NESTING = 32
# A IIIF manifest nests by design (manifest, canvas, page, annotation, body, service ...).
MAX_IIIF_NESTING = 64


def deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` (decoded JSON: dicts, lists, scalars) nests more than ``limit`` levels; no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
