"""pdpack: package public-domain image-text datasets from GLAM collections."""

__version__ = "0.1.0"
