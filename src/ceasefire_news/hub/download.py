"""Download a pinned revision of the corpus from the Hub into the standard Hugging Face cache.

Only the files a call needs (plus SHA256SUMS) are fetched, with `huggingface_hub.snapshot_download`, so the
cache is shared with `datasets` and every other Hugging Face tool, and `HF_ENDPOINT`, `HF_HOME`,
`HF_HUB_OFFLINE` and `HF_TOKEN` work as they do there. The caller verifies the files against SHA256SUMS.
Every failure becomes one `CeasefireError` line that says what to do.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..errors import CeasefireError, Problem


def _load_call(repo_id: str, revision: str) -> str:
    return f"python -c \"import ceasefire_news; ceasefire_news.load(source='hub:{repo_id}', revision='{revision}')\""


def cache_folder(repo_id: str) -> Path:
    """The folder of `repo_id` in the Hugging Face cache (what to delete to force a fresh download)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE) / f"datasets--{repo_id.replace('/', '--')}"


def fetch(repo_id: str, revision: str, files: Iterable[str]) -> Path:
    """The local snapshot folder of `repo_id` at `revision` holding `files` (those that exist) and SHA256SUMS."""
    import huggingface_hub
    from huggingface_hub import constants, errors

    where = f"{repo_id}@{revision}"
    endpoint = constants.ENDPOINT
    try:
        return Path(huggingface_hub.snapshot_download(
            repo_id, repo_type="dataset", revision=revision, allow_patterns=sorted({*files, "SHA256SUMS"})))
    except errors.RepositoryNotFoundError:
        raise CeasefireError(Problem(
            "hub-unknown-repo", f"the Hub at {endpoint} has no dataset {repo_id} (or it is private and no token "
            "was given)", where, hint="check the name (source='hub:OWNER/NAME'); for a private dataset set HF_TOKEN "
            "or run `hf auth login`")) from None
    except errors.RevisionNotFoundError:
        raise CeasefireError(Problem(
            "hub-unknown-revision", f"dataset {repo_id} has no revision {revision!r} (a tag, branch or commit)",
            where, hint=f"see the tags on {endpoint}/datasets/{repo_id}; releases are tagged v<version>")) from None
    except errors.LocalEntryNotFoundError:
        if constants.HF_HUB_OFFLINE:
            raise CeasefireError(Problem(
                "hub-not-cached", f"HF_HUB_OFFLINE is set and {where} is not in the Hugging Face cache "
                f"({constants.HF_HUB_CACHE})", where,
                hint=f"download it once with the network on: HF_HUB_OFFLINE=0 {_load_call(repo_id, revision)}")) from None
        raise CeasefireError(Problem(
            "hub-unreachable", f"cannot reach the Hub at {endpoint} and {where} is not in the Hugging Face cache",
            where, hint="check the network (and HF_ENDPOINT), then run the same call again")) from None
    except errors.HfHubHTTPError as exc:
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
