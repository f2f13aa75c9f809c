"""Before a push: the dataset card and croissant.json of a release folder name the repo they are pushed to.

``pdpack release`` without ``--repo`` cannot know the repo: the card's loading examples say
``load_dataset("NAMESPACE/NAME")`` and croissant.json has no Hub address. A release made for another
repo names that one. ``retarget`` writes the repo being pushed to into both files, in exactly the places
``pdpack release --repo`` would have (the card's loading section, croissant.json's name, citeAs and url),
so the files come out byte for byte as if the release had been made for that repo. A card whose loading
examples were edited by hand, or that names another repo in a way pdpack did not write, is refused:
nothing is guessed and nothing is sent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from packager.model import PushError
from packager.outputs.build_card import CARD_FILE as CARD
from packager.outputs.card_body import PLACEHOLDER_REPO, loading_markdown
from packager.outputs.croissant import identity, write_croissant
from packager.publish.release_folder import CROISSANT_FILE, RELEASE_FILE

_LOAD_DATASET = re.compile(r'load_dataset\("([^"\n]*)"')


def _named_repos(card: str) -> list[str]:
    return _LOAD_DATASET.findall(card)


def retarget(dist: Path, repo_id: str, write: bool = True) -> list[str]:
    """Make ``dist``'s card and croissant.json name ``repo_id``; the notes to print (none when they did).

    With ``write=False`` (a dry run) nothing is changed; the notes say what the push would change.
    Raises PushError when the card names another repo in a way that cannot be changed safely.
    """
    card_path = dist / CARD
    if not card_path.is_file():
        return []
    card = card_path.read_text(encoding="utf-8")
    named = _named_repos(card)
    release_path = dist / RELEASE_FILE
    if not release_path.is_file():
        # Not made by `pdpack release`: nothing pdpack wrote to change, but it must not point elsewhere.
        others = sorted({name for name in named if name != repo_id})
        if others:
            raise PushError(
                f"{card_path} tells readers to load {', '.join(others)}, not {repo_id}: correct it, or push "
                "to that repo. Nothing was sent."
            )
        return []
    release = json.loads(release_path.read_text(encoding="utf-8"))
    wanted = loading_markdown(release, repo_id)
    if wanted in card:
        return []
    current = next((r for r in [PLACEHOLDER_REPO, *named] if loading_markdown(release, r) in card), None)
    if current is None:
        if not named and PLACEHOLDER_REPO not in card:
            return []  # a card without loading examples names no repo
        raise PushError(
            f"The loading examples in {card_path} were changed after `pdpack release` wrote them, so pdpack "
            f"cannot write {repo_id} into them. Run `pdpack release --repo {repo_id}` again (or correct the card "
            "by hand). Nothing was sent."
        )
    note = f"The card's loading examples named {current}"
    if not write:
        return [f"Note: {note}: the push writes {repo_id} into {CARD} and {CROISSANT_FILE} first."]
    card_path.write_text(card.replace(loading_markdown(release, current), wanted, 1), encoding="utf-8")
    _retarget_croissant(dist, release, repo_id)
    return [f"{note}: wrote {repo_id} into {CARD} and {CROISSANT_FILE}."]


def _retarget_croissant(dist: Path, release: dict[str, object], repo_id: str) -> None:
    path = dist / CROISSANT_FILE
    if not path.is_file():
        return
    document = json.loads(path.read_text(encoding="utf-8"))
    pretty_name = document.get("alternateName") or document.get("name") or repo_id
    for key, value in identity(release, str(pretty_name), repo_id).items():
        document[key] = value
    write_croissant(path, document)


__all__ = ["retarget"]
