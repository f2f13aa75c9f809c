"""``pdpack init DIR``: start a collection folder that pdpack can read, with every key explained.

Writes collection.yaml (with a comment on each key), items.csv (the header row only),
items.example.csv (the same columns with example rows to copy from), an empty files/ folder and
README.txt in plain words. It never overwrites a file: a folder that already has a
collection.yaml is refused, and any other file already there is left as it is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import click

from packager.manifest.collection import COLLECTION_FILE, ID_PATTERN, PLACEHOLDER_URL

ITEMS_HEADER = (
    "id",
    "file",
    "url",
    "title",
    "creator",
    "date",
    "description",
    "caption",
    "rights",
    "creator_death_year",
    "source_url",
    "credit_line",
    "acquisition_credit",
)
PUBLIC_DOMAIN_MARK = "http://creativecommons.org/publicdomain/mark/1.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"

EXAMPLE_ROWS = (
    {
        "id": "1923.45",
        "file": "files/1923-45.jpg",
        "title": "View of the harbour at dawn",
        "creator": "Jane Example",
        "date": "1885",
        "description": "Oil sketch of fishing boats leaving the harbour.",
        "rights": PUBLIC_DOMAIN_MARK,
        "creator_death_year": "1901",
        "source_url": "https://collections.example.org/objects/1923.45",
        "credit_line": "Courtesy Example Museum",
        "acquisition_credit": "Gift of B. Jones, 1921",
    },
    {
        "id": "1931.7",
        "url": "https://images.example.org/1931-7.jpg",
        "title": "Portrait of a woman",
        "creator": "Unknown photographer",
        "date": "about 1860",
        "caption": "A studio portrait of a seated woman in a dark dress.",
        "rights": CC0,
        "source_url": "https://collections.example.org/objects/1931.7",
    },
)


def collection_id_for(folder: Path) -> str:
    """A valid collection id from a folder name: 'City Museum Prints' -> 'city-museum-prints'."""
    ascii_name = unicodedata.normalize("NFKD", folder.name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    text = re.sub(r"-{2,}", "-", text)[:64].strip("-")
    return text if ID_PATTERN.match(text) else "my-collection"


def title_for(folder: Path) -> str:
    words = re.sub(r"[-_]+", " ", folder.name).strip()
    return words[:1].upper() + words[1:] if words else "My collection"


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def collection_yaml(collection_id: str, title: str, institution: str, institution_url: str) -> str:
    return f"""\
# collection.yaml: describes this collection for pdpack.
# Lines starting with # are notes for people; pdpack ignores them.
# Put text in double quotes when it contains a colon (:) or starts with a special character.
# Check the folder with:  pdpack validate <this folder>

# A short name for the collection: lower-case letters, digits and '-' only (at most 64 characters).
# It becomes part of the name of every image in the dataset, so do not change it once published.
id: {collection_id}

# The collection's name as people know it.
title: {_yaml_text(title)}

# Who contributes the collection, and their website (the address may be left out).
institution:
  name: {_yaml_text(institution)}
  url: {_yaml_text(institution_url)}

# Rights statement for every item whose own row in items.csv leaves the 'rights' cell empty.
# Leave this line out (as it is now) when items differ: then each row must state its rights,
# and an item with no rights statement is held back, never guessed. Common statements:
#   http://creativecommons.org/publicdomain/mark/1.0/   Public Domain Mark: free of known copyright
#   http://creativecommons.org/publicdomain/zero/1.0/   CC0: the rights holder gave up all rights
#   http://rightsstatements.org/vocab/NoC-US/1.0/       No Copyright - United States (US only)
#   http://rightsstatements.org/vocab/NKC/1.0/          No Known Copyright (held for a steward's review)
#   http://rightsstatements.org/vocab/InC/1.0/          In Copyright (never ships)
# rights: {PUBLIC_DOMAIN_MARK}

# Two-letter code of the country whose law your institution works under (US, GB, FR, DE, ...).
jurisdiction: US

# How each item is credited: title, creator, your institution with the link to the record, and the
# rights statement (TASL). An item's 'credit_line' cell stands for {{institution}}; a link or rights
# statement left out of the template is added at the end. An acquisition credit ("Gift of ...") is not a
# credit line: put it in 'acquisition_credit'.
# Fields you can use: {{title}} {{creator}} {{date}} {{institution}} {{collection}} {{id}} {{source_url}} {{rights}}
attribution: "{{title}}, {{creator}}. {{institution}}, {{source_url}}. {{rights}}."

# A sentence or two about the collection (optional).
description: ""

# Optional keys, left out here:
# ai_preferences: "train-ai=n"       keep every item of this collection out of AI training
# local_contexts: ["TK Attribution"]  Local Contexts labels for every item (holds them for review)
# columns:                            your export's column names for pdpack's, e.g.
#   title: "Object Title"
# values:                             your values translated into pdpack's, e.g.
#   rights: {{"True": "Public Domain", "False": "In Copyright"}}
# caption_template: "{{object_type}} '{{title}}' by {{creator}}, {{date}}."
#                                     how captions are written from your metadata when a row has none
"""


README = """\
HOW TO FILL IN THIS FOLDER FOR PDPACK
=====================================

pdpack turns this folder into part of a public-domain image dataset. It needs three things:

1. collection.yaml  - who you are and what the collection is called. Open it in any text
                      editor; every line is explained by the notes (lines starting with #)
                      above it. Change the title and the institution's name and website.

2. items.csv        - one row for each picture. Open it in a spreadsheet (Excel, LibreOffice,
                      Numbers). The first row names the columns; do not change it. Add one row
                      per picture below it, then save as "CSV UTF-8".
                      items.example.csv shows two filled-in rows you can copy.

3. files/           - put the pictures here (JPEG, PNG, TIFF or WebP), and write each one's
                      path in the "file" column, for example: files/1923-45.jpg

THE COLUMNS OF items.csv
------------------------
id                  Your number for the object (accession number). Every row needs its own.
file                The picture's path in this folder, e.g. files/1923-45.jpg
url                 ...or, instead of file, the picture's web address (https://...).
                    Fill in file OR url, not both.
title               The title of the work.
creator             Who made it.
date                When it was made, as your catalogue writes it (1885, about 1860).
description         A description of the work (optional).
caption             Your own caption for the picture (optional; without one, pdpack writes
                    one from the title, creator, date and description).
rights              The rights statement, as a web address: see the list in collection.yaml.
                    Leave it empty to use the one in collection.yaml.
creator_death_year  The year the creator died, e.g. 1901 (lets pdpack work out the copyright).
source_url          The address of the object's page on your website (optional).
credit_line         How your institution wishes to be named in the credit (optional; otherwise
                    its name). The credit also names the title, creator, link and rights.
acquisition_credit  How the museum acquired the object, e.g. "Gift of B. Jones, 1921" (optional;
                    kept with the picture, never used as its credit).

WHAT HAPPENS NEXT
-----------------
Check the folder:    pdpack validate {folder}
Build the dataset:   pdpack build {folder} --out dist
The build writes dist/report.html: open it in a web browser to see what ships, what is held
back and what to change. A picture is held back when its rights are not clearly public domain;
pdpack never guesses. A person responsible for rights (a steward) can record decisions in a
file called review.csv: see "pdpack review --help".
"""


def _csv_line(values: list[str]) -> str:
    cells = []
    for value in values:
        if any(ch in value for ch in ',"\n\r'):
            value = '"' + value.replace('"', '""') + '"'
        cells.append(value)
    return ",".join(cells)


def items_header() -> str:
    return _csv_line(list(ITEMS_HEADER)) + "\r\n"


def items_example() -> str:
    lines = [_csv_line(list(ITEMS_HEADER))]
    lines += [_csv_line([row.get(column, "") for column in ITEMS_HEADER]) for row in EXAMPLE_ROWS]
    return "\r\n".join(lines) + "\r\n"


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--id", "collection_id", metavar="ID", help="Collection id (default: made from the folder name).")
@click.option("--title", help="The collection's name (default: made from the folder name).")
@click.option("--institution", default="Your institution", show_default=True, help="Who contributes it.")
@click.option(
    "--institution-url",
    default=PLACEHOLDER_URL,
    show_default=True,
    help="The institution's website.",
)
def init_command(
    folder: Path, collection_id: str | None, title: str | None, institution: str, institution_url: str
) -> None:
    """Start a new collection folder, ready to fill in.

    Writes collection.yaml (every key explained in a note above it),
    items.csv (the column names only), items.example.csv (two example rows
    to copy from), an empty files/ folder for the pictures, and README.txt,
    which says in plain words what to put where. Nothing is overwritten: a
    folder that already has a collection.yaml is refused.

    \b
    Examples:
      pdpack init city-museum-prints
      pdpack init prints --title "Prints and drawings" --institution "City Museum"
    """
    collection_id = collection_id or collection_id_for(folder.resolve())
    if not ID_PATTERN.match(collection_id):
        raise click.BadParameter(
            f"{collection_id!r} is not a valid id: use lower-case letters, digits and '-' (e.g. city-museum-prints)",
            param_hint="--id",
        )
    meta = folder / COLLECTION_FILE
    if meta.exists():
        raise click.ClickException(f"{meta} already exists; pdpack init never overwrites a collection")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "files").mkdir(exist_ok=True)
    texts = {
        COLLECTION_FILE: collection_yaml(
            collection_id, title or title_for(folder.resolve()), institution, institution_url
        ),
        "items.csv": items_header(),
        "items.example.csv": items_example(),
        "README.txt": README.format(folder=_shell_word(str(folder))),
    }
    written, kept = [], []
    for name, text in texts.items():
        path = folder / name
        try:
            with path.open("x", encoding="utf-8", newline="") as handle:  # "x": never replace a file
                handle.write(text)
            written.append(name)
        except FileExistsError:
            kept.append(name)
    click.echo(f"Started collection '{collection_id}' in {folder}/")
    for name in written:
        click.echo(f"  wrote {name}")
    for name in kept:
        click.echo(f"  kept your existing {name}")
    click.echo("Next: read README.txt, fill in collection.yaml and items.csv, put the pictures in files/,")
    click.echo(f"then run: pdpack validate {_shell_word(str(folder))}")


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_./:@+-]+", text) else "'" + text.replace("'", "'\\''") + "'"
