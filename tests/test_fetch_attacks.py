"""A hostile manifest and hostile servers against URL fetching (issue 12, findings 1 and 3).

Every test performs the attack against real servers on 127.0.0.1 and asserts the safe outcome:
the server pdpack must not reach hears nothing, the item is rejected with its reason, and no
message repeats what a server sent.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli import cli
from packager.media.fetch import FetchError, fetch
from tests.ftp_listener import BANNER, ftp_listener
from tests.helpers import image_bytes
from tests.http_server import serve

PNG = image_bytes("PNG")
# Far above any deadline used here; only a fetch that hangs would take this long.
HANG = 60.0


def _reason(url: str, **options: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, **options)
    return caught.value


def _ipv4_mapped_reaches_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe, socket.create_server(("127.0.0.1", 0)) as srv:
            probe.settimeout(1)
            probe.connect(("::ffff:127.0.0.1", srv.getsockname()[1]))
        return True
    except OSError:
        return False


# --- Finding 1: server-side request forgery ---------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",  # 127.0.0.1 as one decimal number
        "0177.0.0.1",  # octal
        "0x7f.0.0.1",  # hexadecimal
        "127.1",  # short form
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
        "[::ffff:7f00:1]",  # the same, in hex
        "[::127.0.0.1]",  # IPv4-compatible IPv6
        "[::1]",
    ],
)
def test_loopback_in_any_spelling_is_refused_and_never_contacted(host: str) -> None:
    with serve({"a.png": PNG}) as server:
        url = f"http://{host}:{server.server_address[1]}/file/a.png"
        error = _reason(url, retries=0)
        assert error.reason == "url:private-address"
        assert "loopback" in str(error)
        assert sum(server.hits.values()) == 0


def test_the_odd_spellings_do_reach_the_server_when_private_addresses_are_allowed() -> None:
    # The attack is real: the same spellings connect to 127.0.0.1 once the check is lifted.
    with serve({"a.png": PNG}) as server:
        port = server.server_address[1]
        hosts = ["2130706433", "0177.0.0.1", "127.1", "localhost"]
        if _ipv4_mapped_reaches_loopback():
            hosts.append("[::ffff:127.0.0.1]")
        for host in hosts:
            assert fetch(f"http://{host}:{port}/file/a.png", allow_private=True, retries=0) == PNG
        assert server.hits["/file/a.png"] == len(hosts)
        assert f"localhost:{port}" in server.hosts  # the name is sent as Host, the checked address is connected


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # shared (carrier-grade NAT)
        "169.254.169.254",  # link-local: the cloud metadata service
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "255.255.255.255",
        "[fe80::1]",
        "[fd00::1]",  # unique-local
        "[ff02::1]",
        "[::]",
        "[::ffff:169.254.169.254]",
        "[::ffff:a01:203]",  # 10.1.2.3, IPv4-mapped, in hex
        "[64:ff9b::a9fe:a9fe]",  # NAT64 form of 169.254.169.254
        "2852039166",  # 169.254.169.254 as a decimal number
    ],
)
def test_private_and_reserved_addresses_are_refused_before_connecting(address: str) -> None:
    started = time.monotonic()
    error = _reason(f"http://{address}/latest/meta-data/", retries=0)
    assert error.reason == "url:private-address"
    assert time.monotonic() - started < HANG  # refused up front, not after a connection attempt timed out


def test_redirect_to_ftp_is_refused_and_the_ftp_listener_hears_nothing() -> None:
    with ftp_listener() as ftp, serve({"a.png": PNG}) as server:
        server.redirects["to-ftp"] = f"ftp://127.0.0.1:{ftp.port}/a.png"
        error = _reason(f"{server.base}/redirect/to-ftp", allow_private=True, retries=2)
        assert error.reason == "url:unsupported-scheme"
        assert "ftp" in str(error)
        assert server.hits["/redirect/to-ftp"] == 1  # a refused scheme is final: no retry
    assert ftp.connections == 0
    assert ftp.received == b""


def test_an_http_url_to_an_ftp_server_never_echoes_its_reply() -> None:
    with ftp_listener() as ftp:
        error = _reason(f"http://127.0.0.1:{ftp.port}/a.png", allow_private=True, retries=0)
    assert error.reason == "url:unreachable"
    assert ftp.connections == 1
    assert b"SECRET" not in str(error).encode() and BANNER.decode().strip() not in str(error)
    assert b"USER" not in ftp.received and b"PASS" not in ftp.received


def test_redirect_from_an_allowed_server_to_another_private_address_is_refused() -> None:
    # Only 127.0.0.1 is allowed (an in-house server); it redirects to 127.0.0.2, which is not.
    with serve({"a.png": PNG}, host="127.0.0.2") as inner, serve({"a.png": PNG}) as outer:
        for n, spelling in enumerate(("127.0.0.2", "2130706434", "[::ffff:127.0.0.2]")):
            outer.redirects[f"r{n}"] = f"http://{spelling}:{inner.server_address[1]}/file/a.png"
            error = _reason(f"{outer.base}/redirect/r{n}", allow_networks=["127.0.0.1/32"], retries=0)
            assert error.reason == "url:private-address"
            assert "redirected" in str(error) and "loopback" in str(error)
        assert sum(inner.hits.values()) == 0
        # The allowed network itself is fetched, and so is the redirect once its network is allowed too.
        assert fetch(f"{outer.base}/file/a.png", allow_networks=["127.0.0.1/32"]) == PNG
        both = ["127.0.0.1/32", "127.0.0.2/32"]
        assert fetch(f"{outer.base}/redirect/r0", allow_networks=both) == PNG
        assert inner.hits["/file/a.png"] == 1


def test_redirect_loops_end(tmp_path: Path) -> None:
    with serve({}) as server:
        server.redirects["loop"] = f"{server.base}/redirect/loop"
        error = _reason(f"{server.base}/redirect/loop", allow_private=True, retries=0)
    assert error.reason == "url:bad-redirect"
    assert server.hits["/redirect/loop"] == 6  # the first request and five redirects


def test_no_server_bytes_reach_messages_rejected_jsonl_or_annotations(tmp_path: Path, collection_factory: Any) -> None:
    secret = b"SECRET-BODY-BYTES ::error::forged"
    with serve({"page.png": secret, "phrase": b"::error title=forged::SECRET-REASON"}) as server:
        rows = [
            {"id": "html", "url": f"{server.base}/html/page.png", "title": "A page"},
            {"id": "magic", "url": f"{server.base}/file/page.png", "title": "Not an image"},
            {"id": "phrase", "url": f"{server.base}/reason/phrase", "title": "Forged reason phrase"},
        ]
        folder = collection_factory(rows)
        out = tmp_path / "dist"
        settings = Settings(fetch_retries=0, allow_private_urls=True)
        build(load_collections([folder]), out, settings)
        result = CliRunner().invoke(
            cli, ["validate", "--format", "github", "--allow-private-urls", "--no-cache", str(folder)]
        )
    rejected = (out / "rejected.jsonl").read_text(encoding="utf-8")
    reasons = {r["id"]: r["reason"] for r in map(json.loads, rejected.splitlines())}
    assert reasons == {"html": "url:not-an-image", "magic": "url:not-an-image", "phrase": "url:http-error"}
    for published in (rejected, (out / "report.html").read_text(encoding="utf-8"), result.output):
        assert "SECRET" not in published
    assert "HTTP 503 Service Unavailable" in rejected  # the standard phrase, not the server's


def test_build_refuses_private_urls_without_the_flag_and_fetches_with_it(
    tmp_path: Path, collection_factory: Any
) -> None:
    with serve({"a.png": PNG}) as server:
        folder = collection_factory([{"id": "a", "url": f"{server.base}/file/a.png", "title": "Local"}])
        runner = CliRunner()
        refused = runner.invoke(cli, ["build", str(folder), "--out", str(tmp_path / "d1"), "--no-cache"])
        assert refused.exit_code == 0, refused.output
        assert sum(server.hits.values()) == 0
        line = json.loads((tmp_path / "d1" / "rejected.jsonl").read_text(encoding="utf-8"))
        assert line["reason"] == "url:private-address" and "--allow-private-urls" in line["advice"]
        allowed = runner.invoke(
            cli, ["build", str(folder), "--out", str(tmp_path / "d2"), "--no-cache", "--allow-private-urls"]
        )
        assert allowed.exit_code == 0, allowed.output
        assert server.hits["/file/a.png"] == 1
    assert json.loads((tmp_path / "d2" / "report.json").read_text())["totals"]["shipped"] == 1


@pytest.mark.parametrize("command", ["validate", "build", "review", "release"])
def test_every_command_that_fetches_takes_the_flag(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert "--allow-private-urls" in result.output
    assert "--fetch-deadline" in result.output
    assert "--item-deadline" in result.output


# --- Finding 3: a deadline per URL, retries included ------------------------------------------


def test_a_trickling_server_costs_at_most_the_deadline() -> None:
    with serve({}) as server:
        started = time.monotonic()
        error = _reason(f"{server.base}/trickle/a.png", allow_private=True, deadline=1.5, timeout=30, retries=3)
        elapsed = time.monotonic() - started
    assert error.reason == "url:deadline"
    assert elapsed < HANG
    assert server.hits["/trickle/a.png"] == 1  # the deadline, not a retry, ended it


def test_a_stalled_server_costs_at_most_the_deadline_not_retries_times_timeout(
    tmp_path: Path, collection_factory: Any
) -> None:
    with serve({}) as server:
        folder = collection_factory([{"id": "stalled", "url": f"{server.base}/stall/a.png", "title": "Stalled"}])
        out = tmp_path / "dist"
        started = time.monotonic()
        settings = Settings(fetch_deadline=1.5, fetch_timeout=30, fetch_retries=3, allow_private_urls=True)
        report = build(load_collections([folder]), out, settings)
        elapsed = time.monotonic() - started
    assert report["totals"]["rejected"] == 1
    line = json.loads((out / "rejected.jsonl").read_text(encoding="utf-8"))
    assert line["reason"] == "url:deadline" and "1.5 s" in line["message"]
    assert elapsed < HANG


def test_the_deadline_bounds_slow_headers_too() -> None:
    # A server that accepts and then says nothing at all: the wait for the status line is bounded.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        error = _reason(f"http://127.0.0.1:{port}/a.png", allow_private=True, deadline=1.0, timeout=30, retries=0)
    assert error.reason == "url:deadline"


# --- The pull-request check downloads nothing ---------------------------------------------------


def test_offline_validate_downloads_nothing_and_still_flags_refused_addresses(collection_factory: Any) -> None:
    with serve({"a.png": PNG}) as server:
        folder = collection_factory(
            [
                {"id": "allowed", "url": f"{server.base}/file/a.png", "title": "In-house"},
                {"id": "metadata", "url": "http://169.254.169.254/latest/meta-data/", "title": "Metadata service"},
                {"id": "decimal", "url": "http://2130706434/a.png", "title": "Loopback"},  # 127.0.0.2
                {"id": "ftp", "url": "ftp://example.org/a.png", "title": "FTP"},
            ]
        )
        args = ["validate", "--offline", "--format", "github", "--allow-private-network", "127.0.0.1/32", str(folder)]
        result = CliRunner().invoke(cli, args)
        assert sum(server.hits.values()) == 0
    assert result.exit_code == 1, result.output  # the refused addresses are problems to fix in the manifest
    assert "1 URL item(s) not downloaded (--offline)" in result.output, result.output
    assert result.output.count("private-address") == 2 * 2  # an annotation and a report line for each
    assert "url:unsupported-scheme" in result.output
    assert "url:not-fetched" not in result.output  # set aside, not held back or annotated


# --- TLS to a pinned address ---------------------------------------------------------------------


def test_https_goes_to_the_checked_address_and_checks_the_certificate_for_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import ssl
    import subprocess

    from packager.media import httpclient

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl program to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    names = ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)]
    subprocess.run([*request, *names], check=True, capture_output=True)
    # This test's certificate authority is the only one trusted (a configuration, not a stand-in).
    monkeypatch.setattr(httpclient, "_TLS", ssl.create_default_context(cafile=str(cert)))
    with serve({"a.png": PNG}) as server:
        server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_side.load_cert_chain(str(cert), str(key))
        server.socket = server_side.wrap_socket(server.socket, server_side=True)
        port = server.server_address[1]
        # The name is resolved and checked (loopback: allowed here), the connection goes to that address,
        # and the certificate is checked for the name, sent as the TLS server name and the Host header.
        assert fetch(f"https://localhost:{port}/file/a.png", allow_private=True, retries=0) == PNG
        assert server.hosts == [f"localhost:{port}"]
        # By address, the certificate (issued for the name only) does not match: refused, nothing served.
        error = _reason(f"https://127.0.0.1:{port}/file/a.png", allow_private=True, retries=0)
        assert error.reason == "url:unreachable" and "TLS failed" in str(error)
        # And without the flag, the name is refused for what it resolves to, before any connection.
        assert _reason(f"https://localhost:{port}/file/a.png", retries=0).reason == "url:private-address"
    assert server.hits["/file/a.png"] == 1


def test_a_iiif_manifest_cannot_point_its_image_bodies_at_private_addresses(tmp_path: Path) -> None:
    from tests.test_iiif import CC0, canvas3, iiif_collection, image3, manifest3

    with serve({"a.png": PNG}) as server:
        port = server.server_address[1]
        bodies = [f"{server.base}/file/a.png", f"http://2130706433:{port}/file/a.png", "http://169.254.169.254/x.png"]
        canvases = [canvas3(n + 1, image3(body), label=f"Page {n + 1}") for n, body in enumerate(bodies)]
        folder = iiif_collection(tmp_path, {"object.json": manifest3(*canvases, rights=CC0)})
        out = tmp_path / "dist"
        build(load_collections([folder]), out, Settings(as_of="2026-11-30", fetch_retries=0))
        assert sum(server.hits.values()) == 0
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["reason"] for r in rejected] == ["url:private-address"] * 3
