"""Nothing lost: every document the build sees is released or rejected with its reasons, and the sums agree.

`documents in = documents released + documents rejected` is checked, printed by the CLI and written into
`rejections.json` next to the reasons. A document whose id is not a safe id is rejected before any path is
built from it. With `strict`, any rejection stops the build before the release folder is touched.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..errors import CeasefireError, Problem
from ..fsutil import DOC_ID_RE, check_doc_id


@dataclass(frozen=True)
class Accounting:
    documents_in: int
    released: int
    rejected: int

    def line(self) -> str:
        return (f"documents in: {self.documents_in} = released {self.released} + rejected {self.rejected}"
                + ("" if self.balanced else "  (DOES NOT ADD UP)"))

    @property
    def balanced(self) -> bool:
        return self.documents_in == self.released + self.rejected

    def to_dict(self) -> dict[str, int]:
        return {"documents_in": self.documents_in, "released": self.released, "rejected": self.rejected}


def split_ids(ids: Iterable[str]) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
    """(safe ids, {unsafe id: [its bad-doc-id problem]}): unsafe ids never reach a path."""
    good, bad = [], {}
    for doc_id in ids:
        if DOC_ID_RE.match(doc_id):
            good.append(doc_id)
            continue
        try:
            check_doc_id(doc_id, "seeds/")
        except CeasefireError as exc:
            bad[doc_id] = [p.to_dict() for p in exc.problems]
    return good, bad


def account(ids: Iterable[str], released: Mapping[str, list[str]],
            rejected: Mapping[str, list[dict[str, Any]]]) -> Accounting:
    """Count the build's documents; raise if one was lost or counted twice (a bug, never a user's mistake)."""
    ids = set(ids)
    out = [d for docs in released.values() for d in docs]
    if len(out) != len(set(out)) or set(out) & set(rejected) or set(out) | set(rejected) != ids:
        lost = sorted(ids - set(out) - set(rejected))
        raise RuntimeError(f"build accounting does not add up: lost {lost[:5]}, released twice or also rejected "
                           f"{sorted((set(out) & set(rejected)) | {d for d in out if out.count(d) > 1})[:5]}")
    return Accounting(len(ids), len(out), len(rejected))


def rejections_document(acc: Accounting, rejected: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The content of rejections.json: the accounting and every rejected document with its problems."""
    return {"accounting": acc.to_dict(), "rejected": dict(sorted(rejected.items()))}


def strict_failure(rejected: Mapping[str, list[dict[str, Any]]]) -> CeasefireError:
    """The error of a --strict build with rejections: every problem of every rejected document."""
    problems = [Problem(**{k: v for k, v in p.items() if k in Problem.__dataclass_fields__})
                for doc_id in sorted(rejected) for p in rejected[doc_id]]
    problems.append(Problem("strict-rejected", f"{len(rejected)} document(s) rejected and --strict is set: the "
                            "release was not written (the previous one is untouched)",
                            hint="fix the documents above, or build without --strict to release the others"))
    return CeasefireError(problems)
