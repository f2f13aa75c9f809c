"""The prose of the dataset card: its sections, from the title to the changelog, in Markdown.

Every string that comes from a manifest (titles, names, ids, statements, URLs) goes
through ``md`` or ``link`` before it reaches Markdown, so that a title such as
``<script>`` is shown as text and never becomes HTML on the Hub.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from packager.markdown import link, md, safe_url
from packager.model import REGISTRY
from packager.outputs.changelog import Changelog, changelog_summary
from packager.rights.vocabulary import lookup
from packager.sample import INDEX_NAME, SAMPLE_SCHEMA, SHARD_NAME

TAKEDOWNS_PATH = "manifests/takedowns.csv"
# What the loading examples say until the repo is known: `pdpack push` writes the real repo id in its place.
PLACEHOLDER_REPO = "NAMESPACE/NAME"
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

POLICY_TEXT = {
    "worldwide": "an item ships only when it is in the public domain in every jurisdiction of pdpack's "
    "copyright-term table, so the longest term applies",
    "us": "an item ships when it is in the public domain in the United States, including works that are "
    "public domain there only",
}

CAPTION_SOURCES = {
    "original": "the institution's own caption, as given",
    "cleaned": "the institution's own caption, with HTML tags, entities and broken characters cleaned up",
    "metadata": "written by pdpack from the title, creator, date and description in the manifest",
}

# The JSON record of every sample, for the card's field table (see README "The sample JSON").
FIELD_NOTES = {
    "key": "the sample's key in the shard: `<collection>_<item id>`",
    "id": "the item id in the institution's manifest",
    "collection": "the collection id",
    "institution": "`{name, url}` of the contributing institution",
    "title": "the work's title, as given",
    "creator": "artist, photographer or maker, as given",
    "date": "creation or publication date, as given",
    "description": "the institution's description",
    "source_url": "the record's page in the institution's catalogue",
    "caption": "the caption (the same text as `KEY.txt`)",
    "caption_source": "`original`, `cleaned` or `metadata` (see Captions)",
    "original_caption": "the institution's caption before cleaning",
    "credit_line": "how to credit the item: title, creator, source institution and link, rights statement (TASL)",
    "acquisition_credit": "how the institution acquired the object (`Gift of ...`): not a credit for the image",
    "rights": "`statement`, `status`, `decided_by`, `public_domain_in` (never a country where a term was found "
    "running), `overridden` and `overrides` (each finding a steward's override overruled) and the `evidence` behind "
    "the verdict",
    "sha256": "SHA-256 of the original file, before any conversion",
}


def code(text: Any) -> str:
    """Text from a manifest as a code span: one line, no backtick to end it, no pipe to split a table cell."""
    flat = " ".join(str(text).split()).replace("`", "'").replace("|", "\\|")
    return f"`{flat}`"


def statement_link(statement: str | None) -> str:
    if not statement:
        return "(none: decided by copyright-term rules or review)"
    term = lookup(statement)
    label = term.label if term is not None else statement
    return link(label, statement) if safe_url(statement) else md(statement)


def card_body(
    release: Mapping[str, Any],
    report: Mapping[str, Any],
    changelog: Changelog,
    pretty_name: str,
    repo_id: str | None = None,
    source_url: str | None = None,
    files: Iterable[str] | None = None,
    contact: str | None = None,
) -> str:
    """The card below its front matter; ``files``: the release folder's top-level names (see ``dataset_card``)."""
    totals = release["totals"]
    collections = list(report["collections"])
    institutions = {c["institution"]["name"] for c in collections if c["shipped"]}
    policy = release["policy"]
    policy_text = POLICY_TEXT.get(policy, f"an item ships only when it is in the public domain in {md(policy)}")
    pdpack = link("pdpack", source_url) if source_url else "pdpack"
    lines = [
        f"# {md(pretty_name)}",
        "",
        f"{totals['shipped']} public-domain images with captions, contributed by {len(institutions)} "
        f"cultural-heritage institution(s) in {sum(1 for c in collections if c['shipped'])} collection(s).",
        "",
        f"This is release **{md(release['version'])}**, built by {pdpack} {md(release['pdpack_version'])} "
        f"with copyright terms as of **{md(release['as_of'])}** under the {code(policy)} policy: {policy_text}.",
        "",
        "Each sample is a WebDataset triple that shares one key: the image as the institution supplied it "
        "(`KEY.jpg`, `KEY.png` or `KEY.webp`; TIFF, BMP and GIF originals are converted losslessly to PNG), "
        "its caption (`KEY.txt`), and a JSON record (`KEY.json`) that says where the image came from, how to "
        "credit it, and why it counts as public domain.",
        "",
        *_licence_section(release),
        *_institutions_section(collections),
        *_rights_section(release, report),
        *_captions_section(collections),
        *_loading_section(release, repo_id),
        *_fields_section(),
        *_files_section(files),
        *_takedowns_section(report, source_url, contact),
        "## Changelog",
        "",
        *changelog_summary(changelog),
        "",
        "Every sample added or removed, with the reason, is listed in `CHANGELOG.md`.",
        "",
    ]
    return "\n".join(lines)


def _licence_section(release: Mapping[str, Any]) -> list[str]:
    statements: Mapping[str, Mapping[str, int]] = release["shipped_by_statement"]
    licence = release["license"]
    if licence["license"] == "cc0-1.0":
        intro = "Every image in this release was dedicated to the public domain by its rights holder with CC0 1.0."
    elif licence.get("license_name") == "public-domain-us":
        intro = (
            "The images are in the public domain in the United States; some are not in the public domain "
            "elsewhere. Check `rights.public_domain_in` in each sample's JSON before use outside the US."
        )
    else:
        intro = (
            "The images are in the public domain. Some were dedicated to it with CC0, others are marked as "
            "free of known copyright (Public Domain Mark) or are out of copyright by the term rules, so the "
            "licence above is the Public Domain Mark. Each sample's JSON gives its own statement."
        )
    lines = ["## Licence", "", intro, "", "| Rights statement | Verdict | Samples |", "| --- | --- | ---: |"]
    for status, table in sorted(statements.items()):
        for statement, count in sorted(table.items()):
            lines.append(f"| {statement_link(statement or None)} | {code(status)} | {count} |")
    lines += [
        "",
        "No credit is legally required for public-domain works, but the institutions ask for it: use each "
        "sample's `credit_line`, and link its `source_url` where you can. `ATTRIBUTION.md` lists every "
        "contributing institution.",
        "",
    ]
    return lines


def _institutions_section(collections: Iterable[Mapping[str, Any]]) -> list[str]:
    lines = [
        "## Contributing institutions",
        "",
        "| Institution | Collection | Samples | Items in the manifest | Held back |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for c in sorted(collections, key=lambda c: (c["institution"]["name"].casefold(), c["id"])):
        institution = link(c["institution"]["name"], c["institution"].get("url"))
        lines.append(
            f"| {institution} | {md(c['title'])} ({code(c['id'])}) | {c['shipped']} | {c['items']} | {c['rejected']} |"
        )
    return [*lines, ""]


def _rights_section(release: Mapping[str, Any], report: Mapping[str, Any]) -> list[str]:
    totals = report["totals"]
    overrides = len(report.get("overrides", []))
    lines = [
        "## How rights were verified",
        "",
        "Every item's rights were checked by pdpack before it shipped, and the evidence is in the sample's "
        "JSON (`rights.evidence`). The sources of evidence are:",
        "",
        "- **The rights statement** in the institution's manifest (or the collection's default), matched "
        "exactly against a vocabulary of Creative Commons and RightsStatements.org URIs and common labels. "
        "An unknown statement is never matched to a similar one.",
        "- **Embedded metadata**: the rights fields inside the image file itself (XMP, IPTC, EXIF copyright), "
        "read with ExifTool. They can only hold an item back, never let one in.",
        f"- **Copyright-term rules** per jurisdiction, applied to the creator's death year and the dates of "
        f"creation and publication as of **{md(release['as_of'])}** (terms end on 31 December). The same "
        "manifests gain items on each Public Domain Day.",
        f"- **Review**: stewards' decisions in each collection's `review.csv`. A decision settles doubt; "
        f"{overrides} sample(s) shipped by an override of a claim of copyright or of a term still running, "
        "naming each finding it overrules; each is listed in `report.json` (`overrides`) and in its own "
        "`rights.overrides`, and none is listed as public domain where a term was found running.",
        "",
        "When the evidence is missing, unclear or contradictory, the item is held back: pdpack never guesses "
        f"toward inclusion. {totals['rejected']} of {totals['items']} item(s) were held back from this release:",
        "",
    ]
    reasons: Mapping[str, int] = report.get("rejected_by_reason", {})
    if reasons:
        lines += ["| Reason | Items | What it means |", "| --- | ---: | --- |"]
        for reason, count in sorted(reasons.items()):
            meaning = REGISTRY[reason].explanation if reason in REGISTRY else ""
            lines.append(f"| {code(reason)} | {count} | {md(meaning)} |")
        lines.append("")
    lines += ["`rejected.jsonl` gives every held-back item with its reason and evidence.", ""]
    return lines


def _captions_section(collections: Iterable[Mapping[str, Any]]) -> list[str]:
    sources: dict[str, int] = {}
    for c in collections:
        for source, count in c.get("caption_sources", {}).items():
            sources[source] = sources.get(source, 0) + count
    lines = [
        "## Captions",
        "",
        "Captions come from the institutions' records; `caption_source` in each sample's JSON says which kind.",
        "",
        "| Source | Samples | Meaning |",
        "| --- | ---: | --- |",
    ]
    for source, count in sorted(sources.items()):
        lines.append(f"| {code(source)} | {count} | {md(CAPTION_SOURCES.get(source, ''))} |")
    return [*lines, ""]


def loading_markdown(release: Mapping[str, Any], repo_id: str | None) -> str:
    """The card's loading section, the only part that names the repo (``push`` rewrites it for another repo)."""
    return "\n".join(_loading_section(release, repo_id))


def _loading_section(release: Mapping[str, Any], repo_id: str | None) -> list[str]:
    repo = repo_id or PLACEHOLDER_REPO
    return [
        "## Loading",
        "",
        "With [`datasets`](https://huggingface.co/docs/datasets) (the features in this card's metadata "
        "declare one image column each for `jpg`, `png` and `webp`; exactly one is filled in per row):",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("{repo}", split="train")',
        "row = ds[0]",
        'image = next(row[ext] for ext in ("jpg", "png", "webp") if row[ext] is not None)',
        'print(row["txt"], row["json"]["rights"]["status"], row["json"]["credit_line"])',
        "```",
        "",
        "With [`webdataset`](https://github.com/webdataset/webdataset):",
        "",
        "```python",
        "import json, urllib.request",
        "import webdataset as wds",
        "",
        f'base = "https://huggingface.co/datasets/{repo}/resolve/main/"',
        'shards = json.load(urllib.request.urlopen(base + "release.json"))["shards"]  # names by partition',
        'dataset = wds.WebDataset([base + s["name"] for s in shards], shardshuffle=False).decode("pil")',
        "for sample in dataset:",
        '    image = next(sample[ext] for ext in ("jpg", "png", "webp") if ext in sample)',
        '    print(sample["__key__"], sample["txt"], sample["json"]["credit_line"])',
        "```",
        "",
        f"Each shard has a parquet index beside it (`{INDEX_NAME}`, one row per sample) for "
        "searching and filtering without opening the tar files. `croissant.json` describes the files and "
        "fields in [Croissant](https://mlcommons.org/croissant/) form.",
        "",
    ]


def _fields_section() -> list[str]:
    lines = [
        "## Sample fields",
        "",
        "The main fields of `KEY.json` (every sample has all of them; absent values are null):",
        "",
    ]
    lines += ["| Field | Meaning |", "| --- | --- |"]
    for name in SAMPLE_SCHEMA.names:
        if name in FIELD_NOTES:
            lines.append(f"| `{name}` | {FIELD_NOTES[name]} |")
    return [*lines, ""]


FILES = (
    (
        SHARD_NAME,
        "WebDataset shards, one folder per collection, in subfolders `PP` named after the first two characters "
        "of the partition (so no folder passes the Hub's 10,000 files): `KEY.jpg`/`.png`/`.webp`, `KEY.txt`, "
        "`KEY.json`",
    ),
    (INDEX_NAME, "one row per sample of the shard beside it"),
    ("release.json", "version, settings, counts per collection, SHA-256 of every shard, index and input manifest"),
    ("report.json", "counts per collection, verdict and reason; the shard list"),
    ("report.html", "the same report for people: what was held back and why, and pictures of what ships"),
    ("rejected.jsonl", "every item held back, with the reason and evidence"),
    ("ATTRIBUTION.md", "credits per institution"),
    ("CHANGELOG.md", "samples added and removed in each release, and why"),
    ("croissant.json", "Croissant metadata"),
)


def _files_section(present: Iterable[str] | None = None) -> list[str]:
    """The files of the release; with ``present`` (top-level names), only those that exist."""
    names = None if present is None else set(present)
    lines = ["## Files", "", "| File | Contents |", "| --- | --- |"]
    for name, contents in FILES:
        if names is None or name.startswith("data/") or name in names:
            lines.append(f"| `{name}` | {contents} |")
    return [*lines, ""]


def contact_link(contact: str) -> str | None:
    """A removal contact as Markdown: an e-mail address as a mailto: link, an http(s) address as a link; else None."""
    text = contact.strip()
    if _EMAIL.match(text):
        return f"[{md(text)}](mailto:{quote(text, safe='@.+-_')})"
    target = safe_url(text)
    return f"[{md(text)}]({target})" if target else None


def _takedowns_section(report: Mapping[str, Any], source_url: str | None, contact: str | None = None) -> list[str]:
    taken_down = report.get("rejected_by_reason", {}).get("takedown", 0)
    where = (
        f"the {link('pdpack repository', source_url)}" if source_url else "the repository this dataset is built from"
    )
    issues = safe_url(source_url.rstrip("/") + "/issues") if source_url else None
    ask = f"[open an issue]({issues})" if issues else "open an issue"
    written = contact_link(contact) if contact else None
    if written:
        ask = f"write to {written}, or {ask}"
    return [
        "## Removal requests",
        "",
        "If you hold rights in an image here, or it should not be published for another reason (privacy, "
        f"cultural sensitivity), {ask} in {where}, or a pull request that adds a row to "
        f"`{TAKEDOWNS_PATH}`. Name the item by its collection and id, or by the `sha256` of its image, both "
        "of which are in the sample's JSON:",
        "",
        "```",
        "collection,id,sha256,date,reason",
        "city-museum-prints,1889.12,,2026-12-01,Rights holder request",
        "*,,cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7,2026-12-01,Same image in every collection",
        "```",
        "",
        "Taken-down items leave the next release and every release after it; they are listed in "
        f"`rejected.jsonl` with reason `takedown`. This release excludes {taken_down} taken-down item(s).",
        "",
    ]
