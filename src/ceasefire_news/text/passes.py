"""The rule cascade: named passes over a page's units (`PASSES`, in order), each deciding what it knows. Every
decision records the rule id or the signal's name. The passes, by group:
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
A lone short line between prose paragraphs is a subheading. What no pass classified goes to the block model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .captions import CAPTION, Caption, caption, captionlike, credit_only, uncredited_caption
from .prefilter import prefiltered
from .rules import READER_FACING, Rule, RuleSet, load_rules, match_rule
from .segment import Block, Unit, segment, units_of
from .signals import (
    APPEAL_HEADER_RE, APPEAL_RE, CTA_OBJECT_RE, CTA_RE, DURATION_RE, LINK_ARTEFACT_RE, PLACE_DATELINE_RE, PRICE_RE,
    PUBLISHING_VERBS,
    SIGNATURE_RE, SMALL_SUM_RE, address_density, cta_kind, forget, has_cta_sentence, has_reporting_verb,
    headline_like, is_article_sentence, is_breadcrumb, is_dateline, is_flat_menu, is_fragment, is_list_item,
    is_metadata_label, is_name_line, is_package_blurb, is_prose, is_reported, is_role_line, is_running_time,
    is_short_unpunctuated, is_ui_status, reads_as_boilerplate, word_count)

_BOX_KINDS = frozenset({"newsletter_signup", "subscription_appeal", "membership_prompt"})
# a menu, a section label or a sign-up box between two groups of headline-like lines in the page head (bylines,
# share bars, ads, captions and player links may sit between a headline and its standfirst)
_HEAD_BOUNDARY_KINDS = frozenset({"navigation", "cookie_notice", "subscription_appeal", "newsletter_signup"})
# furniture that sits between a headline and its standfirst or between paragraphs (a share bar, a player, a
# placeholder), not a menu: no head boundary, and no start of the page foot
_NOT_HEAD_BOUNDARY = frozenset({"flat-menu", "ui-status", "player", "player-title", "player-blurb", "metadata-label"})


@dataclass
class Cascade:
    """The rule cascade's verdict on each unit: `kind[i]` (None: no rule or signal fired) and `why[i]`, the id of
    the rule or signal that fired; `caps` the captions found, by unit index."""

    blocks: list[Block]
    units: list[Unit]
    kind: list[str | None]
    why: list[str]
    caps: dict[int, Caption]


@dataclass
class Page:
    """What the passes share: the page's units, each unit's verdict so far (`kind`, `why`), the captions, and what
    earlier passes found for later ones (rules matched, runs, appeals, repeated lines, the article's extent)."""

    text: str
    rules: RuleSet
    ruleset: tuple[Rule, ...]
    source: str | None
    blocks: list[Block]
    units: list[Unit]
    T: list[str]
    n: int
    kind: list[str | None]
    why: list[str]
    caps: dict[int, Caption] = field(default_factory=dict)
    matched: list[Rule | None] = field(default_factory=list)
    run_starts: list[int] = field(default_factory=list)
    appeals: list[int] = field(default_factory=list)
    seen: dict[str, list[int]] = field(default_factory=dict)
    prose: list[bool] = field(default_factory=list)
    first: int = 0
    last: int = -1
    one_per_line: bool = False  # no blank line in the text: every line is a block (HTML flattened to text)

    @classmethod
    def of(cls, text: str, source: str | None, rules: RuleSet) -> "Page":
        blocks = segment(text)
        units = units_of(text, blocks)
        n = len(units)
        return cls(text, rules, rules.for_source(source), source, blocks, units, [u.text for u in units], n,
                   [None] * n, [""] * n, one_per_line="\n\n" not in text)

    def mark(self, i: int, k: str, reason: str) -> None:
        self.kind[i], self.why[i] = k, reason


def rules_and_captions(p: Page) -> None:
    """Rules from the rules file (the source's, then generic ones), then captions by their credit or label, never by
    position."""
    units, T, n, caps, mark, rules, ruleset, source = p.units, p.T, p.n, p.caps, p.mark, p.rules, p.ruleset, p.source
    # 1-2: rules, then captions (by their credit, never by position)
    matched: list[Rule | None] = [None] * n
    for i, t in enumerate(T):
        rule = match_rule(t, ruleset)
        if rule and rule.kind == "navigation" and "©" in t and captionlike(t) and caption(units[i], rules):
            rule = None  # '... in Jeddah. © Agency' is a caption's credit, not the site's copyright line
        if rule and (rule.kind != "byline" or i < max(n // 2, 1)):
            matched[i] = rule
            mark(i, rule.kind, rule.name)
            continue
        cap = caption(units[i], rules)
        if cap:
            caps[i] = cap
            mark(i, CAPTION, "caption-credit" if cap.credits else "caption-label")
            continue
        credit = credit_only(units[i], rules)
        if credit:
            caps[i] = Caption(units[i].start, units[i].end, t, (credit,))
            mark(i, CAPTION, "caption-credit-line")
        elif uncredited_caption(t):
            caps[i] = Caption(units[i].start, units[i].end, t, ())
            mark(i, CAPTION, "caption-shape")
        elif t.strip().lower() in rules.solo_agencies:
            mark(i, "byline", "agency-tag")  # a lone 'AFP' or 'Reuters' under the headline
        elif source and t.strip().lower() in (source.lower(), f"{source.lower()} logo"):
            mark(i, "navigation", "masthead")
    p.matched = matched


def borrow_credits(p: Page) -> None:
    """A caption without a credit borrows the credit line beside it; a caption-like line over a credit line is its
    caption."""
    units, T, n, kind, why, caps, mark = p.units, p.T, p.n, p.kind, p.why, p.caps, p.mark
    # a caption without a credit borrows the credit line beside it ('Image source, X' / 'Image caption, Y');
    # a short caption-like line just above a labelled credit line ('(photo credit: REUTERS/X)') is its caption
    for i in sorted(caps):
        if not caps[i].credits:
            for j in (i - 1, i + 1):
                if j in caps and caps[j].credits and why[j] == "caption-credit-line":
                    caps[i] = Caption(caps[i].start, caps[i].end, caps[i].text, caps[j].credits)
                    break
        elif why[i] == "caption-credit-line" and i > 0 and kind[i - 1] is None and not (
                i + 1 < n and kind[i + 1] == CAPTION and not caps[i + 1].credits) and captionlike(T[i - 1]):
            caps[i - 1] = Caption(units[i - 1].start, units[i - 1].end, T[i - 1], caps[i].credits)
            mark(i - 1, CAPTION, "caption-above-credit")


def runs(p: Page) -> None:
    """A rule with `starts_run` (an appeal, a newsletter box, a cookie banner) takes the units after it that read as
    boilerplate."""
    T, n, kind, mark, matched = p.T, p.n, p.kind, p.mark, p.matched
    # 3: runs (appeal boxes, newsletter boxes, cookie banners): absorb what reads as boilerplate after them
    run_starts: list[int] = []
    i = 0
    while i < n:
        rule = matched[i]
        if rule and rule.starts_run:
            run_starts.append(i)
            j = i + 1
            while j < n and kind[j] != CAPTION and (
                    kind[j] is not None or address_density(T[j]) >= 0.04 or SIGNATURE_RE.search(T[j])
                    or not _is_subheading(j, T, kind) and (
                        reads_as_boilerplate(T[j]) or is_fragment(T[j]) and not headline_like(T[j]))):
                if kind[j] is None:
                    mark(j, rule.kind, f"run:{rule.name}")
                j += 1
            i = j
        else:
            i += 1
    p.run_starts = run_starts


def unit_signals(p: Page) -> None:
    """Generic signals on single units: stamps, repeated lines, calls to action, prices, appeals, link artefacts, UI
    furniture."""
    T, n, kind, why, mark = p.T, p.n, p.kind, p.why, p.mark
    # 4: generic signals on single units
    appeals: list[int] = []
    prose_now = [kind[i] is None and is_prose(t) for i, t in enumerate(T)]
    first_prose = next((k for k, prose in enumerate(prose_now) if prose), n)  # a dateline after it: maybe a subheading
    seen: dict[str, list[int]] = {}
    for i, t in enumerate(T):
        seen.setdefault(t.strip().lower(), []).append(i)
    for i, t in enumerate(T):
        if kind[i] is not None:
            continue
        words = word_count(t)
        if is_dateline(t):
            mark(i, "byline", "dateline")  # inside the body, only stamps with a clock time or a publishing word
            body_subhead = (0 < i < n - 1 and kind[i - 1] is None and first_prose < i and prose_now[i + 1]
                            and not is_name_line(T[i - 1]) and not _STAMP_WORD_RE.search(t))
            if body_subhead:
                kind[i], why[i] = None, ""
        elif len(seen[t.strip().lower()]) > 1 and words <= 12 and not headline_like(t):
            mark(i, cta_kind(t) or "navigation", "repeated-line")
        elif words <= 30 and CTA_RE.match(t) and cta_kind(t) and not is_prose(t) and not is_article_sentence(t) \
                and (address_density(t) > 0 or CTA_OBJECT_RE.search(t)) and not _is_subheading(i, T, kind) \
                and not is_reported(t):
            mark(i, cta_kind(t) or "navigation", "call-to-action")
        elif words <= 40 and not is_prose(t) and (PRICE_RE.search(t) and address_density(t) > 0):
            mark(i, "subscription_appeal", "price")
        elif words <= 80 and address_density(t) > 0 and APPEAL_RE.search(t) and SMALL_SUM_RE.search(t):
            mark(i, "subscription_appeal", "appeal")
            appeals.append(i)
        elif words <= 12 and LINK_ARTEFACT_RE.search(t) and not is_article_sentence(t):
            mark(i, "navigation", "link-artefact")
        elif words == 0 or re.fullmatch(r"[\W\d_]+", t):
            mark(i, "navigation", "no-words")
        elif is_ui_status(t):
            mark(i, "navigation", "ui-status")
        elif is_metadata_label(t):
            mark(i, "byline" if re.match(r"^[\w ]*\bby\s*:", t, re.I) else "navigation", "metadata-label")
        elif is_breadcrumb(t) and not is_prose(t):
            mark(i, "navigation", "breadcrumb")
        elif is_flat_menu(t):
            mark(i, "navigation", "flat-menu")
    p.appeals, p.seen = appeals, seen


def players(p: Page) -> None:
    """A media player: its running time, the title above it and the package blurb under it."""
    T, n, kind, mark = p.T, p.n, p.kind, p.mark
    # a media player: its running time, the title above it and the package blurb under it
    for i, t in enumerate(T):
        if is_running_time(t):
            if kind[i] is None:
                mark(i, "navigation", "player")
            # the title above: a labelled one ('WATCH | ...:'), or any fragment once the article has begun (in the
            # page head, the line above a player may be the headline)
            labelled = T[i - 1].rstrip().endswith(":") or "|" in T[i - 1] if i > 0 else False
            begun = any(kind[k] is None and is_prose(T[k]) for k in range(max(i - 1, 0)))
            if i > 0 and kind[i - 1] is None and word_count(T[i - 1]) <= 20 and not is_prose(T[i - 1]) \
                    and (labelled or begun and is_fragment(T[i - 1]) and word_count(T[i - 1]) >= 4
                         and not is_list_item(T[i - 1])):  # a short subheading may stand over a player
                mark(i - 1, "navigation", "player-title")
            if i + 1 < n and kind[i + 1] is None and is_package_blurb(T[i + 1]):
                mark(i + 1, "navigation", "player-blurb")


def boxes(p: Page) -> None:
    """Sign-up and appeal boxes: the header above, the lead lines above the first rule, the blurb inside, an appeal's
    run."""
    units, T, n, kind, mark, run_starts, appeals, one_per_line = (
        p.units, p.T, p.n, p.kind, p.mark, p.run_starts, p.appeals, p.one_per_line)
    # a box takes its header line above it ('Support independent journalism' over the appeal); a generic
    # appeal opens a run like a rule would
    for i in sorted(set(run_starts + appeals)):
        # ... or a short label ending in a colon ('A word from the editor:') right above it
        if i > 0 and kind[i - 1] is None and kind[i] in ("subscription_appeal", "newsletter_signup") and (
                word_count(T[i - 1]) <= 8 and is_fragment(T[i - 1]) and APPEAL_HEADER_RE.search(T[i - 1])
                or word_count(T[i - 1]) <= 6 and T[i - 1].rstrip().endswith(":")):
            mark(i - 1, kind[i], "box-header")
        # the lines of the box above its first rule ('This article is for subscribers.' / 'Have an account? Sign
        # in'): short, not prose, addressing the reader or asking for an action, in the same block
        j = i - 1
        while j >= 0 and kind[j] is None and (units[j].block == units[i].block or one_per_line) \
                and kind[i] in _BOX_KINDS \
                and word_count(T[j]) <= 15 and not is_prose(T[j]) and not is_reported(T[j]) \
                and (address_density(T[j]) > 0 or has_cta_sentence(T[j]) or CTA_RE.search(T[j].split("?")[-1].strip())):
            mark(j, kind[i], "box-lead")
            j -= 1
    for i in appeals:
        j = i + 1
        while j < n and kind[j] != CAPTION and (kind[j] is not None or reads_as_boilerplate(T[j])):
            if kind[j] is None:
                mark(j, "subscription_appeal", "run:appeal")
            j += 1
    # the blurb inside a sign-up or appeal box ('A weekly look at the stories that ...'), between its heading or
    # button and another part of the box: short, no quotation, nobody reported
    for i in range(1, n - 1):
        pair = {kind[i - 1], kind[i + 1]}
        other = T[i + 1] if kind[i - 1] in _BOX_KINDS else T[i - 1]
        boxy = pair <= _BOX_KINDS or bool(CTA_RE.match(other) or APPEAL_HEADER_RE.search(other))
        if kind[i] is None and pair & _BOX_KINDS and pair <= READER_FACING and boxy and word_count(T[i]) <= 30 \
                and not is_reported(T[i]) and not has_reporting_verb(T[i]) and not re.search(r"[“”\"]", T[i]):
            mark(i, kind[i - 1] if kind[i - 1] in _BOX_KINDS else kind[i + 1], "box-blurb")


def article_extent(p: Page) -> None:
    """Prose outside any classified unit marks the article: its first and last prose unit (`p.first`, `p.last`)."""
    T, n, kind, why = p.T, p.n, p.kind, p.why
    # 5: zones. Prose outside any classified unit marks the article; before it lies the page head (menus,
    # section labels, headline, standfirst, byline), after it the page foot.
    prose = [kind[i] is None and is_prose(t) for i, t in enumerate(T)]
    first = next((i for i in range(n) if prose[i]), n)
    end = _article_end(T, kind, why, prose, first)
    for i in range(end + 1, n):
        prose[i] = False  # prose after the article's end furniture is the page's own text (a 'we are' blurb)
    last = max((i for i in range(n) if prose[i]), default=-1)
    p.prose, p.first, p.last = prose, first, last


def bylines(p: Page) -> None:
    """Names beside a dateline, a role line or a 'By' line: in the head or after the body, and beside a stamp inside
    it."""
    T, n, kind, why, mark, first, last = p.T, p.n, p.kind, p.why, p.mark, p.first, p.last
    # bylines: names beside a dateline, a role line or a 'By' line, in the head or right after the body
    # (inside the body too when the name sits right beside a time stamp or a role line: a standfirst that reads
    # as prose may come before the byline)
    for i, t in enumerate(T):
        if kind[i] is None and (is_name_line(t) or is_role_line(t)):
            near = [j for j in (i - 1, i + 1, i + 2) if 0 <= j < n]
            if (i < first or i > last) and (t.lower().startswith("by ") or is_role_line(t) or any(
                    why[j] in ("dateline",) or kind[j] in ("byline", "author_bio") or is_role_line(T[j])
                    for j in near)):
                mark(i, "byline", "byline-stack")
            elif is_name_line(t) and any(why[j] == "dateline" or is_role_line(T[j]) and kind[j] is not None
                                          for j in (i - 1, i + 1) if 0 <= j < n):
                mark(i, "byline", "byline-stack")


def repeated_headlines(p: Page) -> None:
    """A headline repeated in the page: keep the occurrence nearest the body."""
    T, kind, mark, seen = p.T, p.kind, p.mark, p.seen
    # repeated headline: keep the occurrence nearest the body
    for key, idx in seen.items():
        if len(idx) > 1 and all(kind[i] is None for i in idx) and headline_like(T[idx[0]]):
            for i in idx[:-1]:
                mark(i, "navigation", "repeated-line")


def head_zone(p: Page) -> None:
    """Before the first prose lies the page head: only headline-like lines, sentences and datelines over the
    lead stay."""
    units, T, n, kind, mark, prose, first, one_per_line = (
        p.units, p.T, p.n, p.kind, p.mark, p.prose, p.first, p.one_per_line)
    for i in range(min(first, n)):
        t = T[i]
        # 'ANKARA' on its own line over the lead paragraph (in its block, or in one-line-per-block text)
        opens_paragraph = i + 1 < n and (units[i + 1].block == units[i].block or one_per_line) \
            and prose[i + 1] and bool(PLACE_DATELINE_RE.match(t))
        if kind[i] is None and not (headline_like(t) and not is_name_line(t)) and not is_article_sentence(t) \
                and not opens_paragraph:
            mark(i, "navigation", "head-zone")


def head_promos(p: Page) -> None:
    """Only the last group of headline-like lines before the article is its headline: one above a menu is a
    promotion."""
    T, n, kind, why, mark, first = p.T, p.n, p.kind, p.why, p.mark, p.first
    # only the last group of headline-like lines before the article is its headline and standfirst: one above
    # a menu or section label is a tagline or a promoted story ('The Pulse of ...', 'Live: ...')
    for b in range(min(first, n) - 1, -1, -1):
        if kind[b] in _HEAD_BOUNDARY_KINDS and not (kind[b] == "navigation" and re.search(r"\d", T[b])) \
                and why[b] not in _NOT_HEAD_BOUNDARY:
            # a masthead or label under the headline, with no headline below it, is no boundary: look higher
            if any(kind[j] is None and headline_like(T[j]) for j in range(b + 1, min(first, n))):
                for i in range(b):
                    if kind[i] is None and headline_like(T[i]):
                        mark(i, "navigation", "head-promo")
                break


def tail_zone(p: Page) -> None:
    """After the last prose lies the page foot: once a unit there is boilerplate, the rest is foot."""
    T, n, kind, why, mark, last = p.T, p.n, p.kind, p.why, p.mark, p.last
    if last >= 0:
        # the foot: once a unit after the last prose is boilerplate by rule or signal, the rest is page foot;
        # before that, only what reads as article sentences (a short last paragraph, list items) stays
        foot = False
        for i in range(last + 1, n):
            t = T[i]
            if kind[i] not in (None, CAPTION) and kind[i] not in _INLINE_KINDS and why[i] not in _NOT_HEAD_BOUNDARY:
                foot = True  # a related box or an ad may sit before the article's last short sentence
            elif kind[i] is None and (foot or not (is_article_sentence(t) or is_list_item(t))):
                mark(i, "navigation", "tail-zone")
                # a fragment heading a last section of short sentences does not start the foot
                heads_section = word_count(t) <= 12 and i + 1 < n and kind[i + 1] is None and (
                    is_article_sentence(T[i + 1]) or is_list_item(T[i + 1]))
                if heads_section and not foot:
                    kind[i], why[i] = None, ""
                foot = foot or not heads_section


def link_lists(p: Page) -> None:
    """Runs of three or more short unpunctuated units are link lists (a lone short line between prose is a
    subheading)."""
    T, n, kind, mark, first = p.T, p.n, p.kind, p.mark, p.first
    # 6: lists and islands inside the body
    # link lists: runs of >= 3 short unpunctuated units (a lone short line between prose is a subheading)
    i = 0
    while i < n:
        j = i
        while j < n and kind[j] is None and is_short_unpunctuated(T[j], 8):
            j += 1
        if j - i >= 3:
            header = kind[i - 1] if i > 0 and kind[i - 1] == "related_links" else None
            # inside the article, the list's last line over prose is the next section's subheading
            end = j - 1 if i > first and _is_subheading(j - 1, T, kind) else j
            for k in range(i, end):
                mark(k, header or "navigation", "link-list")
        i = max(j, i + 1)


def headline_runs(p: Page) -> None:
    """Related headlines without a label: two or more headline-like lines in a row after the article has begun."""
    T, n, kind, mark, first = p.T, p.n, p.kind, p.mark, p.first
    # related headlines without a label: two or more headline-like lines in a row after the article has
    # begun (a subheading stands alone; a list is introduced by a colon)
    i = first + 1
    while i < n:
        j = i
        while j < n and kind[j] is None and is_fragment(T[j]) and 5 <= word_count(T[j]) <= 20 \
                and headline_like(T[j]) and not is_list_item(T[j]) and not is_name_line(T[j]):
            j += 1
        # after prose or removed units: a heading or a colon over the lines makes them a list, not links
        after_text = kind[i - 1] not in (None, CAPTION) or is_prose(T[i - 1]) or is_article_sentence(T[i - 1])
        # ... or under a short label that itself follows removed furniture ('Skip section' / 'Our coverage')
        label = i >= 2 and kind[i - 1] is None and word_count(T[i - 1]) <= 6 and is_fragment(T[i - 1]) \
            and kind[i - 2] not in (None, CAPTION)
        if j - i >= 2 and (after_text or label) and not T[i - 1].rstrip().endswith(":"):
            for k in range(i - 1 if label else i, j):
                mark(k, "related_links", "headline-run")
        i = max(j, i + 1)


def related_lists(p: Page) -> None:
    """A related-links header takes the headline-like lines that follow it."""
    units, T, n, kind, mark = p.units, p.T, p.n, p.kind, p.mark
    # a related-links header takes the headline-like lines that follow it
    for i in range(n - 1):
        inside_list = i > 0 and kind[i - 1] == "related_links" and units[i - 1].block == units[i].block
        if kind[i] == "related_links" and word_count(T[i]) <= 6 and (is_fragment(T[i]) or T[i].rstrip().endswith(":")) \
                and not inside_list:  # a header opens its list; the list's last item heads nothing
            # a header inside a block of lines heads the rest of that block; a header alone heads the lines after
            same_block = i + 1 < n and units[i + 1].block == units[i].block
            j = i + 1
            while j < n and kind[j] is None and word_count(T[j]) <= 20 and not is_prose(T[j]) \
                    and not re.search(r"[.:]\W*$", T[j]) \
                    and (units[j].block == units[i].block or not same_block) \
                    and not (j > i + 1 and word_count(T[j]) <= 4 and _is_subheading(j, T, kind)):
                mark(j, "related_links", "related-list")
                j += 1


def block_majority(p: Page) -> None:
    """A block of several units, most of them removed, loses its remaining fragments too."""
    units, T, kind, mark = p.units, p.T, p.kind, p.mark
    # a block of several units, most of them removed, loses its remaining fragments too (a byline stack,
    # a share bar, a menu with one unknown item); headline-like lines and sentences stay
    by_block: dict[int, list[int]] = {}
    for i, u in enumerate(units):
        by_block.setdefault(u.block, []).append(i)
    for idx in by_block.values():
        if len(idx) >= 3 and sum(kind[i] not in (None, CAPTION) for i in idx) * 2 >= len(idx):
            for i in idx:
                if kind[i] is None and is_fragment(T[i]) and not headline_like(T[i]):
                    mark(i, "navigation", "block-majority")


def foot_islands(p: Page) -> None:
    """A sentence inside the page foot, between navigation units with nothing kept after it ('Quotes are delayed
    by at least 15 minutes ...' between the site index and the copyright line). A page with no article prose has
    no foot: its sentences are all the article there is."""
    n, kind, why, mark, prose, last = p.n, p.kind, p.why, p.mark, p.prose, p.last
    if last < 0:
        return
    # walking back from the end, the first unit kept stops the walk: everything after `i` is removed already
    for i in range(n - 1, 0, -1):
        if kind[i] is not None:
            continue
        if kind[i - 1] == "navigation" and why[i - 1] not in _NOT_HEAD_BOUNDARY \
                and (i == n - 1 or kind[i + 1] == "navigation") and not (i <= last and prose[i]):
            mark(i, "navigation", "foot-island")
        else:
            break


def islands(p: Page) -> None:
    """A short fragment between two removed units (not captions) belongs to them."""
    T, n, kind, mark, first, last = p.T, p.n, p.kind, p.mark, p.first, p.last
    # islands: a short fragment between two removed units (not captions) belongs to them
    for i in range(1, n - 1):
        if kind[i] is None and kind[i - 1] not in (None, CAPTION) and kind[i + 1] not in (None, CAPTION) \
                and word_count(T[i]) <= 15 and not is_prose(T[i]) and not _is_subheading(i, T, kind) \
                and not (i < first and headline_like(T[i])) and not is_list_item(T[i]) \
                and not ((first < i < last or kind[i - 1] in _INLINE_KINDS and i > first)
                         and is_article_sentence(T[i])  # 'The truce took effect at noon.' (after a box too)
                         and re.search(r"\.[\"”’)\]]*$", T[i].rstrip())):
            mark(i, kind[i - 1], "island")


def lead_ins(p: Page) -> None:
    """A short lead-in ending in a colon goes with the boilerplate it introduces."""
    T, n, kind, mark = p.T, p.n, p.kind, p.mark
    # a short lead-in ending in a colon goes with the boilerplate it introduces ('A note from the editor:')
    for i in range(n - 2, -1, -1):
        if kind[i] is None and word_count(T[i]) <= 6 and T[i].rstrip().endswith(":") \
                and kind[i + 1] not in (None, CAPTION, "byline"):
            mark(i, kind[i + 1], "lead-in")


def media_titles(p: Page) -> None:
    """A media player's title under its running time, when player furniture comes before the time."""
    T, n, kind, mark = p.T, p.n, p.kind, p.mark
    # a media player's title under its running time ('3:12' over 'Survivors describe their escape'), when player
    # furniture comes before the time (a live blog's '14:05' over an entry title after prose is not a player)
    for i in range(2, n):
        if kind[i] is None and DURATION_RE.match(T[i - 1]) and kind[i - 2] not in (None, CAPTION) \
                and is_fragment(T[i]) and word_count(T[i]) <= 15:
            mark(i, "navigation", "media-title")


# the order matters: each pass sees the verdicts of the passes before it
PASSES = (
    rules_and_captions, borrow_credits, runs, unit_signals, players, boxes,    # what a unit says by itself
    article_extent, bylines, repeated_headlines, head_zone, head_promos, tail_zone,   # zones around the article
    link_lists, headline_runs, related_lists, block_majority, foot_islands, islands, lead_ins, media_titles,
)


def cascade(text: str, source: str | None = None, rules: RuleSet | None = None) -> Cascade:
    """Run the named passes, in order, over the units of the normalised text `text` of a document."""
    forget()  # the signals' answers are kept per page
    p = Page.of(text, source, rules or load_rules())
    for run_pass in PASSES:
        run_pass(p)
    return Cascade(p.blocks, p.units, p.kind, p.why, p.caps)



# furniture that closes an article: a comments header, an author bio, a credit line ('X contributed to this
# report'), a byline or time stamp, a share bar. Inline boxes (related links, sign-ups, ads) do not end it.
# boxes that also sit inside an article: after the last prose they do not begin the page foot by themselves
_STAMP_WORD_RE = re.compile(rf"\d[:.]\d\d|\b({PUBLISHING_VERBS}|ago|read|reading)\b", re.I)  # a clock time or a stamp's word
_PUBLISHED_RE = prefiltered(re.compile(rf"\b({PUBLISHING_VERBS}|first appeared)\b", re.I))
_INLINE_KINDS = frozenset({"related_links", "advertisement"})
_END_KINDS = frozenset({"comments_prompt", "author_bio", "credit_line", "byline", "share_prompt"})
# a comments header or an author bio never comes before article text; the weaker end kinds need a stretch of
# furniture (three or more units) before the next prose: one stray byline or share button inside the text is no end
_STRONG_END_KINDS = frozenset({"comments_prompt", "author_bio"})


def _furniture_stretch(kind: list[str | None], prose: list[bool], i: int) -> int:
    """How many removed units (captions aside) follow unit `i`, itself included, before the next prose unit."""
    count = 0
    for j in range(i, len(kind)):
        if prose[j]:
            break
        count += kind[j] not in (None, CAPTION)
    return count


def _article_end(T: list[str], kind: list[str | None], why: list[str], prose: list[bool], first: int) -> int:
    """The index of the first end-of-article unit after the article has begun (see `_END_KINDS`) that is
    followed by little prose (at most two prose units, and at most a quarter of the prose words before it), or
    len(T) when there is none. Prose after it that quotes or reports someone keeps the article going.
    Prose after it is the page talking about itself (a publisher blurb, a comments policy), not the article.
    A bare time stamp is no end (a live blog's entries each have one); a 'Posted ... updated ...' stamp is."""
    n = len(T)
    words = [word_count(t) if p else 0 for t, p in zip(T, prose)]
    # suffix passes (linear): prose units after each unit, and whether any prose after it reports someone
    units_after = [0] * n
    reported_after = [False] * n
    for i in range(n - 2, -1, -1):
        j = i + 1
        units_after[i] = units_after[j] + prose[j]
        reported_after[i] = reported_after[j] or prose[j] and bool(
            is_reported(T[j]) or has_reporting_verb(T[j]) or re.search(r"[“”\"]", T[j]))
    total = sum(words)
    before = 0
    for i in range(n):
        before += words[i]
        stamp = kind[i] == "byline" and why[i] == "dateline" and not _PUBLISHED_RE.search(T[i])
        if i > first and kind[i] in _END_KINDS and not stamp and before > 0 and total - before <= 0.25 * before \
                and units_after[i] <= 2 and not reported_after[i] \
                and (kind[i] in _STRONG_END_KINDS or _furniture_stretch(kind, prose, i) >= 3):
            return i
    return n


def _is_subheading(i: int, T: list[str], kind: list[str | None]) -> bool:
    """A short heading line directly followed by article prose."""
    return (word_count(T[i]) <= 12 and is_fragment(T[i]) or T[i].rstrip().endswith("?") and word_count(T[i]) <= 12) \
        and i + 1 < len(T) and kind[i + 1] is None and (
            is_prose(T[i + 1]) or is_article_sentence(T[i + 1]) and is_reported(T[i + 1]))
