"""The repository layout: where a document's seed, sidecar, corpus text and annotation file live."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import CeasefireError, Problem
from .fsutil import DOC_ID_RE

SEED_SUFFIX = ".txt"
META_SUFFIX = ".meta.json"
INPUT_FOLDERS = ("seeds", "corpus", "annotations")  # what a repository is made of


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """The pin of a corpus text: SHA-256 of its UTF-8 bytes (exactly the bytes of corpus/<id>.txt)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Repo:
    """A checkout of the corpus: seeds/, corpus/, annotations/ under `root`."""

    root: Path

    @classmethod
    def at(cls, root: str | Path = ".") -> "Repo":
        return cls(Path(root).resolve())

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def annotations(self) -> Path:
        return self.root / "annotations"

    def seed_path(self, doc_id: str) -> Path:
        return self.seeds / f"{doc_id}{SEED_SUFFIX}"

    def meta_path(self, doc_id: str) -> Path:
        return self.seeds / f"{doc_id}{META_SUFFIX}"

    def corpus_path(self, doc_id: str) -> Path:
        return self.corpus / f"{doc_id}.txt"

    def annotation_path(self, doc_id: str) -> Path:
        return self.annotations / f"{doc_id}.json"

    def is_repo(self) -> bool:
        return self.seeds.is_dir() or self.corpus.is_dir() or self.annotations.is_dir()

    @classmethod
    def existing(cls, root: str | Path = ".") -> "Repo":
        """The repository at `root`, or a CeasefireError [not-a-repository] (a usage error: the CLI exits 2) for
        a folder with none of seeds/, corpus/, annotations/ (a mistyped --root, the wrong current folder)."""
        repo = cls.at(root)
        if not repo.is_repo():
            raise CeasefireError(not_a_repository(root, "run it from the repository root or pass --root"))
        return repo

    def seed_ids(self) -> list[str]:
        if not self.seeds.is_dir():
            return []
        return sorted(p.name[:-len(SEED_SUFFIX)] for p in self.seeds.iterdir()
                      if p.name.endswith(SEED_SUFFIX) and not p.name.startswith("."))

    def corpus_ids(self) -> list[str]:
        return sorted(p.stem for p in self.corpus.glob("*.txt")) if self.corpus.is_dir() else []

    def annotation_ids(self) -> list[str]:
        return sorted(p.stem for p in self.annotations.glob("*.json")) if self.annotations.is_dir() else []

    def doc_ids(self) -> list[str]:
        """Every document the repository knows of, valid ids only (others are reported by validate)."""
        ids = set(self.seed_ids()) | set(self.corpus_ids()) | set(self.annotation_ids())
        return sorted(i for i in ids if DOC_ID_RE.match(i))


def not_a_repository(root: str | Path, hint: str) -> Problem:
    return Problem("not-a-repository", "no seeds/, corpus/ or annotations/ folder here", str(root), hint=hint)
