"""Issue 12, finding 3: a budget per item (--item-deadline), across its download, ExifTool and decoding.

Each step keeps its own bound (--fetch-deadline, the ExifTool budget per file); here those bounds are
set far above the item's budget, so only the item's budget can cut a step off. How long a step takes
comes from the test server's own pauses (a body that cannot arrive in less than N seconds) or from
ExifTool's work on a hostile file (minutes), never from guesses about the machine's speed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.builder.config import Settings
from packager.builder.run import build, load_collections
from packager.cli import cli
from packager.media.budget import ITEM_DEADLINE, ItemBudget, OutOfTime
from packager.media.fetch import FetchError, fetch
from tests.budget import results_within
from tests.helpers import CC0, image_bytes, write_collection
from tests.http_server import serve
from tests.test_iiif import canvas3, iiif_collection, image3, manifest3
from tests.test_untrusted_collection import deep_xmp_tiff

AS_OF = "2026-11-30"
HANG = 60.0  # far above any budget used here; only a step nothing cuts off would take this long


def held_back(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


def test_an_iiif_image_that_drips_costs_its_item_budget_not_its_download_deadline(tmp_path: Path) -> None:
    """The image arrives in 20 pieces 0.3 s apart (at least 5.7 s), well inside the 60 s allowed per
    download but not inside the 2 s allowed per item: pdpack hangs up before the body's end (the
    server sees it), holds that item back as item:deadline, and ships the rest. The item queued behind
    it in the same download group waits for it longer than its own budget, and still ships: waiting
    for its turn is not counted against an item."""
    slow, fast, local = (image_bytes(color=c) for c in ((200, 30, 30), (10, 120, 200), (30, 200, 30)))
    with serve({"slow.png": slow, "fast.png": fast}) as server:
        server.drip_pieces, server.drip_pause = 20, 0.3
        manifests = {
            "a-slow.json": manifest3(canvas3(1, image3(f"{server.base}/drip/slow.png"))),
            "b-fast.json": manifest3(canvas3(1, image3(f"{server.base}/file/fast.png"))),
            "c-local.json": manifest3(canvas3(1, image3("files/c.png"))),
        }
        folder = iiif_collection(tmp_path, manifests, files={"files/c.png": local}, rights=CC0)
        out = tmp_path / "dist"
        args = ["build", str(folder), "--out", str(out), "--as-of", AS_OF, "--allow-private-urls", "--no-cache"]
        result = CliRunner().invoke(cli, [*args, "--item-deadline", "2", "--fetch-deadline", str(HANG)])
        assert server.drip_ended.wait(HANG)  # the server's side of the drip is over: hung up on, or sent whole
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["totals"]["shipped"] == 2 and report["totals"]["rejected"] == 1
    assert report["settings"]["item_deadline"] == 2.0  # recorded, and so part of the resume fingerprint
    record = held_back(out)["a-slow"]
    assert record["reason"] == ITEM_DEADLINE
    assert "the 2 s allowed per item (--item-deadline) ran out while downloading" in str(record["message"])
    # The bound, checked by the server: the connection was closed before the body's end, and not retried.
    assert "/drip/slow.png" in server.hung_up
    assert server.dripped["/drip/slow.png"] < len(slow)
    assert server.hits["/drip/slow.png"] == 1


def test_what_a_slow_download_took_is_not_left_to_exiftool(tmp_path: Path) -> None:
    """A file whose XMP nests 8,000 deep (ExifTool works on it for minutes) comes from a server that waits
    0.6 s before answering. ExifTool's own budget (600 s here) would let it run; the item's 5 s, less
    what the download took, does not: the item is held back as item:deadline while ExifTool reads, and
    the build ends within 60 s, where ExifTool alone would take minutes."""
    bomb = deep_xmp_tiff(8_000)
    with serve({"bomb.tif": bomb}) as server:
        rows = [
            {"id": "bomb", "url": f"{server.base}/slow/bomb.tif?after-0.6s", "title": "Nested"},
            {"id": "good", "file": "files/good.png", "title": "Harbour"},
        ]
        folder = write_collection(tmp_path, rows, collection_id="xmp-museum", files={"files/good.png": image_bytes()})
        out = tmp_path / "dist"
        settings = Settings(
            as_of=AS_OF, allow_private_urls=True, item_deadline=5.0, embedded_deadline=600.0, fetch_deadline=HANG
        )
        results = results_within([("build", lambda: build(load_collections([folder]), out, settings)["totals"])], 60)
    assert results["build"]["shipped"] == 1
    record = held_back(out)["bomb"]
    assert record["reason"] == ITEM_DEADLINE
    message = str(record["message"])
    assert "the 5 s allowed per item (--item-deadline) ran out while reading the file's own metadata" in message


def test_a_file_that_outlasts_an_item_budget_costs_one_budget_however_many_rows_point_at_it(tmp_path: Path) -> None:
    """Ten rows point at one XMP bomb; ExifTool's own budget (600 s) is above the item's (2 s). The first
    item's read is cut off; the others are not read again (they could not give it its whole budget), so
    the file costs one item budget, not ten."""
    files = {"files/bomb.tif": deep_xmp_tiff(8_000), "files/good.png": image_bytes()}
    rows = [{"id": f"bomb-{n:02d}", "file": "files/bomb.tif", "title": "Nested"} for n in range(10)]
    rows.append({"id": "good", "file": "files/good.png", "title": "Harbour"})
    folder = write_collection(tmp_path, rows, collection_id="xmp-museum", files=files)
    out = tmp_path / "dist"
    settings = Settings(as_of=AS_OF, item_deadline=2.0, embedded_deadline=600.0)
    results = results_within([("build", lambda: build(load_collections([folder]), out, settings)["totals"])], 60)
    assert results["build"]["shipped"] == 1
    held = held_back(out)
    assert {str(record["reason"]) for record in held.values()} == {ITEM_DEADLINE}
    assert "ran out while reading the file's own metadata with ExifTool" in str(held["bomb-00"]["message"])
    for n in range(1, 10):
        message = str(held[f"bomb-{n:02d}"]["message"])
        assert "not read: ExifTool used up an earlier item's time (--item-deadline) on the same file" in message


def test_a_download_does_not_start_once_the_item_is_out_of_time() -> None:
    with serve({"a.png": image_bytes()}) as server, pytest.raises(FetchError) as caught:
        fetch(f"{server.base}/file/a.png", allow_private=True, budget=ItemBudget(0.0))
    assert caught.value.reason == ITEM_DEADLINE
    assert "ran out before downloading" in str(caught.value)
    assert sum(server.hits.values()) == 0


def test_the_clock_counts_only_while_the_item_is_worked_on() -> None:
    budget = ItemBudget(30.0)
    assert budget.remaining() == 30.0  # not started: an item waiting for its turn spends nothing
    with budget.running():
        with budget.paused():
            stopped = budget.remaining()
            assert budget.remaining() == stopped  # waiting for a host slot: the clock stands still
        assert budget.remaining() <= stopped
    done = budget.remaining()
    assert budget.remaining() == done and 0 < done <= 30.0
    with budget.running(), budget.running():  # a step inside a counted step is counted once
        assert budget.bound(10.0, "reading") == 10.0  # a step's own bound, when it is the smaller


def test_a_spent_budget_names_the_step_it_kept_from_starting() -> None:
    with pytest.raises(OutOfTime) as caught:
        ItemBudget(0.0).check("decoding the image")
    assert caught.value.reason == ITEM_DEADLINE
    assert str(caught.value) == "the 0 s allowed per item (--item-deadline) ran out before decoding the image"


def test_settings_refuse_a_budget_of_no_time() -> None:
    with pytest.raises(ValueError, match="item_deadline"):
        Settings(item_deadline=0)
