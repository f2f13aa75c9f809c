"""One item's task, as a worker gets it, and what decides whether it is downloaded."""

from __future__ import annotations

from packager.builder.config import Settings
from packager.manifest.collection import Collection
from packager.manifest.takedowns import load_takedowns_cached
from packager.model import Item, Rejection
from packager.rights.review import ReviewDecision

Task = tuple[Collection, Item | Rejection, Settings, ReviewDecision | None]


def downloads(task: Task) -> bool:
    """Whether the task's item is a URL to download (so it can be downloaded alongside others)."""
    _, entry, settings, _ = task
    return isinstance(entry, Item) and entry.file is None and entry.url is not None and not settings.offline


def url_of(task: Task) -> str:
    """The URL of a task that ``downloads``."""
    _, entry, _, _ = task
    assert isinstance(entry, Item) and entry.url is not None
    return entry.url


def taken_down(task: Task) -> bool:
    """Whether the item is removed on request by its id: it is never downloaded (its takedown decides)."""
    collection, entry, settings, _ = task
    takedowns = load_takedowns_cached(settings.takedowns) if settings.takedowns else None
    return bool(takedowns and takedowns.match(collection.id, entry.id))
