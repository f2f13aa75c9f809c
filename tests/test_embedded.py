"""Embedded rights metadata: real files written with the real exiftool, read back through EmbeddedReader."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image

from packager.rights import embedded, embedded_tags
from packager.rights.embedded import EmbeddedReader, EmbeddedReadError, shared_reader
from packager.rights.embedded_tags import RIGHTS_TAGS, copyright_notice, embedded_findings
from packager.rights.verify import Evidence

pytestmark = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
DMI = "http://ns.useplus.org/ldf/vocab/"


def blank(path: Path) -> Path:
    fmt = {".jpg": "JPEG", ".png": "PNG", ".tif": "TIFF"}[path.suffix]
    Image.new("RGB", (16, 12), (120, 80, 40)).save(path, format=fmt)
    return path


def xmp_packet(properties: str) -> str:
    return (
        "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
        "<rdf:Description rdf:about='' xmlns:plus='http://ns.useplus.org/ldf/xmp/1.0/'>\n"
        f"{properties}\n</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end='w'?>\n"
    )


def write_tags(jobs: dict[Path, list[str]], tmp: Path) -> None:
    """Write tags with ONE real exiftool run: an argfile with one -execute per file (absolute paths)."""
    lines: list[str] = []
    for path, assignments in jobs.items():
        lines += ["-overwrite_original", *assignments, str(path.resolve()), "-execute"]
    argfile = tmp / "write.args"
    argfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(["exiftool", "-@", str(argfile)], capture_output=True, text=True, check=False)
    assert done.stderr.count("Error") == 0, done.stderr
    assert done.stdout.count("1 image files updated") == len(jobs), done.stdout + done.stderr


def png_with_late_xmp(path: Path, packet: str) -> Path:
    """A PNG whose XMP iTXt chunk follows the image data (as some writers append it)."""
    blank(path)
    data = path.read_bytes()
    iend = data.rfind(b"IEND") - 4
    payload = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + packet.encode()
    chunk = struct.pack(">I", len(payload)) + b"iTXt" + payload + struct.pack(">I", zlib.crc32(b"iTXt" + payload))
    path.write_bytes(data[:iend] + chunk + data[iend:])
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("embedded")
    f = {
        name: blank(tmp / name)
        for name in [
            "cc0.jpg",
            "ccby.png",
            "exif.tif",
            "iptc.jpg",
            "iptc_utf8.jpg",
            "marked.jpg",
            "unmarked.jpg",
            "plus.jpg",
            "artwork.jpg",
            "langalt.jpg",
            "plain.jpg",
            "dmi_short.jpg",
        ]
    }
    (tmp / "dmi.xmp").write_text(
        xmp_packet(
            f"<plus:DataMining rdf:resource='{DMI}DMI-PROHIBITED-AIMLTRAINING'/>"
            f"<plus:CopyrightStatus>{DMI}CS-PUB</plus:CopyrightStatus>"
        ),
        encoding="utf-8",
    )
    (tmp / "dmi_short.xmp").write_text(
        xmp_packet("<plus:DataMining>DMI-PROHIBITED-GENAIMLTRAINING</plus:DataMining>"), encoding="utf-8"
    )
    f["dmi.jpg"] = blank(tmp / "dmi.jpg")
    write_tags(
        {
            f["cc0.jpg"]: [f"-XMP-xmpRights:WebStatement={CC0}"],
            f["ccby.png"]: [f"-XMP-cc:License={CC_BY}"],
            f["exif.tif"]: ["-EXIF:Copyright=(c) 1998 John Smith. All rights reserved."],
            f["iptc.jpg"]: ["-IPTC:CopyrightNotice=© Tate"],
            # UTF-8 bytes without IPTC:CodedCharacterSet (as some tools write them)
            f["iptc_utf8.jpg"]: ["-charset", "iptc=UTF8", "-IPTC:CopyrightNotice=© Musée d'été"],
            f["marked.jpg"]: ["-XMP-xmpRights:Marked=True"],
            f["unmarked.jpg"]: ["-XMP-xmpRights:Marked=False", "-XMP-dc:Rights=Public Domain"],
            f["plus.jpg"]: ["-XMP-plus:CopyrightStatus=Protected", "-XMP-plus:OtherConstraints=Credit line required"],
            f["dmi.jpg"]: [f"-XMP<={tmp / 'dmi.xmp'}"],
            f["dmi_short.jpg"]: [f"-XMP<={tmp / 'dmi_short.xmp'}"],
            f["artwork.jpg"]: [
                "-XMP-dc:Rights=Photo © 2014 Rijksmuseum",
                "-XMP-iptcExt:ArtworkCreator=Rembrandt van Rijn",
                "-XMP-iptcExt:ArtworkDateCreated=1642",
                "-XMP-iptcExt:ArtworkCircaDateCreated=c. 1642",
                "-XMP-iptcExt:ArtworkTitle=The Night Watch",
                "-XMP-iptcExt:ArtworkCopyrightNotice=Public Domain",
                "-XMP-iptcExt:ArtworkCopyrightOwnerName=Rijksmuseum",
                "-XMP-iptcExt:ArtworkLicensorName=Rijksmuseum",
                "-XMP-iptcExt:ArtworkSource=Rijksmuseum Amsterdam",
                "-XMP-iptcExt:ArtworkSourceInventoryNo=SK-C-5",
            ],
            f["langalt.jpg"]: [
                "-XMP-dc:Rights=Public Domain",
                "-XMP-dc:Rights-de=© 2020 Museum Berlin",
                "-XMP-xmpRights:UsageTerms-fr=Libre de droits",
            ],
        },
        tmp,
    )
    f["late.png"] = png_with_late_xmp(
        tmp / "late.png", xmp_packet(f"<plus:DataMining rdf:resource='{DMI}DMI-PROHIBITED'/>")
    )
    return f


@pytest.fixture(scope="module")
def reader() -> EmbeddedReader:
    with EmbeddedReader() as r:
        yield r


def only(findings: embedded_tags.EmbeddedFindings) -> Evidence:
    assert len(findings.evidence) == 1, findings.evidence
    return findings.evidence[0]


# --- tag names and the reader --------------------------------------------------


def test_tag_names_are_what_exiftool_prints(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    seen = set()
    for path in files.values():
        seen |= {embedded_tags.base_tag(k) for k in reader.read(path)}
    assert seen == set(RIGHTS_TAGS) - {"PNG:Copyright"}
    assert "IFD0:Copyright" in RIGHTS_TAGS and "EXIF:Copyright" not in RIGHTS_TAGS


def test_cc0_web_statement(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["cc0.jpg"])
    assert tags == {"XMP-xmpRights:WebStatement": CC0}
    e = only(embedded_findings(tags))
    assert e == Evidence(
        "embedded",
        "XMP-xmpRights:WebStatement",
        CC0,
        "public_domain",
        "embedded XMP-xmpRights:WebStatement: CC0 1.0 (Waiver by the rights holder)",
    )


def test_cc_by_license_in_png(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["ccby.png"])
    assert tags == {"XMP-cc:License": CC_BY}
    e = only(embedded_findings(tags))
    assert (e.field, e.status) == ("XMP-cc:License", "not_public_domain")
    assert "Creative Commons licence" in e.finding


def test_exif_copyright_in_tiff_is_ifd0(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["exif.tif"])
    assert tags == {"IFD0:Copyright": "(c) 1998 John Smith. All rights reserved."}
    e = only(embedded_findings(tags))
    assert e.status == "not_public_domain"
    assert e.finding == "embedded © notice: '(c) 1998 John Smith. All rights reserved.'"


def test_iptc_copyright_notice_latin_and_utf8(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    # Written by exiftool with its defaults: stored as Latin, read back as "©" without -charset.
    assert reader.read(files["iptc.jpg"]) == {"IPTC:CopyrightNotice": "© Tate"}
    assert only(embedded_findings({"IPTC:CopyrightNotice": "© Tate"})).status == "not_public_domain"
    # UTF-8 without CodedCharacterSet: exiftool prints mojibake, the findings repair it.
    raw = reader.read(files["iptc_utf8.jpg"])
    assert raw == {"IPTC:CopyrightNotice": "Â© MusÃ©e d'Ã©tÃ©"}
    e = only(embedded_findings(raw))
    assert (e.value, e.status) == ("© Musée d'été", "not_public_domain")


def test_marked_true_and_false(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["marked.jpg"])
    assert tags == {"XMP-xmpRights:Marked": True}
    e = only(embedded_findings(tags))
    assert (e.value, e.status) == ("True", "not_public_domain")
    assert "marked as copyrighted" in e.finding
    tags = reader.read(files["unmarked.jpg"])
    assert tags == {"XMP-xmpRights:Marked": False, "XMP-dc:Rights": "Public Domain"}
    assert [e.status for e in embedded_findings(tags).evidence] == ["public_domain", "public_domain"]


def test_plus_copyright_status(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["plus.jpg"])
    assert tags == {"XMP-plus:CopyrightStatus": "CS-PRO", "XMP-plus:OtherConstraints": "Credit line required"}
    found = embedded_findings(tags).evidence
    assert [(e.field, e.status) for e in found] == [
        ("XMP-plus:CopyrightStatus", "not_public_domain"),
        ("XMP-plus:OtherConstraints", "info"),
    ]
    assert only(embedded_findings({"XMP-plus:CopyrightStatus": "CS-PUB"})).status == "public_domain_us"
    assert only(embedded_findings({"XMP-plus:CopyrightStatus": f"{DMI}CS-UNK"})).status == "info"


def test_data_mining_prohibited_full_uri_and_short(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    # exiftool 12.57 does not know plus:DataMining: it prints the raw URI.
    tags = reader.read(files["dmi.jpg"])
    assert tags == {"XMP-plus:DataMining": f"{DMI}DMI-PROHIBITED-AIMLTRAINING", "XMP-plus:CopyrightStatus": "CS-PUB"}
    found = embedded_findings(tags)
    assert found.data_mining_prohibited == "DMI-PROHIBITED-AIMLTRAINING"
    assert [(e.field, e.status) for e in found.evidence] == [
        ("XMP-plus:CopyrightStatus", "public_domain_us"),
        ("XMP-plus:DataMining", "info"),
    ]
    assert found.evidence[1].finding == "embedded PLUS data-mining prohibition: DMI-PROHIBITED-AIMLTRAINING"
    tags = reader.read(files["dmi_short.jpg"])
    assert tags == {"XMP-plus:DataMining": "DMI-PROHIBITED-GENAIMLTRAINING"}
    assert embedded_findings(tags).data_mining_prohibited == "DMI-PROHIBITED-GENAIMLTRAINING"
    allowed = embedded_findings({"XMP-plus:DataMining": "DMI-ALLOWED"})
    assert allowed.data_mining_prohibited is None and only(allowed).status == "info"


def test_xmp_after_png_image_data_is_read(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    # Why the reader does not use -fast2: exiftool -fast2 stops at IDAT and misses this.
    assert reader.read(files["late.png"]) == {"XMP-plus:DataMining": f"{DMI}DMI-PROHIBITED"}
    fast2 = subprocess.run(
        ["exiftool", "-j", "-G1", "-n", "-fast2", "-XMP-plus:DataMining", "--", str(files["late.png"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "DataMining" not in fast2.stdout


def test_artwork_fields(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["artwork.jpg"])
    found = embedded_findings(tags)
    assert found.artwork == {
        "creator": "Rembrandt van Rijn",
        "date_created": "1642",
        "circa_date_created": "c. 1642",
        "title": "The Night Watch",
        "copyright_notice": "Public Domain",
        "copyright_owner": "Rijksmuseum",
        "licensor": "Rijksmuseum",
        "source": "Rijksmuseum Amsterdam",
        "source_inventory_no": "SK-C-5",
    }
    statuses = {e.field: e.status for e in found.evidence}
    assert statuses.pop("XMP-dc:Rights") == "not_public_domain"  # the photo's own © line
    assert statuses.pop("XMP-iptcExt:ArtworkCopyrightNotice") == "public_domain"
    assert set(statuses.values()) == {"info"} and len(statuses) == 8
    artwork_c = only(embedded_findings({"XMP-iptcExt:ArtworkCopyrightNotice": "© Succession Picasso"}))
    assert artwork_c.status == "not_public_domain"
    assert artwork_c.finding == "embedded artwork © notice: '© Succession Picasso'"


def test_several_artworks_are_joined() -> None:
    found = embedded_findings({"XMP-iptcExt:ArtworkCreator": ["A. Painter", "B. Sculptor"]})
    assert found.artwork == {"creator": "A. Painter | B. Sculptor"}


def test_lang_alt_variants_are_read(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["langalt.jpg"])
    assert tags == {
        "XMP-xmpRights:UsageTerms-fr": "Libre de droits",
        "XMP-dc:Rights": "Public Domain",
        "XMP-dc:Rights-de": "© 2020 Museum Berlin",
    }
    statuses = {e.field: e.status for e in embedded_findings(tags).evidence}
    assert statuses == {
        "XMP-xmpRights:UsageTerms-fr": "info",
        "XMP-dc:Rights": "public_domain",
        "XMP-dc:Rights-de": "not_public_domain",
    }


def test_no_metadata(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    tags = reader.read(files["plain.jpg"])
    assert tags == {}
    assert embedded_findings(tags) == embedded_tags.EmbeddedFindings((), None, {})


def test_unreadable_files(reader: EmbeddedReader, tmp_path: Path) -> None:
    # A text file: exiftool reads it (as TXT) and finds no tags -> {}.
    text = tmp_path / "notes.jpg"
    text.write_text("just some words\n", encoding="utf-8")
    assert reader.read(text) == {}
    # Damaged or unknown files: exiftool reports an error -> EmbeddedReadError naming the file.
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\x00\x01garbage" * 200)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    unknown = tmp_path / "blob.bin"
    unknown.write_bytes(bytes(range(256)) * 8)
    for path, message in [
        (corrupt, "File format error"),
        (empty, "File is empty"),
        (unknown, "Unknown file type"),
    ]:
        with pytest.raises(EmbeddedReadError, match=message) as info:
            reader.read(path)
        assert info.value.path == path and str(path) in str(info.value)
    # Refused before exiftool: missing files and directories.
    with pytest.raises(EmbeddedReadError, match="no such file"):
        reader.read(tmp_path / "missing.jpg")
    with pytest.raises(EmbeddedReadError, match="not a regular file"):
        reader.read(tmp_path)
    # In a batch, the first failing file is named.
    with pytest.raises(EmbeddedReadError, match="File is empty") as info:
        reader.read_many([text, empty, corrupt])
    assert info.value.path == empty


# --- security ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "-ver.jpg",
        "-echo.jpg",
        "-execute.jpg",
        "#hash.jpg",
        " leading space.jpg",
        "Café été.jpg",
        "with spaces and = sign.jpg",
        "pipe.jpg|",
        os.fsdecode(b"latin1-\xe9t\xe9.jpg"),
    ],
)
def test_odd_file_names_are_read_as_files(
    reader: EmbeddedReader, files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    shutil.copyfile(files["cc0.jpg"], path)
    assert reader.read(path) == {"XMP-xmpRights:WebStatement": CC0}


def test_relative_dash_path_is_made_absolute(
    reader: EmbeddedReader, files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(files["exif.tif"], tmp_path / "-ver.tif")
    monkeypatch.chdir(tmp_path)
    assert reader.read(Path("-ver.tif")) == {"IFD0:Copyright": "(c) 1998 John Smith. All rights reserved."}
    # and the process still answers correctly afterwards
    assert reader.read(Path("-ver.tif")) == {"IFD0:Copyright": "(c) 1998 John Smith. All rights reserved."}


@pytest.mark.parametrize("name", ["a\n-ver\nb.jpg", "a\r.jpg", "x.jpg\n-execute"])
def test_newline_in_path_is_refused_before_exiftool(files: dict[str, Path], tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copyfile(files["cc0.jpg"], path)  # the file exists: refusal is about the name
    fresh = EmbeddedReader()
    with pytest.raises(EmbeddedReadError, match="newline") as info:
        fresh.read(path)
    assert info.value.path == path
    with pytest.raises(EmbeddedReadError, match="newline"):
        fresh.read_many([files["cc0.jpg"], path])
    assert fresh.pid is None  # exiftool was never started


def test_no_double_dash_or_common_args_in_the_command() -> None:
    # "--" in -stay_open mode turns the closing -execute into a file name (exiftool hangs).
    options = [a for a in embedded._READ_ARGS if ":" not in a]
    assert options == ["-j", "-G1", "-n"]
    tags = [a for a in embedded._READ_ARGS if ":" in a]
    assert all(re.fullmatch(r"-[A-Za-z0-9-]+:[A-Za-z0-9]+\*?", a) for a in tags), tags


# --- batching and the long-lived process -----------------------------------------


def test_read_many_keeps_order(reader: EmbeddedReader, files: dict[str, Path], tmp_path: Path) -> None:
    sources = [files["cc0.jpg"], files["marked.jpg"], files["plain.jpg"], files["iptc.jpg"]]
    paths = []
    for i in range(20):
        path = tmp_path / f"{19 - i:02d}.jpg"  # names sort the other way round
        shutil.copyfile(sources[i % 4], path)
        paths.append(path)
    expected = [reader.read(sources[i % 4]) for i in range(20)]
    assert reader.read_many(paths) == expected
    assert reader.read_many([]) == []


def test_one_process_serves_fifty_reads(reader: EmbeddedReader, files: dict[str, Path]) -> None:
    pid = reader.pid
    assert pid is not None
    names = sorted(files)
    for i in range(50):
        reader.read(files[names[i % len(names)]])
    assert reader.pid == pid
    assert Path(f"/proc/{pid}").exists()


def test_process_killed_by_thread_exit_is_replaced(files: dict[str, Path]) -> None:
    # PyExifTool's PR_SET_PDEATHSIG is per thread: exiftool dies with the thread that started it.
    r = EmbeddedReader()
    t = threading.Thread(target=r.__enter__)
    t.start()
    t.join()
    first = r.pid
    try:
        assert r.read(files["cc0.jpg"]) == {"XMP-xmpRights:WebStatement": CC0}
        assert r.pid not in (None, first)
    finally:
        r.close()
    assert r.pid is None


def _child_pid_and_tags(path: str) -> tuple[int | None, dict]:
    tags = shared_reader().read(Path(path))
    return shared_reader().pid, tags


def test_shared_reader_is_per_process(files: dict[str, Path]) -> None:
    parent = shared_reader()
    assert shared_reader() is parent
    assert parent.read(files["cc0.jpg"]) == {"XMP-xmpRights:WebStatement": CC0}
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        child_pid, tags = pool.apply(_child_pid_and_tags, (str(files["marked.jpg"]),))
    assert tags == {"XMP-xmpRights:Marked": True}
    assert child_pid not in (None, parent.pid)
    # the parent's exiftool was not disturbed by the child
    assert parent.read(files["iptc.jpg"]) == {"IPTC:CopyrightNotice": "© Tate"}


FAKE = """#!{python}
import sys, time
mode, args = {mode!r}, []
while True:
    line = sys.stdin.readline()
    if not line:
        break
    line = line.rstrip("\\n")
    if line.startswith("-execute"):
        n = line[len("-execute"):]
        if mode == "mute":
            time.sleep(30)
        elif "-ver" in args or mode == "answer":
            sys.stdout.write({version!r} + "\\n{{ready" + n + "}}\\n")
            sys.stdout.flush()
            sys.stderr.write("=0=post" + n + "\\n")
            sys.stderr.flush()
        elif mode == "hang":
            time.sleep(30)
        else:
            sys.exit(3)
        args = []
    elif args[-1:] == ["-stay_open"] and line == "False":
        break
    else:
        args.append(line)
"""


def fake_exiftool(tmp_path: Path, mode: str, version: str = "12.57") -> str:
    script = tmp_path / f"fake-exiftool-{mode}"
    script.write_text(FAKE.format(python=sys.executable, mode=mode, version=version), encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_exiftool_that_hangs_is_killed_after_the_deadline(files: dict[str, Path], tmp_path: Path) -> None:
    r = EmbeddedReader(fake_exiftool(tmp_path, "hang"), timeout_s=0.5)
    with pytest.raises(EmbeddedReadError, match="did not answer in time"):
        r.read(files["cc0.jpg"])
    assert r.pid is None


def test_exiftool_that_dies_mid_command_raises(files: dict[str, Path], tmp_path: Path) -> None:
    r = EmbeddedReader(fake_exiftool(tmp_path, "die"), timeout_s=5)
    with pytest.raises(EmbeddedReadError, match="exited unexpectedly"):
        r.read(files["cc0.jpg"])
    assert r.pid is None


def test_exiftool_that_never_starts_is_not_left_running(tmp_path: Path) -> None:
    fake = fake_exiftool(tmp_path, "mute")
    r = EmbeddedReader(fake, timeout_s=0.3)
    with pytest.raises(RuntimeError, match="did not start"):
        r.__enter__()
    assert r.pid is None
    # The full path (in this test's own tmp_path), so that another test run on the machine cannot match.
    assert not subprocess.run(["pgrep", "-f", fake], capture_output=True, check=False).stdout


def test_old_exiftool_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"12\.10 is older than 12\.38"):
        EmbeddedReader(fake_exiftool(tmp_path, "answer", version="12.10")).__enter__()


def test_missing_executable() -> None:
    with pytest.raises(FileNotFoundError):
        EmbeddedReader("no-such-exiftool-here")


# --- free-text rules -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "© Tate",
        "©2019 The Metropolitan Museum of Art",
        "Copyright 2014 Cultural Heritage Institution",
        "(c) 1998 John Smith. All rights reserved.",
        "(C) National Gallery",
        "Copyright: Bildarchiv Foto Marburg",
        "copyright by John Smith",
        "Copyright holder: Tate Images",
        "All rights reserved",
        "Photo: Jane Doe. Some rights reserved.",
        "Ⓒ Estate of the artist",
        "In Copyright - Educational Use Permitted",
    ],
)
def test_copyright_notices(text: str) -> None:
    assert copyright_notice(text)
    assert only(embedded_findings({"XMP-dc:Rights": text})).status == "not_public_domain"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Public Domain", "public_domain"),
        ("This image is in the public domain", "info"),
        ("CC0", "public_domain"),
        ("No Copyright - United States", "public_domain_us"),
        ("No known copyright restrictions", "undetermined"),
        ("Copyright expired", "info"),
        ("Copyright Expired", "info"),
        ("No copyright", "info"),
        ("Copyright: Public Domain", "info"),
        ("Copyright status unknown", "info"),
        ("Copyright Holder Unknown", "info"),
        ("Copyright Notice", "info"),
        ("No rights reserved", "info"),
        ("Out of copyright", "info"),
        (
            "No known copyright restrictions: (a) the copyright is in the public domain because it has expired; "
            "(b) ...; (c) The institution owns the copyright but is not interested in exercising control",
            "info",
        ),
        ("Scanned by the library", "info"),
        ("Released under https://creativecommons.org/licenses/by-sa/4.0/deed.en", "not_public_domain"),
        (f"See {CC0}", "public_domain"),
    ],
)
def test_disclaimers_are_not_notices(text: str, status: str) -> None:
    e = only(embedded_findings({"XMP-dc:Rights": text}))
    assert e.status == status, e.finding
    if status == "info":
        assert "recorded, not deciding" in e.finding


def test_findings_ignore_other_tags_and_accept_exif_group() -> None:
    found = embedded_findings({"SourceFile": "/x.jpg", "XMP-dc:Creator": "© nobody", "EXIF:Copyright": "© A"})
    assert [(e.field, e.status) for e in found.evidence] == [("EXIF:Copyright", "not_public_domain")]
