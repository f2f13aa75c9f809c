"""The ``pdpack`` command: parse options, call the library, print what happened."""

from __future__ import annotations

import importlib
from typing import ClassVar

import click

from packager.builder.stages import Result
from packager.cli.build import build_command
from packager.cli.init import init_command
from packager.cli.review import review
from packager.cli.validate import validate
from packager.version import __version__


class LazyGroup(click.Group):
    """A group whose publishing commands are imported when they run (or are listed by --help).

    They bring in huggingface_hub, which a build does not need: every ``pdpack build`` (and each
    process that starts its workers) would otherwise pay for importing it.
    """

    lazy_commands: ClassVar[dict[str, str]] = {
        "push": "packager.cli.push:push",
        "release": "packager.cli.release:release",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pdpack")
def cli() -> None:
    """pdpack turns collections contributed by cultural institutions into
    public-domain image-text datasets (WebDataset shards) with rights evidence
    and attribution for every sample.

    \b
    Typical use:
      pdpack validate my-collection/
      pdpack build my-collection/ other-collection/ --out dist/
    """


for command in (validate, review, build_command, init_command):
    cli.add_command(command)


def main() -> None:
    cli()


__all__ = ["Result", "cli", "main"]


if __name__ == "__main__":
    main()
