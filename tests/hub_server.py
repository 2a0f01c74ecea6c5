"""A small Hugging Face Hub, in memory, on loopback: enough of the protocol for `publish` and the download path.

Upload side: POST /api/repos/create, /api/validate-yaml, /api/datasets/{id}/preupload/{rev} (always
`uploadMode: "regular"`, so the client never switches to LFS or Xet), /api/datasets/{id}/commit/{rev}
(ndjson: header, file, deletedFile, deletedFolder), /api/datasets/{id}/tag/{rev}. Download side: GET
/api/datasets/{id}/revision/{rev}, GET /api/datasets/{id}/tree/{rev}[/{path}], HEAD/GET
/datasets/{id}/resolve/{rev}/{path} with X-Repo-Commit and ETag. Errors carry the `X-Error-Code` headers
huggingface_hub maps to its exceptions. Faults for tests: `refuse_card`, `interrupt` (paths whose body is cut
off half way), `corrupt(repo, path, data)` (change a committed file's bytes in place on the server),
`refuse_bad_tokens` (a read with a token that is not the server's gets 401 "Invalid credentials", as the real
Hub answers; without it such a read is treated as anonymous). `lfs` makes preupload answer `"lfs"` for the
Parquet files, as the real Hub does for what its .gitattributes routes to LFS: the client then asks POST
/datasets/{id}.git/info/lfs/objects/batch (basic transfer), PUTs each file to /lfs/{oid} and commits it as an
`lfsFile` (run the client with HF_HUB_DISABLE_XET=1, else it tries Xet, which this server does not speak).

Started by `HubServer().start()` on a free port with Nagle's algorithm off (else each request waits ~40 ms).
"""
from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


@dataclass
class Repo:
    private: bool
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)  # sha -> files
    refs: dict[str, str] = field(default_factory=dict)  # branch or tag -> sha
    tags: set[str] = field(default_factory=set)

    def resolve(self, rev: str) -> str | None:
        if rev in self.commits:
            return rev
        return self.refs.get(rev)


class HubServer:
    def __init__(self, token: str = "hf_test_token") -> None:
        self.token = token
        self.repos: dict[str, Repo] = {}
        self.lock = threading.Lock()
        self.refuse_card = False
        self.refuse_bad_tokens = False
        self.lfs = False
        self.lfs_objects: dict[str, bytes] = {}  # sha256 -> bytes PUT by the LFS basic transfer
        self.interrupt: set[str] = set()
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Authorization header)
        self._httpd: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "HubServer":
        hub = self

        class Handler(_Handler):
            server_hub = hub

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def corrupt(self, repo_id: str, path: str, data: bytes) -> None:
        """Change a file's bytes on the server in every commit (what a damaged storage would serve)."""
        with self.lock:
            for files in self.repos[repo_id].commits.values():
                if path in files:
                    files[path] = data

    def commit(self, repo_id: str, files: dict[str, bytes], tag: str | None = None) -> str:
        """Create the repo if needed and commit `files` as the whole tree of `main` (test set-up without a client)."""
        with self.lock:
            repo = self.repos.setdefault(repo_id, Repo(private=False))
            sha = _sha(repo_id, len(repo.commits), files)
            repo.commits[sha] = dict(files)
            repo.refs["main"] = sha
            if tag:
                repo.refs[tag] = sha
                repo.tags.add(tag)
            return sha


def _sha(repo_id: str, n: int, files: dict[str, bytes]) -> str:
    h = hashlib.sha1(f"{repo_id}\0{n}".encode())
    for p in sorted(files):
        h.update(p.encode() + b"\0" + hashlib.sha1(files[p]).digest())
    return h.hexdigest()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_hub: HubServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    # ------------------------------------------------------------------ plumbing
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while (n := int(self.rfile.readline().split(b";")[0], 16)):
                chunks.append(self.rfile.read(n))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              content_type: str = "application/json", head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, status: int, obj, headers: dict[str, str] | None = None, head: bool = False) -> None:
        self._send(status, json.dumps(obj).encode(), headers, head=head)

    def _error(self, status: int, code: str | None, message: str, head: bool = False) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message}, headers, head=head)

    def _authorised(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {self.server_hub.token}"

    def _repo(self, repo_id: str, head: bool = False) -> Repo | None:
        repo = self.server_hub.repos.get(repo_id)
        if repo is None or (repo.private and not self._authorised()):
            self._error(404, "RepoNotFound", "Repository not found", head)
            return None
        return repo

    def _record(self) -> tuple[list[str], dict[str, str]]:
        hub = self.server_hub
        hub.requests.append((self.command, self.path, self.headers.get("Authorization")))
        url = urlsplit(self.path)
        query = dict(p.partition("=")[::2] for p in url.query.split("&") if p)
        return url.path.split("/"), query

    # ------------------------------------------------------------------ methods
    def do_POST(self) -> None:
        parts, _ = self._record()
        body = self._body()
        if not self._authorised():
            return self._error(401, None, "Invalid credentials in Authorization header")
        hub = self.server_hub
        if parts[1:] == ["api", "repos", "create"]:
            req = json.loads(body)
            repo_id = f"{req.get('organization')}/{req['name']}"
            with hub.lock:
                url = f"{hub.url}/datasets/{repo_id}"
                if repo_id in hub.repos:
                    return self._json(409, {"error": "You already created this dataset repo", "url": url})
                repo = hub.repos[repo_id] = Repo(private=req.get("visibility") == "private" or bool(req.get("private")))
                initial = {".gitattributes": b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"}  # as the Hub does
                sha = _sha(repo_id, 0, initial)
                repo.commits[sha] = initial
                repo.refs["main"] = sha
            return self._json(200, {"url": url, "name": repo_id})
        if parts[1:] == ["api", "validate-yaml"]:
            if hub.refuse_card:
                return self._json(400, {"errors": [{"message": '"configs" must be an array (test server refusal)'}]})
            return self._json(200, {"errors": [], "warnings": []})
        if hub.lfs and parts[1:2] == ["datasets"] and parts[4:] == ["info", "lfs", "objects", "batch"]:
            return self._json(200, {"transfer": "basic", "objects": [
                {"oid": o["oid"], "size": o["size"], "authenticated": True,
                 "actions": {"upload": {"href": f"{hub.url}/lfs/{o['oid']}"}}} for o in json.loads(body)["objects"]]})
        if len(parts) >= 7 and parts[1:3] == ["api", "datasets"]:
            repo_id, action, rev = f"{parts[3]}/{parts[4]}", parts[5], unquote("/".join(parts[6:]))
            repo = self._repo(repo_id)
            if repo is None:
                return None
            if action == "preupload":
                files = json.loads(body)["files"]
                lfs = [hub.lfs and f["path"].endswith(".parquet") for f in files]
                return self._json(200, {"files": [{"path": f["path"], "uploadMode": "lfs" if x else "regular",
                                                   "shouldIgnore": False, "oid": None} for f, x in zip(files, lfs)]})
            if action == "commit":
                return self._commit(repo_id, repo, rev, body)
            if action == "tag":
                req = json.loads(body)
                with hub.lock:
                    sha = repo.resolve(rev)
                    if sha is None:
                        return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                    if req["tag"] in repo.refs:
                        return self._error(409, None, f"Tag {req['tag']} already exists")
                    repo.refs[req["tag"]] = sha
                    repo.tags.add(req["tag"])
                return self._json(200, {})
        return self._error(404, None, f"no route {self.path}")

    def _commit(self, repo_id: str, repo: Repo, rev: str, body: bytes) -> None:
        hub = self.server_hub
        with hub.lock:
            parent = repo.resolve(rev)
            if parent is None and rev != "main":
                return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            files = dict(repo.commits[parent]) if parent else {}
            for line in body.splitlines():
                item = json.loads(line)
                key, value = item["key"], item["value"]
                if key == "file":
                    files[value["path"]] = base64.b64decode(value["content"])
                elif key == "lfsFile":
                    if value["oid"] not in hub.lfs_objects:
                        return self._error(400, None, f"LFS object {value['oid']} was never uploaded")
                    files[value["path"]] = hub.lfs_objects[value["oid"]]
                elif key == "deletedFile":
                    if value["path"] not in files:
                        return self._error(404, "EntryNotFound", "A file with this name doesn't exist")
                    del files[value["path"]]
                elif key == "deletedFolder":
                    prefix = value["path"].rstrip("/") + "/"
                    files = {p: d for p, d in files.items() if not p.startswith(prefix)}
                elif key != "header":
                    return self._error(400, None, f"unsupported commit operation {key}")
            sha = _sha(repo_id, len(repo.commits), files)
            repo.commits[sha] = files
            repo.refs["main" if rev == "main" or parent is None else rev] = sha
        return self._json(200, {"commitUrl": f"{hub.url}/datasets/{repo_id}/commit/{sha}", "commitOid": sha,
                                "success": True})

    def do_PUT(self) -> None:
        """The LFS basic transfer's upload: the bytes of one object, checked against its oid."""
        parts, _ = self._record()
        body = self._body()
        if len(parts) != 3 or parts[1] != "lfs" or hashlib.sha256(body).hexdigest() != parts[2]:
            return self._error(400, None, f"bad LFS upload {self.path}")
        with self.server_hub.lock:
            self.server_hub.lfs_objects[parts[2]] = body
        return self._send(200)

    def do_HEAD(self) -> None:
        self._get(head=True)

    def do_GET(self) -> None:
        self._get(head=False)

    def _get(self, head: bool) -> None:
        parts, query = self._record()
        if self.server_hub.refuse_bad_tokens and self.headers.get("Authorization") and not self._authorised():
            return self._error(401, None, "Invalid credentials in Authorization header", head)
        if len(parts) >= 7 and parts[1:3] == ["api", "datasets"] and parts[5] in ("revision", "tree"):
            repo_id = f"{parts[3]}/{parts[4]}"
            repo = self._repo(repo_id, head)
            if repo is None:
                return None
            rev = unquote(parts[6])
            sha = repo.resolve(rev)
            if sha is None:
                return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}", head)
            files = repo.commits[sha]
            if parts[5] == "revision":
                return self._json(200, {"id": repo_id, "author": parts[3], "sha": sha, "private": repo.private,
                                        "gated": False, "disabled": False, "downloads": 0, "likes": 0, "tags": [],
                                        "siblings": [{"rfilename": p} for p in sorted(files)]}, head=head)
            return self._json(200, _tree(files, unquote("/".join(parts[7:])), query.get("recursive") in ("1", "True",
                                                                                                      "true")), head=head)
        if len(parts) >= 6 and parts[1] == "datasets" and parts[4] == "resolve":
            return self._resolve(f"{parts[2]}/{parts[3]}", unquote(parts[5]), unquote("/".join(parts[6:])), head)
        return self._error(404, None, f"no route {self.path}", head)

    def _resolve(self, repo_id: str, rev: str, path: str, head: bool) -> None:
        repo = self._repo(repo_id, head)
        if repo is None:
            return None
        sha = repo.resolve(rev)
        if sha is None:
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}", head)
        data = repo.commits[sha].get(path)
        if data is None:
            return self._error(404, "EntryNotFound", f"{path} does not exist on {rev}", head)
        headers = {"X-Repo-Commit": sha, "ETag": f'"{hashlib.sha1(data).hexdigest()}"', "Accept-Ranges": "none"}
        if head or path not in self.server_hub.interrupt:
            return self._send(200, data, headers, "application/octet-stream", head)
        # an interrupted transfer: the full length announced, half the body sent, the connection dropped
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


def _tree(files: dict[str, bytes], under: str, recursive: bool) -> list[dict]:
    prefix = under.rstrip("/") + "/" if under else ""
    out: dict[str, dict] = {}
    for p in sorted(files):
        if not p.startswith(prefix):
            continue
        rest = p[len(prefix):]
        parts = rest.split("/")
        for i in range(1, len(parts)):
            folder = prefix + "/".join(parts[:i])
            if recursive or i == 1:
                out.setdefault(folder, {"type": "directory", "path": folder, "oid": hashlib.sha1(folder.encode())
                                        .hexdigest(), "size": 0})
            if not recursive:
                break
        if recursive or len(parts) == 1:
            out[p] = {"type": "file", "path": p, "size": len(files[p]), "oid": hashlib.sha1(files[p]).hexdigest()}
    return [out[k] for k in sorted(out)]
