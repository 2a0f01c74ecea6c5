"""Download a pinned revision of the corpus from the Hub into the standard Hugging Face cache.

Only the files a call needs (plus SHA256SUMS) are fetched, with `huggingface_hub.snapshot_download`, so the
cache is shared with `datasets` and every other Hugging Face tool, and `HF_ENDPOINT`, `HF_HOME`,
`HF_HUB_OFFLINE` and `HF_TOKEN` work as they do there. The caller verifies the files against SHA256SUMS.
Every failure becomes one `CeasefireError` line that says what to do.
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable

from ..errors import CeasefireError, Problem
from . import endpoint_url
from .quiet import hushed


def _load_call(repo_id: str, revision: str, names: Iterable[str]) -> str:
    """The `load` call(s) that fetch exactly `names` (release files or patterns): one per config they belong to,
    with the split (or 'all') and format='datasets' when the card is among them."""
    from ..columns import config_split  # (pyarrow's import only on this error path)

    names = list(names)
    configs: dict[str, set[str]] = {}
    for config, split in filter(None, map(config_split, names)):
        configs.setdefault(config, set()).add(split)
    calls = []
    for config, splits in sorted(configs.items()) or [("default", {"train"})]:
        args = [] if splits == {"train"} else [repr(next(iter(splits))) if len(splits) == 1 else "'all'"]
        args += [f"config={config!r}"] if config != "default" else []
        args += [f"source='hub:{repo_id}'", f"revision='{revision}'"]
        args += ["format='datasets'"] if "README.md" in names else []
        calls.append(f"ceasefire_news.load({', '.join(args)})")
    return f"python -c \"import ceasefire_news; {'; '.join(calls)}\""


def cache_folder(repo_id: str) -> Path:
    """The folder of `repo_id` in the Hugging Face cache (what to delete to force a fresh download)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE) / f"datasets--{repo_id.replace('/', '--')}"


def cached_snapshot(repo_id: str, revision: str) -> Path | None:
    """The cached snapshot folder of `repo_id` at `revision` (a tag, branch or commit), or None when the cache
    does not know that revision."""
    folder = cache_folder(repo_id)
    ref = folder / "refs" / revision
    commit = ref.read_text(encoding="utf-8").strip() if ref.is_file() else revision
    snapshot = folder / "snapshots" / commit
    return snapshot if commit and snapshot.is_dir() else None


def missing_files(snapshot: Path, patterns: Iterable[str]) -> list[str]:
    """The files `patterns` ask for that the snapshot lacks: the names its SHA256SUMS lists that match a pattern
    (a pattern that matches none of them asks for nothing), or without a readable SHA256SUMS every pattern that
    nothing on disk matches."""
    from ..checksums import read_sums

    present = [p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*") if p.is_file()]
    try:
        listed = {*read_sums(snapshot), "SHA256SUMS"}
    except (OSError, CeasefireError):
        return sorted(p for p in patterns if not any(fnmatch.fnmatchcase(n, p) for n in present))
    return sorted(n for n in listed if n not in present and any(fnmatch.fnmatchcase(n, p) for p in patterns))


def _not_cached(repo_id: str, revision: str, patterns: list[str]) -> CeasefireError:
    """[hub-not-cached]: nothing of the revision is cached, or (naming them) not the files this call reads; the
    hint is the call that fetches exactly what is missing."""
    from huggingface_hub import constants

    where = f"{repo_id}@{revision}"
    snapshot = cached_snapshot(repo_id, revision)
    missing = missing_files(snapshot, patterns) if snapshot is not None else []
    if not missing:
        return CeasefireError(Problem(
            "hub-not-cached", f"HF_HUB_OFFLINE is set and {where} is not in the Hugging Face cache "
            f"({constants.HF_HUB_CACHE})", where,
            hint=f"download it once with the network on: HF_HUB_OFFLINE=0 {_load_call(repo_id, revision, patterns)}"))
    shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    return CeasefireError(Problem(
        "hub-not-cached", f"HF_HUB_OFFLINE is set and {where} is in the Hugging Face cache ({snapshot}) without "
        f"{len(missing)} file(s) this call reads: {shown}", where,
        hint=f"fetch them once with the network on: HF_HUB_OFFLINE=0 {_load_call(repo_id, revision, missing)}"))


def fetch(repo_id: str, revision: str, files: Iterable[str]) -> Path:
    """The local snapshot folder of `repo_id` at `revision` holding `files` (those that exist) and SHA256SUMS
    (huggingface_hub's own output silenced inside `hub.quiet.quiet()`)."""
    from huggingface_hub import constants

    patterns = sorted({*files, "SHA256SUMS"})
    root = _download(repo_id, revision, patterns)
    if constants.HF_HUB_OFFLINE and missing_files(root, patterns):  # a huggingface_hub without a cached file list
        raise _not_cached(repo_id, revision, patterns)                # returns a partial snapshot as it is
    return root


def _download(repo_id: str, revision: str, patterns: list[str]) -> Path:
    """`snapshot_download` of `patterns`, its failures turned into one-line errors."""
    import huggingface_hub
    from huggingface_hub import constants, errors

    where = f"{repo_id}@{revision}"
    endpoint = constants.ENDPOINT
    try:
        with hushed():
            return Path(huggingface_hub.snapshot_download(
                repo_id, repo_type="dataset", revision=revision, allow_patterns=patterns))
    except errors.RepositoryNotFoundError:
        raise _unknown_repo(endpoint, repo_id, where) from None
    except errors.RevisionNotFoundError:
        raise CeasefireError(Problem(
            "hub-unknown-revision", f"dataset {repo_id} has no revision {revision!r} (a tag, branch or commit)",
            where, hint=f"see the tags on {endpoint_url(repo_id)}; releases are tagged v<version>")) from None
    except errors.LocalEntryNotFoundError:
        if constants.HF_HUB_OFFLINE:
            raise _not_cached(repo_id, revision, patterns) from None
        raise CeasefireError(Problem(
            "hub-unreachable", f"cannot reach the Hub at {endpoint} and {where} is not in the Hugging Face cache",
            where, hint="check the network (and HF_ENDPOINT), then run the same call again")) from None
    except errors.HfHubHTTPError as exc:
        if getattr(exc.response, "status_code", None) in (401, 403):
            raise CeasefireError(Problem(
                "hub-denied", f"the Hub at {endpoint} did not accept {_token_origin() or 'the request'} for "
                f"{repo_id}: {_first_line(exc)}", where,
                hint="use a valid token with read access to the dataset (HF_TOKEN, or `hf auth login`); for a public "
                "dataset, unset HF_TOKEN")) from None
        raise CeasefireError(Problem(
            "hub-download", f"the Hub at {endpoint} refused the download: {_first_line(exc)}", where,
            hint="run the same call again; a partial download resumes from the cache")) from None
    except (OSError, ValueError, RuntimeError) as exc:  # connection dropped mid-file, disk full, ...
        raise CeasefireError(Problem(
            "hub-download", f"download interrupted: {type(exc).__name__}: {_first_line(exc)}", where,
            hint="run the same call again; a partial download resumes from the cache")) from None
    except Exception as exc:  # the HTTP client's own errors (httpx/requests) do not share a base class
        if not type(exc).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")):
            raise
        raise CeasefireError(Problem(
            "hub-download", f"download failed: {type(exc).__name__}: {_first_line(exc)}", where,
            hint="check the network (and HF_ENDPOINT), then run the same call again")) from None


def _token_origin() -> str | None:
    """Where the token huggingface_hub sends comes from (never the token itself), or None when it sends none."""
    from huggingface_hub import get_token

    if not get_token():
        return None
    return next((f"the token given ({k})" for k in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN") if os.environ.get(k)),
                "the token of the saved login (`hf auth login`)")


def _unknown_repo(endpoint: str, repo_id: str, where: str) -> CeasefireError:
    """[hub-unknown-repo]: the Hub answers as for a missing dataset, which is also how it hides a private one
    from a request without a token, or with a token it does not accept for that dataset."""
    token = _token_origin()
    if token is None:
        why, fix = "or it is private and no token was given", "for a private dataset set HF_TOKEN or run `hf auth login`"
    else:
        why = f"or it is private and {token} was not accepted for it"
        fix = "for a private dataset use a token with read access to it (HF_TOKEN, or `hf auth login`)"
    return CeasefireError(Problem("hub-unknown-repo", f"the Hub at {endpoint} has no dataset {repo_id} ({why})", where,
                                  hint=f"check the name (source='hub:OWNER/NAME'); {fix}"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
