"""Errors of the caption models, importable without torch (the CLI catches them)."""


class ModelError(Exception):
    """A caption or scoring model cannot be used: unknown name or tag, wrong kind of model."""


class ModelUnavailable(ModelError):
    """The model's weights are not on this machine and cannot be downloaded."""
