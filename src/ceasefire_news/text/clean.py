"""`clean()`: the public Python API of the text stage, what `ceasefire-news clean` does.

    >>> import ceasefire_news
    >>> result = ceasefire_news.clean("Ceasefire holds in Gaza\\nThe truce held overnight, officials said.\\nShare this")
    >>> result.body                                                      # doctest: +SKIP

Raw text in (str or bytes), a `CleanResult` out: the clean body, the captions with their credits, every removed
span with its kind and the reason (a rule id, a signal, or the block model's score), and one decision per
classification unit for `--explain`. Offsets are code points into `result.text`, the normalised text; the
normaliser's offset map (`result.offsets`) maps them back into the raw input.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..extras import missing_extra
from .boilerplate import CAPTION, Caption, RuleSet, clean_view, load_rules
from .normalize import NormalizeReport, OffsetMap, normalize_bytes


@dataclass(frozen=True)
class RemovedSpan:
    """A span out of the body: [start, end) of the normalised text, its kind, and why it went."""

    start: int
    end: int
    kind: str
    reason: str
    text: str


@dataclass(frozen=True)
class Decision:
    """One classification unit (a line or paragraph): kept or not, the kind, the reason (a rule id or signal; for a
    kept unit '' or 'kept-over:<signal>' when the model overruled a layout signal), the model's P(article)."""

    start: int
    end: int
    text: str
    keep: bool
    kind: str | None
    reason: str
    score: float | None


@dataclass(frozen=True)
class CleanResult:
    text: str                       # the normalised full text every offset points into
    body: str                       # the clean body: kept paragraphs joined by one blank line
    captions: tuple[Caption, ...]
    removed: tuple[RemovedSpan, ...]
    decisions: tuple[Decision, ...]
    offsets: OffsetMap
    report: NormalizeReport              # what normalisation did: encoding, BOM, mojibake repaired, changes


def clean(text: str | bytes, *, source: str | None = None, rules: RuleSet | str | Path | None = None,
          name: str = "<text>") -> CleanResult:
    """Normalise `text` and strip its boilerplate. `source` applies that outlet's rules; `rules` is a loaded
    `RuleSet` or the path of a rules file (default: the packaged rules). Bad bytes raise `CeasefireError`; so does
    a missing `build` extra (`extras.MissingExtra`, also a ModuleNotFoundError), in the command line's words.
    A page that is all boilerplate gives `body == ""` (the `clean` command refuses it with `[empty-body]`; here the
    caller decides, with every removed span and decision to look at)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    norm = normalize_bytes(data, name)
    try:
        ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    except ModuleNotFoundError as exc:  # the loader-only install: the CLI's [missing-extra] line
        raise missing_extra("ceasefire_news.clean()", exc) from exc
    view, det = clean_view(norm.text, source, ruleset)
    removed = [RemovedSpan(r.start, r.end, r.kind, r.rule, r.text) for r in det.boilerplate]
    removed += [RemovedSpan(c.start, c.end, CAPTION, c.rule, c.text) for c in det.captions]
    decisions = tuple(
        Decision(u.start, u.end, u.text, k is None, k, why, s)
        for u, k, why, s in zip(det.units, det.unit_kinds, det.unit_reasons, det.scores))
    return CleanResult(norm.text, view.body, tuple(det.captions), tuple(sorted(removed, key=lambda r: r.start)),
                       decisions, norm.offsets, norm.report)
