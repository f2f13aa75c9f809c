"""YAML for files contributors write: safe types only, no aliases, and bounded nesting.

``yaml.safe_load`` never runs code, but it still expands aliases: a "billion laughs" file of
a few hundred bytes becomes gigabytes once anything walks it. Collection files have no use
for aliases, so they are refused outright. Composing recurses once per level, so a value nested
thousands deep would raise RecursionError: nesting beyond ``MAX_NESTING`` is refused too.
"""

from __future__ import annotations

from typing import Any

import yaml

from packager.manifest.nesting import MAX_NESTING


class NoAliasLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses aliases (``*name``) and nesting deeper than ``MAX_NESTING``."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"uses the alias *{event.anchor}; write the value out instead (aliases are not allowed)",
                event.start_mark,
            )
        if self._depth >= MAX_NESTING:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nests values more than {MAX_NESTING} levels deep; a collection file needs only a few",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
