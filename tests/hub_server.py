"""A small Hugging Face Hub on 127.0.0.1, for testing `pdpack push` with the real `huggingface_hub` client.

It serves exactly the HTTP endpoints that huggingface_hub 2.4.0 calls to create a dataset repo, upload files
through the legacy git-LFS path (``HF_HUB_DISABLE_XET=1``), tag a release and download it back, with the
request and response shapes read from the client's source:

==========================================================  ====================================================
Request                                                     Client function (huggingface_hub 2.4.0)
==========================================================  ====================================================
POST /api/repos/create                                      HfApi.create_repo (409 + {"url"} when it exists)
GET  /api/datasets/{ns}/{name}[/revision/{rev}]             HfApi.repo_info / dataset_info, snapshot_download
GET  /api/datasets/{ns}/{name}/tree/{rev}[/{path}]          HfApi.list_repo_tree (``Link: rel="next"`` pages)
GET  /api/datasets/{ns}/{name}/refs                         HfApi.list_repo_refs
POST /api/validate-yaml                                     HfApi.create_commit, when README.md is committed
GET  /api/agent-harnesses                                   utils._detect_agent (user agent; off with telemetry)
POST /api/datasets/{ns}/{name}/preupload/{rev}              _commit_api._fetch_upload_modes
POST /datasets/{ns}/{name}.git/info/lfs/objects/batch       lfs.post_lfs_batch_info (basic transfer)
PUT  /lfs-upload/{ns}/{name}/{oid}?size=&sig=               lfs._upload_single_part (the batch's upload href)
POST /datasets/{ns}/{name}.git/info/lfs/objects/verify      lfs.lfs_upload (the batch's verify href)
POST /api/datasets/{ns}/{name}/commit/{rev}                 _commit_api._send_commit (NDJSON body)
POST /api/datasets/{ns}/{name}/tag/{rev}                    HfApi.create_tag
GET|HEAD /datasets/{ns}/{name}/resolve/{rev}/{path}         get_hf_file_metadata / hf_hub_download
==========================================================  ====================================================

Repos live in memory: a commit history (each commit keeps the full file map and the paths it changed, in the
order of the NDJSON body), branches, tags and an LFS object store. Every request is counted per endpoint, with
the bytes received and sent. ``seed()`` fills a repo directly, for benchmarks that measure reading a large
one. Writes need ``Authorization: Bearer <token>`` with a token from ``tokens``; any other token
gets 401 "Invalid credentials in Authorization header", as on the Hub. ``fail()`` injects faults: the Nth call
to an endpoint (and, optionally, the ones after it) answers 500 or drops the connection, before or after doing
the work.

Choices of this server where the Hub's behaviour is not documented: a file is stored with LFS when its name
matches a ``filter=lfs`` pattern of the repo's .gitattributes (seeded with the Hub's usual defaults, which
include *.tar and *.parquet) or when it is 10 MiB or larger; a regular file that should be LFS is refused at
commit time, like the Hub refuses binary files outside LFS.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import hashlib
import hmac
import json
import re
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

LFS_MIN_SIZE = 10 * 1024 * 1024
DEFAULT_GITATTRIBUTES = "".join(
    f"{pattern} filter=lfs diff=lfs merge=lfs -text\n"
    for pattern in (
        "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.gz", "*.h5", "*.lz4", "*.msgpack", "*.npy", "*.npz",
        "*.onnx", "*.parquet", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors", "*.tar", "*.tar.*",
        "*.tgz", "*.xz", "*.zip", "*.zst", "*.mp3", "*.wav", "*.flac", "*.jpg", "*.jpeg", "*.png", "*.webp",
        "*.gif", "*.tif", "*.tiff", "*.mp4", "*.webm",
    )
)  # fmt: skip
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
_OID = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


@dataclass(frozen=True)
class Blob:
    data: bytes
    lfs: bool

    @property
    def size(self) -> int:
        return len(self.data)

    # Cached: a recursive tree listing names every file's digests, and a benchmark's repo holds thousands.
    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def oid(self) -> str:
        """The git blob id: of the pointer file for LFS files, as git stores it."""
        return git_blob_oid(lfs_pointer(self.sha256, self.size) if self.lfs else self.data)

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.oid


@dataclass
class Commit:
    oid: str
    parent: str | None
    summary: str
    description: str
    date: str
    files: dict[str, Blob]  # the whole tree after this commit
    changed: list[str]  # paths added or changed (or deleted) by this commit, in request order


@dataclass
class Repo:
    repo_id: str
    private: bool
    created: str
    commits: dict[str, Commit] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # commit oids, oldest first
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    lfs: dict[str, bytes] = field(default_factory=dict)  # LFS objects by sha256

    @property
    def head(self) -> Commit:
        return self.commits[self.branches["main"]]

    @property
    def files(self) -> dict[str, bytes]:
        """Path -> bytes on main."""
        return {path: blob.data for path, blob in self.head.files.items()}

    def pushed_commits(self) -> list[Commit]:
        """Commits after the one that created the repo, oldest first."""
        return [self.commits[oid] for oid in self.history[1:]]

    def resolve(self, revision: str) -> Commit | None:
        oid = self.branches.get(revision) or self.tags.get(revision)
        if oid is None and _COMMIT.match(revision) and revision in self.commits:
            oid = revision
        return self.commits.get(oid) if oid else None

    def is_lfs(self, path: str, size: int, at: Commit | None = None) -> bool:
        if size >= LFS_MIN_SIZE:
            return True
        attributes = (at or self.head).files.get(".gitattributes")
        name = path.rsplit("/", 1)[-1]
        for line in (attributes.data.decode("utf-8", "replace") if attributes else "").splitlines():
            parts = line.split()
            matches = len(parts) > 1 and (fnmatch.fnmatchcase(name, parts[0]) or fnmatch.fnmatchcase(path, parts[0]))
            if matches and "filter=lfs" in parts[1:]:
                return True
        return False


@dataclass
class Fault:
    """Make calls to ``endpoint`` fail: the ``nth`` matching call and the ``times - 1`` after it (all if None).

    mode "status" answers ``status`` without doing the work; "drop" closes the connection without an answer;
    "drop_after" does the work (a commit is made) and then closes the connection without an answer, as when a
    response is lost. ``echo_auth`` puts the request's Authorization header in the error body, to check that a
    client never shows a server message with a token in it.
    """

    endpoint: str
    nth: int = 1
    times: int | None = None
    mode: str = "status"
    status: int = 500
    repo_id: str | None = None
    echo_auth: bool = False
    seen: int = 0
    fired: int = 0

    def hit(self, endpoint: str, repo_id: str | None) -> bool:
        if endpoint != self.endpoint or (self.repo_id is not None and repo_id != self.repo_id):
            return False
        self.seen += 1
        if self.seen < self.nth or (self.times is not None and self.fired >= self.times):
            return False
        self.fired += 1
        return True


class HubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tokens: set[str], username: str = "pdpack-test") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tokens = set(tokens)
        self.username = username
        self.repos: dict[str, Repo] = {}
        self.requests: Counter[str] = Counter()  # endpoint -> number of requests
        self.methods: Counter[str] = Counter()  # HTTP method -> number of requests
        self.bytes_received: Counter[str] = Counter()  # endpoint -> request body bytes
        self.bytes_sent: Counter[str] = Counter()  # endpoint -> response body bytes
        self.log: list[tuple[str, str, int]] = []  # (method, endpoint, status)
        self.faults: list[Fault] = []
        self.unknown: list[str] = []  # "METHOD path" of requests no route matched
        self.tree_page_size = 1000
        self.lock = threading.RLock()
        self._secret = secrets.token_bytes(16)
        self._counter = 0

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def writes(self) -> int:
        return sum(self.methods[m] for m in WRITE_METHODS)

    def fail(self, endpoint: str, **kwargs: Any) -> Fault:
        fault = Fault(endpoint, **kwargs)
        self.faults.append(fault)
        return fault

    def reset_counters(self) -> None:
        with self.lock:
            self.requests.clear()
            self.methods.clear()
            self.bytes_received.clear()
            self.bytes_sent.clear()
            self.log.clear()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # dropped connections are on purpose

    # state changes, under the lock

    def _new_oid(self, *parts: str) -> str:
        self._counter += 1
        text = "\0".join((*parts, str(self._counter)))
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()

    def create_repo(self, repo_id: str, private: bool) -> Repo:
        now = _now()
        repo = Repo(repo_id, private, now)
        first = Commit(
            self._new_oid(repo_id, "initial"),
            None,
            "initial commit",
            "",
            now,
            {".gitattributes": Blob(DEFAULT_GITATTRIBUTES.encode(), lfs=False)},
            [".gitattributes"],
        )
        repo.commits[first.oid] = first
        repo.history.append(first.oid)
        repo.branches["main"] = first.oid
        self.repos[repo_id] = repo
        return repo

    def seed(self, repo_id: str, files: dict[str, bytes], tag: str | None = None) -> Commit:
        """A repo holding ``files`` in one commit on main (tagged ``tag``), as a push would leave it, without the
        push's requests: for benchmarks that measure reading a large repo, not writing one. Each file is stored
        with LFS or in git by the rule a commit applies."""
        with self.lock:
            repo = self.repos.get(repo_id) or self.create_repo(repo_id, private=False)
            parent = repo.head
            tree = dict(parent.files)
            for path, data in files.items():
                tree[path] = Blob(data, lfs=repo.is_lfs(path, len(data), parent))
            oid = self._new_oid(repo_id, parent.oid, "seed")
            commit = Commit(oid, parent.oid, "seed", "", _now(), tree, list(files))
            repo.commits[commit.oid] = commit
            repo.history.append(commit.oid)
            repo.branches["main"] = commit.oid
            if tag is not None:
                repo.tags[tag] = commit.oid
            return commit

    def sign(self, repo_id: str, oid: str, size: int) -> str:
        return hmac.new(self._secret, f"{repo_id}\0{oid}\0{size}".encode(), hashlib.sha256).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server: HubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    # plumbing

    def _dispatch(self) -> None:
        self._silent = False
        self._status = 0
        self.body = self._read_body()
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = [unquote(p) for p in url.path.split("/")[1:]]
        endpoint, handler, args = self._route(self.command, parts)
        self._endpoint = endpoint
        repo_id = args.get("repo_id")
        server = self.server
        with server.lock:
            server.requests[endpoint] += 1
            server.methods[self.command] += 1
            server.bytes_received[endpoint] += len(self.body)
            fault = next((f for f in server.faults if f.hit(endpoint, repo_id)), None)
        try:
            if fault is not None and fault.mode in ("status", "drop"):
                if fault.mode == "drop":
                    self.close_connection = True
                    return
                auth = self.headers.get("Authorization", "") if fault.echo_auth else ""
                self._error(fault.status, f"Internal error (injected fault) {auth}".strip())
                return
            if fault is not None:  # drop_after: do the work, lose the answer
                self._silent = True
                self.close_connection = True
            handler(**args)
        finally:
            with server.lock:
                server.log.append((self.command, endpoint, self._status))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self, method: str, p: list[str]) -> tuple[str, Any, dict[str, Any]]:
        """(endpoint name, handler, arguments) for a request path split into unquoted segments."""
        n = len(p)
        if method == "POST" and p == ["api", "repos", "create"]:
            return "create_repo", self.create_repo, {}
        if method == "POST" and p == ["api", "validate-yaml"]:
            return "validate_yaml", self.validate_yaml, {}
        if method == "GET" and p == ["api", "agent-harnesses"]:
            return "agent_harnesses", self.agent_harnesses, {}
        if n >= 4 and p[:2] == ["api", "datasets"]:
            repo_id, rest = f"{p[2]}/{p[3]}", p[4:]
            if method == "GET" and not rest:
                return "repo_info", self.repo_info, {"repo_id": repo_id, "revision": "main"}
            if method == "GET" and len(rest) == 2 and rest[0] == "revision":
                return "repo_info", self.repo_info, {"repo_id": repo_id, "revision": rest[1]}
            if method == "GET" and len(rest) >= 2 and rest[0] == "tree":
                return "tree", self.tree, {"repo_id": repo_id, "revision": rest[1], "path": "/".join(rest[2:])}
            if method == "GET" and rest == ["refs"]:
                return "refs", self.refs, {"repo_id": repo_id}
            if method == "POST" and len(rest) == 2 and rest[0] in ("preupload", "commit", "tag"):
                handler = {"preupload": self.preupload, "commit": self.commit, "tag": self.tag}[rest[0]]
                return rest[0], handler, {"repo_id": repo_id, "revision": rest[1]}
        if n >= 3 and p[0] == "datasets" and p[2].endswith(".git") and p[3:6] == ["info", "lfs", "objects"]:
            repo_id = f"{p[1]}/{p[2][: -len('.git')]}"
            if method == "POST" and p[6:] == ["batch"]:
                return "lfs_batch", self.lfs_batch, {"repo_id": repo_id}
            if method == "POST" and p[6:] == ["verify"]:
                return "lfs_verify", self.lfs_verify, {"repo_id": repo_id}
        if method == "PUT" and n == 4 and p[0] == "lfs-upload":
            return "lfs_upload", self.lfs_upload, {"repo_id": f"{p[1]}/{p[2]}", "oid": p[3]}
        if method in ("GET", "HEAD") and n >= 6 and p[0] == "datasets" and p[3] == "resolve":
            args = {"repo_id": f"{p[1]}/{p[2]}", "revision": p[4], "path": "/".join(p[5:])}
            return "resolve", self.resolve, args
        return "unknown", self.not_found, {}

    def _respond(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self._status = status
        if self._silent:
            return
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
            with self.server.lock:
                self.server.bytes_sent[self._endpoint] += len(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        type_ = {"Content-Type": "application/json; charset=utf-8"}
        self._respond(status, json.dumps(payload).encode(), {**type_, **(headers or {})})

    def _error(self, status: int, message: str, code: str | None = None, **extra: Any) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message, **extra}, headers)

    def _payload(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    def _user(self, required: bool) -> str | bool | None:
        """The caller's name, None when anonymous, or False once a 401 has been sent."""
        header = self.headers.get("Authorization")
        if header is None:
            if required:
                self._error(401, "You must be authenticated to access this resource")
                return False
            return None
        token = header.removeprefix("Bearer ").strip()
        if not header.startswith("Bearer ") or token not in self.server.tokens:
            self._error(401, "Invalid credentials in Authorization header")
            return False
        return self.server.username

    def _repo(self, repo_id: str, write: bool = False) -> Repo | None:
        """The repo, or None once an error has been sent (401 bad token, 404 missing or private)."""
        user = self._user(required=write)
        if user is False:
            return None
        repo = self.server.repos.get(repo_id)
        if repo is None or (repo.private and user is None):
            self._error(404, "Repository not found", "RepoNotFound")
            return None
        return repo

    def _commit_at(self, repo: Repo, revision: str) -> Commit | None:
        commit = repo.resolve(revision)
        if commit is None:
            self._error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit

    # endpoints

    def not_found(self) -> None:
        self.server.unknown.append(f"{self.command} {self.path}")
        self._error(404, f"No route for {self.command} {self.path}")

    def agent_harnesses(self) -> None:
        self._json(200, {"standardEnvVars": [], "harnesses": {}})

    def create_repo(self) -> None:
        if self._user(required=True) is False:
            return
        payload = self._payload() or {}
        if payload.get("type") != "dataset" or not payload.get("name"):
            self._error(400, "This server only holds dataset repos; 'name' and type 'dataset' are required")
            return
        namespace = payload.get("organization") or self.server.username
        repo_id = f"{namespace}/{payload['name']}"
        url = f"{self.server.base}/datasets/{repo_id}"
        private = payload.get("visibility") == "private" or payload.get("private") is True
        with self.server.lock:
            if repo_id in self.server.repos:
                self._json(409, {"error": "You already created this dataset repo", "url": url})
                return
            self.server.create_repo(repo_id, private)
        self._json(200, {"url": url, "name": repo_id})

    def repo_info(self, repo_id: str, revision: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id)
            commit = repo and self._commit_at(repo, revision)
            if repo is None or commit is None:
                return
            blobs = self.query.get("blobs", "").lower() in ("1", "true")
            siblings = []
            for path, blob in sorted(commit.files.items()):
                sibling: dict[str, Any] = {"rfilename": path}
                if blobs:
                    sibling.update(size=blob.size, blobId=blob.oid)
                    if blob.lfs:
                        pointer = len(lfs_pointer(blob.sha256, blob.size))
                        sibling["lfs"] = {"size": blob.size, "sha256": blob.sha256, "pointerSize": pointer}
                siblings.append(sibling)
            info = {
                "_id": hashlib.md5(repo_id.encode(), usedforsecurity=False).hexdigest()[:24],
                "id": repo_id,
                "author": repo_id.split("/")[0],
                "sha": commit.oid,
                "private": repo.private,
                "gated": False,
                "disabled": False,
                "createdAt": repo.created,
                "lastModified": commit.date,
                "tags": [],
                "downloads": 0,
                "likes": 0,
                "siblings": siblings,
            }
            card = _card_data(commit.files.get("README.md"))
            if card is not None:
                info["cardData"] = card
        self._json(200, info)

    def tree(self, repo_id: str, revision: str, path: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id)
            commit = repo and self._commit_at(repo, revision)
            if repo is None or commit is None:
                return
            recursive = self.query.get("recursive", "").lower() in ("1", "true")
            expand = self.query.get("expand", "").lower() in ("1", "true")
            prefix = f"{path.strip('/')}/" if path.strip("/") else ""
            if prefix and not any(p.startswith(prefix) for p in commit.files):
                self._error(404, f"{path} does not exist on {revision}", "EntryNotFound")
                return
            entries: dict[str, dict[str, Any]] = {}
            for file_path, blob in commit.files.items():
                if not file_path.startswith(prefix):
                    continue
                rest = file_path[len(prefix) :].split("/")
                for depth in range(1, len(rest)):  # folders on the way
                    folder = prefix + "/".join(rest[:depth])
                    if (recursive or depth == 1) and folder not in entries:  # a folder's id reads all its files
                        entries[folder] = {"type": "directory", "path": folder, "oid": _tree_oid(commit, folder)}
                    if not recursive:
                        break
                if recursive or len(rest) == 1:
                    entry: dict[str, Any] = {"type": "file", "path": file_path, "oid": blob.oid, "size": blob.size}
                    if blob.lfs:
                        pointer = len(lfs_pointer(blob.sha256, blob.size))
                        entry["lfs"] = {"oid": blob.sha256, "size": blob.size, "pointerSize": pointer}
                    if expand:
                        last = _last_change(repo, commit, file_path)
                        entry["lastCommit"] = {"id": last.oid, "title": last.summary, "date": last.date}
                    entries[file_path] = entry
            listing = [entries[key] for key in sorted(entries)]
        start = int(self.query.get("cursor") or 0)
        size = self.server.tree_page_size
        page, headers = listing[start : start + size], {}
        if start + size < len(listing):
            query = f"recursive={str(recursive).lower()}&expand={str(expand).lower()}&cursor={start + size}"
            headers["Link"] = f'<{self.server.base}{urlsplit(self.path).path}?{query}>; rel="next"'
        self._json(200, page, headers)

    def refs(self, repo_id: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id)
            if repo is None:
                return
            refs: dict[str, Any] = {
                "branches": [
                    {"name": name, "ref": f"refs/heads/{name}", "targetCommit": oid}
                    for name, oid in sorted(repo.branches.items())
                ],
                "converts": [],
                "tags": [
                    {"name": name, "ref": f"refs/tags/{name}", "targetCommit": oid}
                    for name, oid in sorted(repo.tags.items())
                ],
            }
        if self.query.get("include_prs"):
            refs["pullRequests"] = []
        self._json(200, refs)

    def validate_yaml(self) -> None:
        payload = self._payload() or {}
        content = payload.get("content")
        if not isinstance(content, str):
            self._json(400, {"errors": [{"message": "'content' must be a string"}]})
            return
        try:
            _front_matter(content)
        except (ValueError, yaml.YAMLError) as exc:
            self._json(400, {"errors": [{"message": f"Invalid YAML in README.md: {exc}"}]})
            return
        self._json(200, {"errors": [], "warnings": []})

    def preupload(self, repo_id: str, revision: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id, write=True)
            commit = repo and self._commit_at(repo, revision)
            if repo is None or commit is None:
                return
            payload = self._payload()
            if not isinstance(payload, dict) or not isinstance(payload.get("files"), list):
                self._error(400, "Expected {'files': [...]}")
                return
            answers = []
            for item in payload["files"]:
                path, size = item.get("path"), item.get("size")
                if not isinstance(path, str) or not isinstance(size, int):
                    self._error(400, "Each file needs 'path' and 'size'")
                    return
                lfs = repo.is_lfs(path, size, commit)
                answer: dict[str, Any] = {"path": path, "uploadMode": "lfs" if lfs else "regular"}
                answer["shouldIgnore"] = False
                remote = commit.files.get(path)
                if remote is not None:
                    answer["oid"] = remote.sha256 if remote.lfs else remote.oid
                answers.append(answer)
        self._json(200, {"files": answers, "commitOid": commit.oid})

    def lfs_batch(self, repo_id: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id, write=True)
            if repo is None:
                return
            payload = self._payload()
            if not isinstance(payload, dict) or payload.get("operation") != "upload":
                self._error(422, "Only the 'upload' operation is supported")
                return
            objects = []
            for item in payload.get("objects") or []:
                oid, size = item.get("oid"), item.get("size")
                if not isinstance(oid, str) or not _OID.match(oid) or not isinstance(size, int) or size < 0:
                    objects.append({"oid": str(oid), "size": -1, "error": {"code": 422, "message": "Invalid object"}})
                    continue
                stored = repo.lfs.get(oid)
                if stored is not None and len(stored) == size:
                    objects.append({"oid": oid, "size": size})
                    continue
                signature = self.server.sign(repo_id, oid, size)
                href = f"{self.server.base}/lfs-upload/{repo_id}/{oid}?size={size}&sig={signature}"
                verify = f"{self.server.base}/datasets/{repo_id}.git/info/lfs/objects/verify"
                actions = {"upload": {"href": href, "header": {}}, "verify": {"href": verify, "header": {}}}
                objects.append({"oid": oid, "size": size, "authenticated": True, "actions": actions})
        self._json(200, {"transfer": "basic", "objects": objects}, {"Content-Type": "application/vnd.git-lfs+json"})

    def lfs_upload(self, repo_id: str, oid: str) -> None:
        size = int(self.query.get("size") or -1)
        if not hmac.compare_digest(self.query.get("sig", ""), self.server.sign(repo_id, oid, size)):
            self._error(403, "Bad upload signature")
            return
        if len(self.body) != size or hashlib.sha256(self.body).hexdigest() != oid:
            self._error(400, f"Uploaded data does not match oid {oid} and size {size}")
            return
        with self.server.lock:
            repo = self.server.repos.get(repo_id)
            if repo is None:
                self._error(404, "Repository not found", "RepoNotFound")
                return
            repo.lfs[oid] = self.body
        self._respond(200, b"", {"ETag": f'"{oid}"'})

    def lfs_verify(self, repo_id: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id, write=True)
            if repo is None:
                return
            payload = self._payload() or {}
            stored = repo.lfs.get(str(payload.get("oid")))
            if stored is None or len(stored) != payload.get("size"):
                self._error(404, "Object not found")
                return
        self._json(200, {"success": True})

    def commit(self, repo_id: str, revision: str) -> None:
        try:
            lines = [json.loads(line) for line in self.body.splitlines() if line.strip()]
        except ValueError:
            self._error(400, "Body must be NDJSON")
            return
        if not lines or lines[0].get("key") != "header":
            self._error(400, "The first NDJSON line must be the header")
            return
        header = lines[0]["value"]
        with self.server.lock:
            repo = self._repo(repo_id, write=True)
            if repo is None:
                return
            if revision not in repo.branches:
                self._error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
                return
            parent = repo.commits[repo.branches[revision]]
            if header.get("parentCommit") not in (None, parent.oid):
                self._error(412, "A commit has happened since. Please refresh and try again.")
                return
            files, changed = dict(parent.files), []
            for line in lines[1:]:
                key, value = line.get("key"), line.get("value") or {}
                path = value.get("path")
                if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
                    self._error(400, f"Invalid path {path!r}")
                    return
                if key == "file":
                    data = base64.b64decode(value.get("content", ""))
                    if repo.is_lfs(path, len(data), parent):
                        self._error(
                            400, f"Your push was rejected because {path} is a binary or large file: use LFS or Xet"
                        )
                        return
                    files[path] = Blob(data, lfs=False)
                elif key == "lfsFile":
                    data = repo.lfs.get(str(value.get("oid")))
                    if data is None or ("size" in value and value["size"] != len(data)):
                        self._error(422, f"LFS object {value.get('oid')} for {path} was not uploaded")
                        return
                    files[path] = Blob(data, lfs=True)
                elif key == "deletedFile":
                    if files.pop(path, None) is None:
                        self._error(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
                        return
                elif key == "deletedFolder":
                    for name in [name for name in files if name.startswith(path.rstrip("/") + "/")]:
                        del files[name]
                else:
                    self._error(400, f"Unknown NDJSON key {key!r}")
                    return
                changed.append(path)
            summary = str(header.get("summary") or "")
            oid = self.server._new_oid(repo_id, parent.oid, summary, *changed)
            commit = Commit(oid, parent.oid, summary, str(header.get("description") or ""), _now(), files, changed)
            repo.commits[oid] = commit
            repo.history.append(oid)
            repo.branches[revision] = oid
        url = f"{self.server.base}/datasets/{repo_id}/commit/{oid}"
        self._json(200, {"success": True, "commitOid": oid, "commitUrl": url, "hookOutput": ""})

    def tag(self, repo_id: str, revision: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id, write=True)
            commit = repo and self._commit_at(repo, revision)
            if repo is None or commit is None:
                return
            name = (self._payload() or {}).get("tag")
            if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", name):
                self._error(400, f"Invalid tag name {name!r}")
                return
            if name in repo.tags or name in repo.branches:
                self._error(409, f"Tag {name} already exists")
                return
            repo.tags[name] = commit.oid
        self._json(200, {})

    def resolve(self, repo_id: str, revision: str, path: str) -> None:
        with self.server.lock:
            repo = self._repo(repo_id)
            commit = repo and self._commit_at(repo, revision)
            if repo is None or commit is None:
                return
            blob = commit.files.get(path)
            if blob is None:
                self._error(404, "Entry not found", "EntryNotFound")
                return
        headers = {
            "Content-Type": "application/octet-stream",
            "ETag": f'"{blob.etag}"',
            "X-Repo-Commit": commit.oid,
            "Accept-Ranges": "bytes",
        }
        if blob.lfs:
            headers.update({"X-Linked-Etag": f'"{blob.sha256}"', "X-Linked-Size": str(blob.size)})
        data, status = blob.data, 200
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if match and (match.group(1) or match.group(2)):
            start = int(match.group(1) or 0)
            end = min(int(match.group(2)) if match.group(2) else blob.size - 1, blob.size - 1)
            if start > end:
                self._respond(416, b"", {"Content-Range": f"bytes */{blob.size}"})
                return
            data, status = blob.data[start : end + 1], 206
            headers["Content-Range"] = f"bytes {start}-{end}/{blob.size}"
        self._respond(status, data, headers)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _front_matter(text: str) -> dict[str, Any] | None:
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError("the YAML block that starts with --- is never closed")
    data = yaml.safe_load(text[3:end])
    if data is not None and not isinstance(data, dict):
        raise ValueError("the YAML block must be a mapping")
    return data


def _card_data(blob: Blob | None) -> dict[str, Any] | None:
    try:
        return _front_matter(blob.data.decode("utf-8")) if blob else None
    except (ValueError, yaml.YAMLError):
        return None


def _tree_oid(commit: Commit, folder: str) -> str:
    listing = "".join(f"{p}\0{b.oid}\n" for p, b in sorted(commit.files.items()) if p.startswith(folder + "/"))
    return hashlib.sha1(listing.encode(), usedforsecurity=False).hexdigest()


def _last_change(repo: Repo, commit: Commit, path: str) -> Commit:
    current = commit
    while current.parent is not None and path not in current.changed:
        current = repo.commits[current.parent]
    return current


@contextmanager
def serve(tokens: set[str]) -> Iterator[HubServer]:
    server = HubServer(tokens)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["Blob", "Commit", "Fault", "HubServer", "Repo", "git_blob_oid", "lfs_pointer", "serve"]


@contextmanager
def configured_hub(monkeypatch: Any, tmp_path: Path, token: str) -> Iterator[HubServer]:
    """A server, and the real huggingface_hub client pointed at it, as a user's environment would.

    Some client settings are read once at import: they are patched as well as set in the environment.
    """
    from huggingface_hub import constants

    from packager.publish import hub as hub_module

    with serve({token}) as server:
        home = tmp_path / "hf-home"
        for name, value in {
            "HF_ENDPOINT": server.base,
            "HF_TOKEN": token,
            "HF_HOME": str(home),
            "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "NO_PROXY": "127.0.0.1,localhost",
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("HF_OIDC_RESOURCE", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
        monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
        monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(home / "token"))
        monkeypatch.setattr(hub_module, "RETRY_BASE_DELAY", 0.01)
        yield server
