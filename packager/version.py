"""The version of pdpack: recorded in every report, checkpoint, release and User-Agent."""

__version__ = "0.1.0"
