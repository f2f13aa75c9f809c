"""The ``pdpack`` command: one module per command; ``main`` is the console script."""

from packager.cli.app import cli, main

__all__ = ["cli", "main"]
