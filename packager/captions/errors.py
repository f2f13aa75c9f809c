"""Errors of the caption models (defined in packager.model, importable without torch)."""

from packager.model import ModelError, ModelUnavailable

__all__ = ["ModelError", "ModelUnavailable"]
