"""resolve_inside: manifest paths must never reach outside their collection folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager.safepath import PathEscapeError, resolve_inside


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A collection folder with one image, beside a folder that must stay unreachable."""
    folder = tmp_path / "collection"
    (folder / "images" / "prints").mkdir(parents=True)
    (folder / "images" / "prints" / "p1.jpg").write_bytes(b"jpeg bytes")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"not yours")
    return folder


def escape_message(root: Path, relative: str) -> str:
    with pytest.raises(PathEscapeError) as info:
        resolve_inside(root, relative)
    return str(info.value)


def test_nested_path_inside_is_resolved(root: Path) -> None:
    result = resolve_inside(root, "images/prints/p1.jpg")
    assert result == root.resolve() / "images" / "prints" / "p1.jpg"
    assert result.read_bytes() == b"jpeg bytes"


def test_path_that_does_not_exist_yet_is_still_inside(root: Path) -> None:
    assert resolve_inside(root, "images/missing.jpg") == root.resolve() / "images" / "missing.jpg"


def test_dot_segments_and_double_dots_in_names_are_fine(root: Path) -> None:
    assert resolve_inside(root, "./images/./prints/p1.jpg") == root.resolve() / "images" / "prints" / "p1.jpg"
    assert resolve_inside(root, "images/a..b.jpg") == root.resolve() / "images" / "a..b.jpg"
    assert resolve_inside(root, "...") == root.resolve() / "..."


def test_backslash_separators_inside_are_fine(root: Path) -> None:
    assert resolve_inside(root, "images\\prints\\p1.jpg") == root.resolve() / "images" / "prints" / "p1.jpg"


@pytest.mark.parametrize("relative", ["../outside/secret.jpg", "images/../../outside/secret.jpg", "images/..", ".."])
def test_double_dot_is_refused(root: Path, relative: str) -> None:
    assert escape_message(root, relative) == (
        f"{relative!r} contains '..'; paths must stay inside the collection folder"
    )


@pytest.mark.parametrize(
    "relative", ["..\\outside\\secret.jpg", "images\\..\\..\\outside\\secret.jpg", "images/..\\..\\x.jpg"]
)
def test_backslash_traversal_is_refused(root: Path, relative: str) -> None:
    assert "contains '..'" in escape_message(root, relative)


@pytest.mark.parametrize(
    "relative",
    ["/etc/passwd", "//server/share/x.jpg", "\\\\server\\share\\x.jpg", "\\Windows\\win.ini"],
)
def test_absolute_path_is_refused(root: Path, relative: str) -> None:
    assert escape_message(root, relative) == (
        f"{relative!r} is an absolute path; give a path relative to the collection folder"
    )


@pytest.mark.parametrize("relative", ["C:\\Users\\me\\p1.jpg", "C:/images/p1.jpg", "c:p1.jpg", "D:"])
def test_windows_drive_letter_is_refused(root: Path, relative: str) -> None:
    assert "is an absolute path" in escape_message(root, relative)


def test_absolute_path_to_a_file_inside_is_still_refused(root: Path) -> None:
    inside = str(root.resolve() / "images" / "prints" / "p1.jpg")
    assert "is an absolute path" in escape_message(root, inside)


@pytest.mark.parametrize("relative", ["images/p1.jpg\x00.png", "images/p1.jpg\n", "a\rb.jpg", "\x00"])
def test_control_characters_are_refused(root: Path, relative: str) -> None:
    assert escape_message(root, relative) == "the path contains a control character (NUL or a line break)"


@pytest.mark.parametrize("relative", ["", "   ", "\t"])
def test_empty_path_is_refused(root: Path, relative: str) -> None:
    assert escape_message(root, relative) == "the path is empty"


def test_symlinked_folder_pointing_outside_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert escape_message(root, "linked/secret.jpg") == (
        "'linked/secret.jpg' resolves outside the collection folder (a symlink pointing out?)"
    )
    assert "resolves outside" in escape_message(root, "linked")


def test_symlinked_file_pointing_outside_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "images" / "secret.jpg").symlink_to(tmp_path / "outside" / "secret.jpg")
    assert "resolves outside" in escape_message(root, "images/secret.jpg")


def test_symlink_pointing_outside_through_a_relative_target_is_refused(root: Path) -> None:
    (root / "images" / "up").symlink_to(Path("..") / ".." / "outside")
    assert "resolves outside" in escape_message(root, "images/up/secret.jpg")


def test_symlink_pointing_inside_is_allowed(root: Path) -> None:
    (root / "alias").symlink_to(root / "images" / "prints", target_is_directory=True)
    (root / "cover.jpg").symlink_to(Path("images") / "prints" / "p1.jpg")
    real = root.resolve() / "images" / "prints" / "p1.jpg"
    assert resolve_inside(root, "alias/p1.jpg") == real
    assert resolve_inside(root, "cover.jpg") == real
    assert resolve_inside(root, "cover.jpg").read_bytes() == b"jpeg bytes"


def test_collection_root_that_is_itself_a_symlink(root: Path, tmp_path: Path) -> None:
    link = tmp_path / "root-link"
    link.symlink_to(root, target_is_directory=True)
    assert resolve_inside(link, "images/prints/p1.jpg") == root.resolve() / "images" / "prints" / "p1.jpg"


def test_path_escape_error_is_a_value_error() -> None:
    assert issubclass(PathEscapeError, ValueError)
