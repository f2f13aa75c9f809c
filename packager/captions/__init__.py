"""Captions: clean the institution's text, or write one from its metadata."""
