"""Boilerplate and caption detection on the normalised full text: the pipeline. Pure: text (+ source) in, spans out.

    segment (segment.py) -> the rule cascade, named passes (passes.py) -> the model pass (below, model.py)
    -> reader comment threads (below)
    -> spans: the boilerplate and captions layers -> the clean body (body.py)

Blocks are paragraphs (blank-line separated) when the text has blank lines, else lines (what HTML-to-text tools
emit); blocks make the `paragraphs` layer, and the units of a block removed with one kind make one span. The
cascade decides what the rules and signals know; the block model then decides where the cascade was silent or
only guessed from the layout (see `model_pass`). Every unit's verdict keeps its reason: a rule id, a signal's name
(`reasons.SIGNALS`), or `model`. Anything neither the cascade nor the model removed is article text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .body import BodyView, body_view
from .captions import CAPTION, Caption
from .model import BlockModel, features, load_model
from .passes import Cascade, cascade
from .reasons import RUN_PREFIX
from .rules import RuleSet, load_rules
from .segment import Block, Unit, segment, units_of
from .signals import COMMENTS_HEADER_RE, cta_kind, is_comment_signature, word_count

__all__ = ["BOILERPLATE_KINDS", "CAPTION", "Block", "Caption", "Detection", "Removed", "RuleSet", "Unit",
           "cascade", "clean_view", "detect", "load_rules", "model_pass", "segment", "units_of"]

BOILERPLATE_KINDS = (
    "newsletter_signup", "subscription_appeal", "membership_prompt", "share_prompt", "related_links",
    "advertisement", "cookie_notice", "navigation", "author_bio", "comments_prompt", "credit_line", "byline",
)


@dataclass(frozen=True)
class Removed:
    """A span taken out of the body, with its kind and the rule or signal that decided it."""

    start: int
    end: int
    kind: str
    text: str
    rule: str


@dataclass
class Detection:
    blocks: list[Block]
    boilerplate: list[Removed] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    # per classification unit: the unit, its final kind (None: kept), the rule or signal, the model's P(article)
    units: list[Unit] = field(default_factory=list)
    unit_kinds: list[str | None] = field(default_factory=list)
    unit_reasons: list[str] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)

    def removed(self) -> list[tuple[int, int, str]]:
        """Every span out of the body, in text order: (start, end, kind)."""
        spans = [(r.start, r.end, r.kind) for r in self.boilerplate]
        spans += [(c.start, c.end, CAPTION) for c in self.captions]
        return sorted(spans)


def _assemble(blocks: list[Block], units: list[Unit], kind: list[str | None], why: list[str],
              caps: dict[int, Caption]) -> Detection:
    """Spans out of unit decisions: neighbouring units of one block with the same kind make one span."""
    det = Detection(blocks)
    i, n = 0, len(units)
    while i < n:
        k = kind[i]
        if k is None:
            i += 1
            continue
        j = i + 1
        if k == CAPTION:
            # 'Image source, X' + 'Image caption, Y' in one block: one caption with the credit
            while j < n and kind[j] == CAPTION and units[j].block == units[i].block and (
                    not caps[i].credits or not caps[j].credits):
                j += 1
            u0, u1 = units[i], units[j - 1]
            credits = tuple(c for x in range(i, j) for c in caps[x].credits)
            credits = tuple(dict.fromkeys(credits))
            det.captions.append(Caption(u0.start, u1.end, _text_of(blocks, u0, u1), credits, why[i]))
        else:
            while j < n and kind[j] == k and units[j].block == units[i].block:
                j += 1
            u0, u1 = units[i], units[j - 1]
            det.boilerplate.append(Removed(u0.start, u1.end, k, _text_of(blocks, u0, u1), why[i]))
        i = j
    return det


def _text_of(blocks: list[Block], u0: Unit, u1: Unit) -> str:
    b = blocks[u0.block]
    return b.text[u0.start - b.start:u1.end - b.start]


# ------------------------------------------------------------------------------------- the model pass
# The model decides where the cascade is silent: a unit no rule or signal removed goes when the model is confident it
# is not article text (P(article) under the model's threshold). Where the cascade only guessed from the page's
# layout (the zones around the article, repeated lines, stamps, runs of headlines or links: signals that lose
# real article text on pages they were not written for), the unit comes back when the model leans to article text.
# A line that only continues a box a rule opened ('run:<rule id>') comes back too, but only a whole paragraph the model
# is surer of: a box that never closed swallows the article under it, and a box's own second line must stay removed.
# Rules of the rules file, the single-unit signals and captions stand: they know precisely.
# The level each layout guess is overruled from was chosen out of fold on dev/ (two folds by site), as high as the
# synthetic sets need: the page foot and the promotions over the headline guess wrong more often, a link list in the
# body most often; stamps and headline runs less (lower, and the synthetic sets leak).
ZONE_KEEP = {"head-zone": 0.6, "head-promo": 0.5, "tail-zone": 0.5, "repeated-line": 0.6, "dateline": 0.6,
             "headline-run": 0.6, "link-list": 0.4}
RESTORED_PREFIX = "kept-over:"  # a kept unit's reason: the layout signal the model overruled
RESTORE_MIN_WORDS = 3  # a one- or two-word label the layout removed ('World', 'Middle East') stays removed
RUN_KEEP = 0.7
RUN_RESTORE_MIN_WORDS = 15


def restorable(kind: str | None, why: str, p: float, words: int) -> bool:
    """Whether the model keeps a unit of `words` words with P(article) `p` that the cascade removed as `kind` for
    `why`: a layout guess or a box's run from its level; a rule, a precise signal or a caption never."""
    if kind in (None, CAPTION):
        return False
    level = ZONE_KEEP.get(why)
    if level is not None:
        return p >= level and words >= RESTORE_MIN_WORDS
    return why.startswith(RUN_PREFIX) and p >= RUN_KEEP and words >= RUN_RESTORE_MIN_WORDS


def model_pass(c: Cascade, model: BlockModel | None) -> list[float | None]:
    """Let the block model decide where the cascade is silent or guessed; returns each unit's P(article)."""
    if model is None or not c.units:
        return [None] * len(c.units)
    T = [u.text for u in c.units]
    scores = [float(s) for s in model.score(features(T, c.kind, c.why))]
    for i, p in enumerate(scores):
        if c.kind[i] is None and p < model.threshold:
            c.kind[i], c.why[i] = cta_kind(T[i]) or "navigation", "model"
        elif restorable(c.kind[i], c.why[i], p, word_count(T[i])):
            c.kind[i], c.why[i] = None, RESTORED_PREFIX + c.why[i]
    return scores


# --------------------------------------------------------------------------- reader comments, after the model
# Reader comments are prose like the article, and the model keeps them. A thread shows itself by its shape: under a
# short comments header ('7 comments', 'Leave a Reply', 'Responses to ...'), signatures (a name with a date, 'X
# says:', 'Reply', a comment number) each followed by a paragraph of prose. A header only opens a thread after
# article prose (a '4 Comments' link under the headline is no thread), and a long sentence that invites comments
# ('Leave a comment below telling me ...') is article text, not a header.
THREAD_HEADER_MAX_WORDS = 10
THREAD_PROSE_BEFORE = 3  # kept paragraphs of THREAD_PROSE_WORDS words or more before the header
THREAD_PROSE_WORDS = 15
THREAD_COMMENT_WORDS = 10  # a signature must be followed by a paragraph this long ...
THREAD_MIN_COMMENTS = 2  # ... at least this many times ...
THREAD_WINDOW = 120  # ... within this many units under the header


def comment_thread_start(T: list[str], kept: list[bool]) -> int | None:
    """The index of the comments header that opens a thread of reader comments (see above), or None."""
    n = len(T)
    wc = [word_count(t) for t in T]
    headers = []  # short comments headers after enough kept prose: most pages have none, and then nothing more is done
    prose_before = 0
    for i in range(n):
        if prose_before >= THREAD_PROSE_BEFORE and wc[i] <= THREAD_HEADER_MAX_WORDS and COMMENTS_HEADER_RE.search(T[i]):
            headers.append(i)
        prose_before += kept[i] and wc[i] >= THREAD_PROSE_WORDS
    if not headers:
        return None
    signed = [0] * (n + 1)  # prefix counts of 'a signature followed by a paragraph'
    for j in range(headers[0] + 1, n):
        signed[j + 1] = signed[j] + (j + 1 < n and wc[j + 1] >= THREAD_COMMENT_WORDS and is_comment_signature(T[j]))
    for i in headers:
        end = min(n, i + 1 + THREAD_WINDOW)
        if signed[end - 1] - signed[i + 1] >= THREAD_MIN_COMMENTS:
            return i
    return None


def thread_pass(c: Cascade) -> None:
    """Remove a thread of reader comments: from its header on, every unit still kept goes as `comments_prompt`."""
    T = [u.text for u in c.units]
    start = comment_thread_start(T, [k is None for k in c.kind])
    if start is None:
        return
    for i in range(start, len(T)):
        if c.kind[i] is None:
            c.kind[i], c.why[i] = "comments_prompt", "comment-thread"


def detect(text: str, source: str | None = None, rules: RuleSet | None = None,
           model: BlockModel | None | bool = True) -> Detection:
    """Find boilerplate and captions in the normalised text `text` of a document from `source`: the rule
    cascade, then the block model (`model=False` runs the cascade alone)."""
    c = cascade(text, source, rules)
    scores = model_pass(c, load_model() if model is True else (model or None))
    thread_pass(c)
    det = _assemble(c.blocks, c.units, c.kind, c.why, c.caps)
    det.units = c.units
    det.scores = scores
    det.unit_kinds = list(c.kind)
    det.unit_reasons = list(c.why)
    return det


def clean_view(text: str, source: str | None = None, rules: RuleSet | None = None,
               model: BlockModel | None | bool = True) -> tuple[BodyView, Detection]:
    """The clean body of a normalised text: detect, then remove the detected spans from its blocks."""
    det = detect(text, source, rules, model)
    view = body_view(text, [(b.start, b.end) for b in det.blocks], [(s, e) for s, e, _ in det.removed()])
    return view, det
