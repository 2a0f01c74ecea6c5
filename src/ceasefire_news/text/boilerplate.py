"""Boilerplate and caption detection on the normalised full text. Pure: text (+ source) in, spans out.

Blocks are paragraphs (blank-line separated) when the text has blank lines, else lines (what HTML-to-text
tools emit); blocks make the `paragraphs` layer. A block whose lines are separate items (a menu, a byline
stack, 'Image source, X' over 'Image caption, Y') rather than one hard-wrapped paragraph is classified line
by line; the units of a block removed with one kind make one span. Units are classified by, in order:
  1. the rules file (`rules/boilerplate.yaml`: per-source rules, then generic ones; patterns are data).
     Rules of reader-facing kinds never fire on a long narrative sentence with no reader address;
  2. captions, by their photo-credit pattern and never by position: a trailing credit ('(Name/AFP)',
     '... 2025. REUTERS/Name', '[Name/Al Jazeera]', 'Photograph: X', 'Credit...X'), a caption label, or a
     labelled credit line beside a caption-like line. '(IDF)' spelling out the words before it is no credit.
     A caption without a credit is found by its shape: a photo label, or a present-tense scene closed by the
     photo's dated year;
  3. runs: a rule with `starts_run` (an appeal, a newsletter box, a cookie banner) takes the following units
     that read as boilerplate (reader address, calls to action, prices, signatures, non-headline fragments)
     and stops at article prose or a subheading;
  4. generic signals for outlets no rule knows: date/time stamps, calls to action with an object or reader
     address, price mentions, link artefacts ('opens new tab', URLs), lines repeated in the page;
  5. zones: prose marks the article. Before the first prose unit lies the page head, where only headline-like
     lines and sentences stay (a repeated headline once); after the last one lies the foot, where only
     article sentences and list items before the first boilerplate stay. Names beside datelines or role lines
     are bylines; only the last group of headline-like lines in the head is the headline and standfirst;
  6. structure: runs of three or more short unpunctuated units (link lists), the headline-like lines under a
     related-links header, related headlines without a label (headline-like lines in a row in the body), the
     remaining fragments of a block that is mostly boilerplate, a short fragment between two removed units (an
     island), the blurb inside a sign-up box, a colon lead-in of boilerplate, a media player's title.
  7. page structure (round 2, shapes not wording): the article ends at end furniture (a comments header, an
     author bio, or a credit/byline/share unit opening a stretch of furniture) followed by little prose; a
     media player's running time takes its title and package blurb; breadcrumbs, flattened menus, 'Label: value'
     metadata, widget placeholders and bare URLs go by their shape; Title Case headlines hold function words.
Reported speech ('Follow the talks, one MP said, and you see ...') is never a call to action.
Anything not classified is article text; a lone short line between prose paragraphs is a subheading.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .body import BodyView, body_view
from .captions import CAPTION, Caption
from .model import BlockModel, features, load_model
from .passes import Cascade, cascade
from .rules import RuleSet, load_rules
from .segment import Block, Unit, segment, units_of
from .signals import cta_kind, word_count

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
            det.captions.append(Caption(u0.start, u1.end, _text_of(blocks, u0, u1), credits))
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
# Rules of the rules file, the single-unit signals and captions stand: they know precisely.
ZONE_KEEP = 0.6
RESTORED_PREFIX = "kept-over:"  # a kept unit's reason: the layout signal the model overruled
RESTORE_MIN_WORDS = 3  # a one- or two-word label the layout removed ('World', 'Middle East') stays removed
RESTORABLE = frozenset({"head-zone", "head-promo", "tail-zone", "repeated-line", "dateline", "headline-run",
                        "link-list"})


def model_pass(c: Cascade, model: BlockModel | None) -> list[float | None]:
    """Let the block model decide where the cascade is silent or guessed; returns each unit's P(article)."""
    if model is None or not c.units:
        return [None] * len(c.units)
    T = [u.text for u in c.units]
    scores = [float(s) for s in model.score(features(T, c.kind, c.why))]
    for i, p in enumerate(scores):
        if c.kind[i] is None and p < model.threshold:
            c.kind[i], c.why[i] = cta_kind(T[i]) or "navigation", "model"
        elif c.why[i] in RESTORABLE and p >= ZONE_KEEP and word_count(T[i]) >= RESTORE_MIN_WORDS:
            c.kind[i], c.why[i] = None, RESTORED_PREFIX + c.why[i]
    return scores


def detect(text: str, source: str | None = None, rules: RuleSet | None = None,
           model: BlockModel | None | bool = True) -> Detection:
    """Find boilerplate and captions in the normalised text `text` of a document from `source`: the rule
    cascade, then the block model (`model=False` runs the cascade alone)."""
    c = cascade(text, source, rules)
    scores = model_pass(c, load_model() if model is True else (model or None))
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
