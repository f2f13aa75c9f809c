"""YAML for files contributors write: safe types only, and no aliases.

``yaml.safe_load`` never runs code, but it still expands aliases: a "billion laughs" file of
a few hundred bytes becomes gigabytes once anything walks it. Collection files have no use
for aliases, so they are refused outright.
"""

from __future__ import annotations

from typing import Any

import yaml


class NoAliasLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses aliases (``*name``): no billion laughs, no shared structures."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"uses the alias *{event.anchor}; write the value out instead (aliases are not allowed)",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
