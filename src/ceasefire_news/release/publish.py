"""Publish a release to the Hugging Face Hub: every check first, then one commit and one tag.

    ceasefire-news publish --repo-id OWNER/NAME [--tag vX.Y.Z] [--private] [--dry-run] [--from DIR]

Without --from, the repository is validated and built (for that repository id, so the card's links and the
Croissant `url` name the Hub address) into a temporary folder. The release checks then run on the folder
(checksums, no stray files, no rejected documents, a card with its YAML header, built for this repo id); any
failure refuses the upload. Then: `create_repo(exist_ok=True)`, one `upload_folder` commit holding the whole
release with every stale file deleted in the same commit, and `create_tag` on that commit. The tag defaults
to `v<package version>` (for a built folder, `--from`, to the tag it was built for); a tag that exists already
is refused, never moved.

The token comes from `HF_TOKEN` or the Hugging Face login (`hf auth login`); it is handed to huggingface_hub
and never printed, logged or written by this module.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import __version__
from ..errors import CeasefireError, Problem
from ..hub import built_for, check_repo_id, check_tag, default_revision, endpoint_url
from ..hub.quiet import hushed
from .target import entries

REQUIRED = ("README.md", "manifest.json", "SHA256SUMS", "croissant.json", "rejections.json")


@dataclass
class PublishResult:
    repo_id: str
    tag: str
    folder: Path
    files: list[str]
    problems: list[Problem] = field(default_factory=list)
    commit: str | None = None
    url: str | None = None
    dry_run: bool = False


def check_release(folder: Path, repo_id: str, tag: str | None) -> list[Problem]:
    """The release checks `publish` runs before any upload as `tag` (None: the tag the release was built for); an
    empty list means it may go."""
    from ..checksums import verify

    problems = [Problem("publish-missing-file", f"the release has no {n}", str(folder / n))
                for n in REQUIRED if not (folder / n).is_file()]
    if problems:
        return problems
    try:
        listed = set(verify(folder))
    except CeasefireError as exc:
        return list(exc.problems)
    problems += [Problem("publish-stray-file", f"{n} is not listed in SHA256SUMS", str(folder / n),
                         hint="rebuild the release; do not add files by hand")
                 for n in entries(folder) if n not in listed and n != "SHA256SUMS"]
    rejected = json.loads((folder / "rejections.json").read_text(encoding="utf-8")).get("rejected") or {}
    if rejected:
        problems.append(Problem("publish-rejected", f"{len(rejected)} document(s) were rejected by the build: "
                                f"{', '.join(sorted(rejected)[:5])}", str(folder / "rejections.json"),
                                hint="fix them (`ceasefire-news validate`) and build again"))
    hub = built_for(folder)
    if hub.get("repo_id") != repo_id:
        problems.append(Problem("publish-repo-id", f"the release was built for {hub.get('repo_id')!r}, not {repo_id!r} "
                                "(its card and Croissant link there)", str(folder / "manifest.json"),
                                hint=f"ceasefire-news build --repo-id {repo_id} --out DIR, or publish without --from"))
    revision = hub.get("revision")
    if tag is not None and revision != tag:
        problems.append(Problem("publish-revision", f"the release was built to be tagged {revision!r}, not {tag!r} "
                                "(its card's examples and Croissant's licence link name that tag)",
                                str(folder / "manifest.json"),
                                hint=f"publish it with --tag {revision} (or no --tag), or rebuild it with "
                                     f"`ceasefire-news build --repo-id {repo_id} --tag {tag}`, or publish without "
                                     "--from"))
    card = (folder / "README.md").read_text(encoding="utf-8")
    if not card.startswith("---\n") or "\nconfigs:" not in card.split("\n---\n", 1)[0]:
        problems.append(Problem("publish-card", "the dataset card has no YAML header with `configs`",
                                str(folder / "README.md"), hint="rebuild the release"))
    return problems


def _token() -> str:
    from huggingface_hub import get_token

    token = get_token()
    if not token:
        raise CeasefireError(Problem("publish-no-token", "no Hugging Face token: HF_TOKEN is not set and nobody "
                                     "is logged in", hint="export HF_TOKEN=... (a write token) or run `hf auth login`"))
    return token


def _refuse_existing_tag(api, repo_id: str, tag: str) -> None:
    from huggingface_hub import errors

    try:
        api.dataset_info(repo_id, revision=tag)
    except (errors.RevisionNotFoundError, errors.RepositoryNotFoundError):
        return
    raise CeasefireError(Problem("publish-tag-exists", f"{repo_id} already has a revision {tag!r}; a published "
                                 "tag is never moved", hint="bump the version, or pass --tag with a new tag"))


def _hub_problem(exc: Exception, repo_id: str, step: str) -> CeasefireError:
    from huggingface_hub import errors

    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "validate-yaml" in str(exc) or ("README.md" in str(exc) and "metadata" in str(exc).lower()):
        return CeasefireError(Problem("publish-card-refused", f"the Hub refused the dataset card: {text}", "README.md",
                                      hint="fix the card's YAML header (release/card.py) and build again"))
    if isinstance(exc, errors.HfHubHTTPError) and getattr(exc.response, "status_code", None) in (401, 403):
        return CeasefireError(Problem("publish-denied", f"{step}: the Hub refused the token for {repo_id}: {text}",
                                      hint="use a token with write access to that namespace (HF_TOKEN)"))
    return CeasefireError(Problem("publish-failed", f"{step} failed for {repo_id}: {text}",
                                  hint="nothing was tagged; run publish again once the Hub answers"))


def upload(folder: Path, repo_id: str, tag: str, private: bool = False) -> str:
    """create_repo, one commit of the whole folder (stale files deleted in it), create_tag; returns the commit."""
    from huggingface_hub import HfApi, errors

    api = HfApi(token=_token())
    with hushed():  # huggingface_hub's upload bars and log lines: off with --quiet and off a terminal
        try:
            api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        except errors.HfHubHTTPError as exc:
            raise _hub_problem(exc, repo_id, "create_repo") from None
        _refuse_existing_tag(api, repo_id, tag)
        try:
            info = api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset",
                                     commit_message=f"Release {tag} (ceasefire-news {__version__})",
                                     delete_patterns=["*"])
            commit = info.oid
            api.create_tag(repo_id, tag=tag, repo_type="dataset", revision=commit,
                           tag_message=f"ceasefire-news release {tag}")
        except (errors.HfHubHTTPError, ValueError) as exc:
            raise _hub_problem(exc, repo_id, "upload") from None
    return commit


def publish(repo_id: str, *, tag: str | None = None, private: bool = False, dry_run: bool = False,
            from_dir: str | Path | None = None, root: str | Path = ".", progress: bool = False,
            say: Callable[[str], None] = print) -> PublishResult:
    """Check, then upload and tag (see the module docstring). Raises CeasefireError when anything fails."""
    check_repo_id(repo_id)
    if tag is not None or from_dir is None:  # before any build, and so a dry run passes only a tag that can be made
        tag = check_tag(tag or default_revision())
    with tempfile.TemporaryDirectory(prefix="ceasefire-publish-") as tmp:
        if from_dir is None:
            from .build import build

            say(f"building the release for {repo_id} ...")
            folder = build(root, Path(tmp) / "release", progress=progress, repo_id=repo_id, strict=True,
                           revision=tag).out
        else:
            folder = Path(from_dir).resolve()
            if not folder.is_dir():
                raise CeasefireError(Problem("publish-missing-file", "--from is not a folder", str(folder)))
        problems = check_release(folder, repo_id, tag)
        if not problems and tag is None:  # a built folder (--from) goes out as the tag it was built for
            tag = check_tag(str(built_for(folder).get("revision") or default_revision()))
        result = PublishResult(repo_id, tag, folder, entries(folder), problems, dry_run=dry_run)
        say(f"checks: {'passed' if not problems else f'{len(problems)} problem(s)'}")
        if problems:
            raise CeasefireError(problems)
        if dry_run:
            say(f"dry run: would upload {len(result.files)} file(s) to {endpoint_url(repo_id)} in one commit "
                f"(stale files deleted) and tag it {tag}:")
            for n in result.files:
                say(f"  {n}")
            return result
        result.commit = upload(folder, repo_id, tag, private)
        result.url = endpoint_url(repo_id)
        say(f"published {len(result.files)} file(s) to {repo_id} as commit {result.commit[:12]}, tagged {tag}")
        return result
