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

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CeasefireError, Problem
from ..resources import load_schema, rules_dir
from .body import BodyView, body_view

BOILERPLATE_KINDS = (
    "newsletter_signup", "subscription_appeal", "membership_prompt", "share_prompt", "related_links",
    "advertisement", "cookie_notice", "navigation", "author_bio", "comments_prompt", "credit_line", "byline",
)
CAPTION = "caption"


# --------------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Block:
    """A paragraph (or a line, in one-block-per-line text) of the normalised text: [start, end)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Removed:
    """A span taken out of the body, with its kind and the rule or signal that decided it."""

    start: int
    end: int
    kind: str
    text: str
    rule: str


@dataclass(frozen=True)
class Credit:
    credit: str
    agency: str | None = None
    photographer: str | None = None


@dataclass(frozen=True)
class Caption:
    """A photo caption: kept as structured data with its credit(s), out of the body."""

    start: int
    end: int
    text: str
    credits: tuple[Credit, ...]

    @property
    def credit(self) -> str:
        return "; ".join(c.credit for c in self.credits)

    @property
    def agency(self) -> str | None:
        agencies = list(dict.fromkeys(c.agency for c in self.credits if c.agency))
        return "; ".join(agencies) or None

    @property
    def photographer(self) -> str | None:
        names = list(dict.fromkeys(c.photographer for c in self.credits if c.photographer))
        return "; ".join(names) or None


@dataclass
class Detection:
    blocks: list[Block]
    boilerplate: list[Removed] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)

    def removed(self) -> list[tuple[int, int, str]]:
        """Every span out of the body, in text order: (start, end, kind)."""
        spans = [(r.start, r.end, r.kind) for r in self.boilerplate]
        spans += [(c.start, c.end, CAPTION) for c in self.captions]
        return sorted(spans)


# --------------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class Rule:
    kind: str
    patterns: tuple[re.Pattern, ...]
    max_words: int
    starts_run: bool
    name: str
    fragments_only: bool = False


@dataclass(frozen=True)
class RuleSet:
    generic: tuple[Rule, ...]
    sources: dict[str, tuple[Rule, ...]]
    solo_agencies: frozenset[str]
    agencies: tuple[str, ...]
    credit_words: tuple[str, ...]
    trailers: tuple[re.Pattern, ...]
    caption_max_words: int
    labelled_trailers: frozenset[str] = frozenset()
    labels: tuple[re.Pattern, ...] = ()
    credit_labels: tuple[re.Pattern, ...] = ()

    def for_source(self, source: str | None) -> tuple[Rule, ...]:
        return self.sources.get(source or "", ()) + self.generic


def _compile_rules(raw: list[dict], prefix: str, file: str) -> tuple[Rule, ...]:
    rules = []
    for i, r in enumerate(raw):
        flags = 0 if r.get("case_sensitive") else re.I
        pats = []
        for j, p in enumerate(r["patterns"]):
            try:
                pats.append(re.compile(p, flags | re.M))
            except re.error as exc:
                raise CeasefireError(Problem("rules-regex", f"bad regular expression: {exc}", file=file,
                                             pointer=f"/{prefix}/{i}/patterns/{j}")) from None
        rules.append(Rule(r["kind"], tuple(pats), int(r.get("max_words", 40)), bool(r.get("starts_run", False)),
                          f"{prefix}[{i}]:{r['kind']}", bool(r.get("fragments_only", False))))
    return tuple(rules)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and validate a rules file (default: the packaged `rules/boilerplate.yaml`). Compiled once per path."""
    return _load_rules(str(Path(path).resolve()) if path else str(rules_dir() / "boilerplate.yaml"))


@functools.lru_cache(maxsize=8)
def _load_rules(path: str) -> RuleSet:
    import jsonschema

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise CeasefireError(Problem("missing-file", "rules file not found", file=path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CeasefireError(Problem("rules-syntax", f"invalid YAML: {getattr(exc, 'problem', exc)}", file=path,
                                     line=mark.line + 1 if mark else None,
                                     column=mark.column + 1 if mark else None)) from None
    validator = jsonschema.Draft202012Validator(load_schema("boilerplate-rules"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise CeasefireError([Problem("rules-schema", e.message, file=path,
                                      pointer="/" + "/".join(str(p) for p in e.absolute_path)) for e in errors])
    cap = data["captions"]
    return RuleSet(
        generic=_compile_rules(data["generic"], "generic", path),
        sources={src: _compile_rules(rs, f"sources/{src}", path) for src, rs in data.get("sources", {}).items()},
        solo_agencies=frozenset(a.lower() for a in cap.get("solo_agencies", [])),
        agencies=tuple(sorted(cap["agencies"], key=len, reverse=True)),
        credit_words=tuple(w.lower() for w in cap["credit_words"]),
        trailers=tuple(_regex(t, path, f"/captions/trailers/{i}") for i, t in enumerate(cap["trailers"]))
        + tuple(_regex(t, path, f"/captions/labelled_trailers/{i}")
                for i, t in enumerate(cap.get("labelled_trailers", []))),
        caption_max_words=int(cap.get("max_words", 120)),
        labelled_trailers=frozenset(cap.get("labelled_trailers", [])),
        labels=tuple(_regex(t, path, f"/captions/labels/{i}", re.I) for i, t in enumerate(cap.get("labels", []))),
        credit_labels=tuple(_regex(t, path, f"/captions/credit_labels/{i}", re.I)
                            for i, t in enumerate(cap.get("credit_labels", []))),
    )


def _regex(pattern: str, file: str, pointer: str, flags: int = 0) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise CeasefireError(Problem("rules-regex", f"bad regular expression: {exc}", file=file,
                                     pointer=pointer)) from None


# --------------------------------------------------------------------------------------------- segmentation
_PARA_RE = re.compile(r"[^\n](?:.|\n(?!\n))*")  # runs of text without a blank line
_LINE_RE = re.compile(r"[^\n]+")


def segment(text: str) -> list[Block]:
    """Paragraph blocks when the text has blank lines, else one block per line. Whitespace-only lines are not blocks."""
    pattern = _PARA_RE if "\n\n" in text else _LINE_RE
    blocks = []
    for m in pattern.finditer(text):
        s, e = m.span()
        chunk = m.group(0)
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            blocks.append(Block(s + lead, e - trail, text[s + lead:e - trail]))
    return blocks


# --------------------------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Unit:
    """What is classified: a block, or one line of a block whose lines are separate items (a menu, a byline
    stack, 'Image source, X' over 'Image caption, Y') rather than one hard-wrapped paragraph."""

    start: int
    end: int
    text: str
    block: int


def _is_wrapped(lines: list[str]) -> bool:
    """True when a multi-line block reads as one hard-wrapped paragraph: every line is as long as the wrap
    width allows (the next line's first word would not have fitted on it)."""
    width = max(len(line) for line in lines)
    if width < 30:
        return False
    if all(line[:1].isupper() and _is_fragment(line) and _words(line) >= 5 for line in lines):
        return False  # a stack of titles (related headlines), each capitalised and none ending a sentence
    for a, b in zip(lines, lines[1:]):
        last_word = (re.findall(r"[\w’']+", a) or [""])[-1].lower()
        if (_is_dateline(b) or _is_running_time(b)) and not _FULL_STOP_RE.search(b) and not a.endswith(",") \
                and last_word not in _FUNCTION_WORDS | {"since", "until", "by", "of"}:
            return False  # a stamp on a line of its own ('January 22, 2026' under a title), not a wrapped '... on\nMay 5.'
    for a, b in zip(lines, lines[1:]):
        first = b.split(maxsplit=1)[0] if b.strip() else ""
        if len(a) + 1 + len(first) < 0.85 * width:
            return False
    return True


def units_of(text: str, blocks: list[Block]) -> list[Unit]:
    """The classification units of `text`: each block, split into its lines unless it is wrapped prose."""
    units = []
    for i, b in enumerate(blocks):
        lines = [(m.start(), m.end()) for m in _LINE_RE.finditer(b.text)]
        if len(lines) < 2 or _is_wrapped([b.text[s:e].strip() for s, e in lines]):
            units.append(Unit(b.start, b.end, b.text, i))
            continue
        for s, e in lines:
            chunk = b.text[s:e]
            lead, trail = len(chunk) - len(chunk.lstrip()), len(chunk) - len(chunk.rstrip())
            if e - trail > s + lead:
                units.append(Unit(b.start + s + lead, b.start + e - trail, chunk.strip(), i))
    return units


# --------------------------------------------------------------------------------------------- features
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’(?!\w)")
_ADDRESS_RE = re.compile(  # 'us' but not 'US'
    r"\b((?i:you|your|yours|you['’]ll|you['’]re|you['’]ve|we|our|we['’]re|we['’]ve)|[Uu]s)\b")
_YOU_RE = re.compile(r"\b(you|your|yours|yourself|you['’](ll|re|ve|d))\b", re.I)
_SENTENCE_END_RE = re.compile(r"[.!?…:;][\"”’)\]]*$|[\"”]$")
_FULL_STOP_RE = re.compile(r"[.!?…][\"”’)\]]*$|[\"”]$")
_CTA_RE = re.compile(
    r"^(?P<verb>sign ?up|subscribe|join|follow|share|download|get|click|tap|register|log ?in|sign ?in|donate|support"
    r"|read more|read|watch|listen|see|explore|discover|learn more|try|start|upgrade|unlock|install|add|save"
    r"|comment|view|show|manage|continue|remind|catch up|stay|keep up|tap the|find out)\b(?![-’'])", re.I)
_CTA_KIND = [
    (re.compile(r"newsletter|inbox|e-?mail|sign ?up|alerts|latest (news|updates)|updated", re.I), "newsletter_signup"),
    (re.compile(r"\bsubscri|donat|support|contribut|premium|upgrade|unlock|\$|£|€|per month|a month", re.I),
     "subscription_appeal"),
    (re.compile(r"sign ?in|log ?in|register|account|member|join|save", re.I), "membership_prompt"),
    (re.compile(r"share|follow|whatsapp|telegram|facebook|twitter|instagram|tiktok|youtube|linkedin|app\b|download",
                re.I), "share_prompt"),
    (re.compile(r"comment|discussion|conversation", re.I), "comments_prompt"),
    (re.compile(r"read|watch|listen|see|explore|discover|learn more|stories|articles|coverage|view|show", re.I),
     "related_links"),
]
_CTA_OBJECT_RE = re.compile(r"\b(here|now|today|for free|up|us|our|more|the app|the newsletter"
                            r"|this (article|story|page)"
                            r"|on (whatsapp|telegram|x|twitter|facebook|instagram|youtube|tiktok)|topics?|alerts?"
                            r"|notifications?|the bell|the latest|latest (news|updates|stories))\b", re.I)
# an appeal: support vocabulary with a small sum ('$5 or $50', 'from as little as £1'), not '$50 billion'
_APPEAL_RE = re.compile(r"\b(support\w*|contribut\w*|donat\w*|subscri\w*|help us|back us|fund us|membership|member)\b",
                        re.I)
_SMALL_SUM_RE = re.compile(r"[$£€]\s?\d{1,3}(\.\d\d)?\b(?!\s?(,\d|million|billion|trillion|bn|mn|m\b|k\b))", re.I)
_APPEAL_HEADER_RE = re.compile(r"\b(journalism|reporting|newsroom|independent|support|subscri\w*|donat\w*|"
                               r"contribut\w*|member\w*|readers?|newsletters?|inbox|e-?mail|briefing)\b", re.I)
_SIGNATURE_RE = re.compile(r"^(thank you|thanks|sincerely|warm regards|best wishes)\W*$|"
                           r"^[-–—]?\s*[A-Z][\w.’'-]+( [A-Z][\w.’'-]+){1,3},\s+[\w ,.’'-]{3,80}$", re.M)
_PRICE_RE = re.compile(r"[$£€]\s?\d|\b\d+(\.\d\d)?\s?(usd|eur|gbp|dollars?|pounds?|euros?)\s?(a|per|/)\s?"
                       r"(month|week|year)\b|\b(per|a|/)\s?month\b", re.I)
# a sum of state or aid money ('$500m', '£1.2 billion') is news, not a price asked of the reader
_LARGE_SUM_RE = re.compile(r"[$£€]\s?\d[\d,.]*\s?(m|mn|bn|k|million|billion|trillion)\b", re.I)
_LINK_ARTEFACT_RE = re.compile(r"opens (in )?(a )?new (tab|window)|https?://|www\.|\S+@\S+\.\w+|@\w{2,}"
                               r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,12}/[\w/.-]+", re.I)
_DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec gmt bst utc et est edt pt pst cet cest eet eest ist idt am pm a m p "
    "updated published modified posted last first on at ago hour hours minute minutes min mins read day days "
    "today yesterday week weeks month months reading time".split())
_TIME_OR_YEAR_RE = re.compile(r"\b\d{1,2}[:.]\d\d\b|\b(19|20)\d\d|\bago\b|\d\s?(am|pm)\b"
                              r"|\b\d+\s?min(ute)?s?\b.*\bread|\bread(ing)? time\b", re.I)  # '4 min reading time' 
_NAME = r"(?:[A-Z][\w’'.-]*|(?:al|el|bin|ibn|abu|de|da|van|von|der|le|la)(?:-\w+)?)"
_PERSON = rf"{_NAME}(?:\s+{_NAME}){{1,3}}(?:\s+in\s+{_NAME}(?:\s+{_NAME}){{0,2}})?"
_NAME_LINE_RE = re.compile(
    rf"^(?:[Bb]y\s+)?{_PERSON}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*|\s*\|\s*|\s+with\s+|,\s+and\s+){_PERSON})*"
    rf"(?:,\s*[A-Z]{{2,6}})?$")
_ROLE_RE = re.compile(
    r"\b(correspondent|editor|analyst|reporter|writer|columnist|bureau chief|contributor|producer|photographer"
    r"|staff|journalist)s?\b|^(reporting|writing|reported) (from|by)\b|^in [A-Z]", re.I)


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _address_density(text: str) -> float:
    unquoted = _QUOTED_RE.sub(" ", text)
    n = _words(unquoted)
    return len(_ADDRESS_RE.findall(unquoted)) / n if n else 0.0


def _you_density(text: str) -> float:
    """Second-person address outside quotations: the mark of text that speaks to the reader."""
    unquoted = _QUOTED_RE.sub(" ", text)
    n = _words(unquoted)
    return len(_YOU_RE.findall(unquoted)) / n if n else 0.0


def _is_prose(text: str) -> bool:
    """Article prose: a real sentence (enough words, sentence punctuation), not addressed to the reader.
    An opinion piece may say 'we' and 'our'; only a little of it is allowed to say 'you'."""
    if _words(text) < 12 or not _SENTENCE_END_RE.search(text.rstrip()) \
            or _you_density(text) >= 0.04 and not _is_reported(text):  # '..., one MP said, and you see ...'
        return False
    if _CTA_RE.match(text.strip()) and _CTA_OBJECT_RE.search(text) and not _is_reported(text):
        return False  # 'Join the Ledger on WhatsApp and be the first to know ...' asks for an action
    density = _address_density(text)
    # 'Catch up on our coverage ...' is not prose; 'Follow the talks, one MP said, and you see ...' is
    return density == 0 or density < 0.1 and (not _has_cta_sentence(text) or _is_reported(text))


def _is_fragment(text: str) -> bool:
    """Not ending like a sentence: a heading, a menu item, a label, a name."""
    return not _SENTENCE_END_RE.search(text.rstrip())


def _is_short_unpunctuated(text: str, max_words: int) -> bool:
    return _words(text) <= max_words and _is_fragment(text) and "\n" not in text


def _has_cta_sentence(text: str) -> bool:
    """A sentence of `text` opens with a call-to-action verb ('Sign up here.', 'See more on: ...')."""
    return any(_CTA_RE.match(sent) for sent in re.split(r"(?<=[.!?…])\s+", text.strip()))


def _is_article_sentence(text: str) -> bool:
    """A short block that reads as article text: ends like a sentence, at least three words, no reader
    address, no call to action, no price, no link artefact."""
    ends = bool(_FULL_STOP_RE.search(text.rstrip())) or _words(text) >= 4 and text.rstrip().endswith(":")
    return (_words(text) >= 3 and ends and (_you_density(text) == 0 or _is_reported(text))
            and _address_density(text) < 0.15
            and not text.rstrip().endswith("!")
            and (not _has_cta_sentence(text) or _is_reported(text))
            and not _PRICE_RE.search(_LARGE_SUM_RE.sub(" ", text)) and not _LINK_ARTEFACT_RE.search(text))


def _is_dateline(text: str) -> bool:
    """A date/time stamp: 'Updated 8:12 AM EST, Fri December 19, 2025', '3 hours ago', 'Dec. 17, 2025'."""
    words = re.findall(r"[^\W\d_]+|\d+", text.lower())
    if not words or len(words) > 18 or re.search(r"[!?]", text) or not _TIME_OR_YEAR_RE.search(text):
        return False
    dateish = sum(1 for w in words if w.isdigit() or w in _DATE_WORDS or re.fullmatch(r"\d+\w{0,2}", w))
    return dateish / len(words) >= 0.75


def _is_name_line(text: str) -> bool:
    return len(text) <= 90 and bool(_NAME_LINE_RE.match(text.strip()))


def _is_role_line(text: str) -> bool:
    return _words(text) <= 8 and _is_fragment(text) and bool(_ROLE_RE.search(text))


def _reads_as_boilerplate(text: str) -> bool:
    """For run continuation: reader address, a call to action, or a signature; never plain article prose."""
    if _SIGNATURE_RE.search(text):
        return True
    if _address_density(text) >= 0.04:
        return True
    if _is_short_unpunctuated(text, 8) and not _is_prose(text):
        return True
    if _words(text) <= 30 and (_has_cta_sentence(text) or _PRICE_RE.search(text)) and not _is_prose(text):
        return True
    return False


def _headline_like(text: str) -> bool:
    """A headline or standfirst: a few words of mixed case, no reader address, no call to action."""
    n = _words(text)
    return (4 <= n <= 45 and (any(w[:1].islower() for w in _WORD_RE.findall(text)) or _is_title_case_headline(text))
            and not text.isupper()
            and _you_density(text) < 0.04 and not _CTA_RE.match(text) and not _LINK_ARTEFACT_RE.search(text)
            and not _is_dateline(text) and not _PRICE_RE.search(_LARGE_SUM_RE.sub(" ", text)))


_FUNCTION_WORDS = frozenset("a an the of in on at to for from with by over after before as and or but into "
                            "amid against about under near between is are was be".split())


def _is_title_case_headline(text: str) -> bool:
    """A headline in Title Case ('Pakistan, Afghan Taliban Extend Border Truce After Istanbul Talks'): six or
    more capitalised words, at least one of them a function word ('After', 'Of'); a menu line has none."""
    words = _WORD_RE.findall(text)
    return len(words) >= 6 and all(w[:1].isupper() or w[:1].isdigit() for w in words) \
        and any(w.lower() in _FUNCTION_WORDS for w in words) and not re.search(r"[|»›•·]", text)


# --------------------------------------------------------------------------------------------- page furniture
# a player's running time: 'Duration 2:07', '0:00 0:01:58 0:00', 'Listen | 4:38', '3:12 min'
_RUNNING_TIME_RE = re.compile(
    r"^(?:(?:duration|length|running time|runtime|watch|listen|play|video|audio)\W*)?\d{1,2}:\d\d(?::\d\d)?"
    r"(?:\s*(?:/|of)?\s*\d{1,2}:\d\d(?::\d\d)?)*(?:\s*(?:min|mins|minutes))?$", re.I)
# the closing sentence of a video package's blurb: 'CBC's Name Surname reports from Tyre.'
_PACKAGE_CLOSER_RE = re.compile(r"(?:^|[.!?]\s+)(?:[A-Z][\w’'.-]*\s+){1,4}(?:reports|has more|explains|has the story)"
                                r"(?:\s+from\s+[A-Z][\w .’'-]{1,40})?\.$")
_UI_STATUS_RE = re.compile(r"^[A-Z]\w*(?: \w+)?\s*(?:\.{3}|…)$")
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z][\w’']*(?: [\w’']+)?)\s*:\s*(\S.{0,80})$")
_CRUMB_SEP_RE = re.compile(r"\s+[»›>/|]\s+")
_BARE_URL_RE = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/\S+")


def _is_running_time(text: str) -> bool:
    """A media player's time display. Several times, or a label such as 'Duration', make it a player; a lone
    '14:05' may be a live blog's stamp."""
    t = text.strip()
    return bool(_RUNNING_TIME_RE.match(t)) and (len(re.findall(r"\d:\d\d", t)) >= 2 or not t[:1].isdigit())


def _is_package_blurb(text: str) -> bool:
    """The blurb under a video: short, no quotation, closing with 'Name reports (from Place).'"""
    return _words(text) <= 45 and not re.search(r"[“”\"]", text) and bool(_PACKAGE_CLOSER_RE.search(text.strip()))


def _is_ui_status(text: str) -> bool:
    """'Loading...', 'Please wait…': one or two words and an ellipsis, a widget's placeholder."""
    return bool(_UI_STATUS_RE.match(text.strip()))


def _is_metadata_label(text: str) -> bool:
    """A 'Label: value' line of page metadata: a credit ('Text by: Name', 'Video by: OUTLET') or a list of tags
    ('Topic: Unrest, Conflict and War'), never a sentence."""
    m = _LABEL_VALUE_RE.match(text.strip())
    if not m or not _is_fragment(text):
        return False
    label, value = m.group(1).lower(), m.group(2)
    if label == "by" or label.endswith(" by"):
        return _words(value) <= 6
    items = [x for x in re.split(r"\s*[,;]\s*|\s+and\s+", value) if x]
    return len(items) >= 2 and all(x[:1].isupper() and _words(x) <= 3 for x in items)


def _is_flat_menu(text: str) -> bool:
    """A menu or share bar flattened onto one line ('Facebook X WhatsApp Telegram Email Print'): five or more
    words, every one capitalised, no function word, no punctuation (a Title Case headline has 'Of', 'After')."""
    words = text.split()
    return len(words) >= 5 and all(w[:1].isupper() and re.fullmatch(r"[\w&+’'-]+", w) for w in words) \
        and not any(w.lower() in _FUNCTION_WORDS for w in words)


def _is_breadcrumb(text: str) -> bool:
    """'Home » Politics » Headline': three or more parts joined by separators, the leading ones short."""
    parts = _CRUMB_SEP_RE.split(text.strip())
    return len(parts) >= 3 and all(1 <= _words(p) <= 4 for p in parts[:-1]) and "\n" not in text


# --------------------------------------------------------------------------------------------- captions
_FOR_CREDIT_RE = re.compile(r"^([A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){1,3}) for ((?:The )?[A-Z][\w.’' -]{1,40})$")
_ACRONYM_RE = re.compile(r"([A-Z][\w’'-]*(?:\s+(?:of|for|the|and|de|al)?\s*[A-Z][\w’'-]*){1,6})\s*\(([A-Z]{2,6})\)")


def _parse_credit(raw: str, rules: RuleSet, labelled: bool = False) -> Credit | None:
    """A photo credit such as 'Odd Andersen/AFP', 'AP Photo/Abdel Kareem Hana', 'Flash90', 'Courtesy', or None.
    A `labelled` credit ('Photograph: X', 'Credit...X', 'Image source, X') needs no known agency."""
    s = raw.strip().strip(".,;: ")
    if not s or len(s) > 90 or re.search(r"[.!?]\s+[A-Z]|\b(said|says|told|is|are|was|were)\b", s):
        return None
    low = s.lower()
    parts = [p.strip() for p in re.split(r"\s*/\s*|\s+via\s+|\s*\|\s*|\s+[—–]\s+", s) if p.strip(" -")]
    agency = photographer = None
    word = next((w for w in rules.credit_words if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", low)), None)
    agencies_low = {a.lower() for a in rules.agencies}
    m = _FOR_CREDIT_RE.match(s)
    if m:
        return Credit(s, m.group(2), m.group(1))
    if len(parts) == 1:
        one = parts[0].lower()
        photo_of = _PHOTO_OF_RE.match(parts[0])
        if one in rules.solo_agencies or one in agencies_low and labelled:
            agency = parts[0]
        elif photo_of:
            agency = photo_of.group(1)  # 'AA Photo', 'Ledger photo', 'Reuters Pictures': a named photo credit
        elif _PHOTO_BY_RE.match(parts[0]):
            agency = _PHOTO_BY_RE.match(parts[0]).group(1)  # 'Photo MSF', 'Photo: Name'
        elif _ORG_NAME_CREDIT_RE.match(parts[0]):
            m = _ORG_NAME_CREDIT_RE.match(parts[0])  # '(ABC News: Name)': the outlet, then its photographer
            return Credit(s, m.group(1), m.group(2))
        elif word in ("courtesy", "screenshot", "screengrab", "screen capture", "video screenshot", "handout",
                      "photo by", "photograph by", "credit"):
            m = re.match(r"(?i)(courtesy( of)?|screenshot|screengrab|photo by|photograph by)\s*:?\s*(.*)", s)
            rest = m.group(3) if m else ""
            agency = rest or None
        elif labelled and _words(s) <= 8:
            agency = s
        else:
            return None
        return Credit(s, agency, None)
    # several parts: 'Name/AGENCY', 'AP Photo/Name', 'Screenshot/X', 'Name via Getty Images', 'REUTERS/Name/File Photo'
    parts = [p for p in parts if p.lower() not in ("file photo", "file", "pool", "handout photo")] or parts
    agency_parts = [p for p in parts if p.lower() in agencies_low or p.isupper() and len(p) <= 8
                    or p.lower().startswith(("ap photo", "courtesy", "screenshot", "photo", "handout"))]
    if not agency_parts and not word and not labelled:
        return None
    for p in parts:
        if p in agency_parts:
            agency = agency or re.sub(r"(?i)^ap photo$", "AP", p)
        elif photographer is None and re.fullmatch(r"[A-Z][\w.’'-]*( [A-Za-z][\w.’'-]*){0,3}", p) and not re.search(
                r"(?i)\b(page|office|unit|facebook|presidency|ministry|handout|channel|telegram|x|twitter)\b", p):
            photographer = p
    if agency and agency.lower().startswith(("courtesy", "screenshot")):
        rest = [p for p in parts if p != agency]
        agency = rest[0] if rest and not photographer else agency
    if agency and agency.isupper() and agency.lower() in agencies_low and len(agency) > 4:
        agency = next(a for a in rules.agencies if a.lower() == agency.lower() and not a.isupper()) \
            if any(a.lower() == agency.lower() and not a.isupper() for a in rules.agencies) else agency
    return Credit(s, agency, photographer)


_PHOTO_OF_RE = re.compile(r"^([A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,2}) (?:[Pp]hotos?|[Pp]ictures?|[Ii]mages?|Video)$")
# 'Photo MSF', 'Photo: Name Surname': the photo word, then a proper name
_PHOTO_BY_RE = re.compile(r"^(?:[Pp]hoto(?:graph)?|[Pp]icture|[Ii]mage)s?\s*:?\s+([A-Z][\w&.’'-]*(?: [A-Z][\w&.’'-]*){0,3})$")
# 'ABC News: Name Surname', 'Reuters: Stringer': an outlet or agency, a colon, a photographer's name
_ORG_NAME_CREDIT_RE = re.compile(r"^([A-Z][\w&.’'-]*(?: [A-Z][\w&.’'-]*){0,3}):\s*"
                                 r"([A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,3})$")
_NAME_CREDIT_FILLERS = frozenset("of for the and de al el on in to at".split())


def _is_name_credit(raw: str) -> bool:
    """A credit made of proper names only: 'Kharkiv Oblast Military Administration / Telegram', 'Office of the
    President'; at least two capitalised words, nothing else but a few joining words and slashes."""
    words = raw.replace("/", " ").split()
    caps = [w for w in words if w[:1].isupper()]
    return 2 <= len(caps) and len(words) <= 14 and words[0][:1].isupper() and all(
        w[:1].isupper() or w.lower() in _NAME_CREDIT_FILLERS for w in words)


def _defines_acronym(text: str, start: int, acronym: str) -> bool:
    """'... the Israel Defense Forces (IDF)': the parenthesis spells out the words before it, not a credit."""
    words = re.findall(r"[A-Z][\w’'-]*", text[max(0, start - 80):start])
    initials = "".join(w[0] for w in words)
    return len(acronym) >= 2 and initials.endswith(acronym)


def _caption(unit: Unit, rules: RuleSet) -> Caption | None:
    text = unit.text
    if _words(text) > rules.caption_max_words or _address_density(text) >= 0.04:
        return None
    # a labelled caption ('Image caption, ...', 'Image: ... Pic: AP') is one with or without a credit on it
    labelled_caption = any(label.search(text) for label in rules.labels) and _words(text) >= 2
    for trailer in rules.trailers:
        m = trailer.search(text)
        if not m:
            continue
        labelled = trailer.pattern in rules.labelled_trailers
        # '... 2025. (Israel Defense Forces)': a parenthesis after the caption's full stop, holding a known
        # agency, is a credit even when that agency would not be one alone
        after_stop = trailer.pattern.startswith(r"\(") and re.search(r"[.!?]\s*$", text[:m.start()])
        credit = _parse_credit(m.group(1), rules, labelled)
        if credit is None and after_stop and m.group(1).strip().lower() in {a.lower() for a in rules.agencies}:
            credit = Credit(m.group(1).strip(), m.group(1).strip(), None)
        # '... on Dec. 13, 2025. (Kharkiv Oblast Military Administration / Telegram)': a parenthesis of proper
        # names after a caption-like sentence is the credit of an institution that released the photo
        if credit is None and after_stop and _is_name_credit(m.group(1)) and _captionlike(text[:m.start()]):
            names = [p.strip() for p in m.group(1).split("/") if p.strip()]
            credit = Credit(m.group(1).strip(), names[0], None)
        if credit is None or _words(text[:m.start()]) < 3:
            continue  # a caption needs a description before its credit; '© 2026 Outlet' alone is a footer
        if credit.credit.lower() in rules.solo_agencies and not labelled \
                and (_words(text) > 60 or _has_reporting_verb(text)):
            continue  # '..., the ministry said (AFP).' or '... — Reuters' closes an article sentence
        if trailer.pattern.startswith(r"\("):
            if _defines_acronym(text, m.start(), m.group(1).strip()):
                continue
            # a composite caption ("L-R: ... (A/AFP); ... (B/AFP)") keeps every credit
            credits = [c for c in (_parse_credit(x, rules) for x in re.findall(r"\(([^()]{2,90})\)", text)) if c] \
                or [credit]
        else:
            credits = [credit]
        return Caption(unit.start, unit.end, text, tuple(credits))
    return Caption(unit.start, unit.end, text, ()) if labelled_caption else None


_REPORTING_RE = re.compile(r"\b(said|says|told|according to|reported|announced|added|stated)\b")


def _has_reporting_verb(text: str) -> bool:
    return bool(_REPORTING_RE.search(text))


_SPEECH_RE = re.compile(r"\b(said|says|say|told|tells|according to|asked|added)\b")


def _is_reported(text: str) -> bool:
    """Reported speech outside quotations ('Follow the talks, one MP said, and you see ...'): the words of a
    source in an article sentence, never the page talking to its reader."""
    return bool(_SPEECH_RE.search(_QUOTED_RE.sub(" ", text)))


def _captionlike(text: str) -> bool:
    """Could be a photo caption: one or two sentences, no reporting verb, no reader address."""
    return 4 <= _words(text) <= 40 and not _has_reporting_verb(text) and _address_density(text) == 0 \
        and len(re.findall(r"[.!?](\s|$)", text)) <= 2


_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
           r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# a photo's date closing the sentence: '... in Gaza City on December 13, 2025.', '..., Dec. 10, 2025.', '... August 2025.'
_PHOTO_DATE_END_RE = re.compile(
    rf"(?:\b(?:on|in)\s+|,\s*|\s)(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:{_MONTHS}\.?\s+\d{{1,2}},?\s+|\d{{1,2}}\s+{_MONTHS}\.?,?\s+|{_MONTHS}\.?\s+)(?:19|20)\d\d\.$", re.I)
_PHOTO_LABEL_RE = re.compile(r"^(?:an? |the )?(?:file |undated |archive |handout )?(?:photo(?:graph)?|picture|image)s?"
                             r"\s+(?:of|shows?|showing|taken)\b|^(?:an? )?(?:general |aerial )?view (?:of|shows)\b", re.I)
_NOT_PRESENT_RE = re.compile(r"\b(was|were|had|has|have|did|will|would|could|should|may|might|must|can|been|being"
                             r"|took|came|went|made|gave|met|began|left|fled|fell|won|lost|held|kept|sent|spent|struck"
                             r"|shot|fought|brought|bought|saw|found|stood|ran|rose|drove|flew|wrote|spoke|broke|chose"
                             r"|sought|caught|led|fed|got|became|killed|next|expected|due|scheduled|planned|set to"
                             r"|later|ahead|until|since|by the end)\b", re.I)
# before a past participle used as an adjective ('a destroyed building', 'newly opened')
_ADJ_CONTEXT = frozenset("a an the of in on at by with from for to and or its their his her our newly recently "
                         "partially partly heavily badly fully largely".split())


def _uncredited_caption(text: str) -> bool:
    """A photo caption without a credit, by its shape: one sentence that opens with a photo label ('File photo
    of ...') or describes a scene in the present tense and closes with the photo's date, year included
    ('Civil defense teams search the rubble ... on December 13, 2025.'). Reported speech, quotations, reader
    address and any past-tense or modal verb ('agreed', 'was', 'will') make it article text."""
    t = text.strip()
    n = _words(t)
    if not 5 <= n <= 40 or not t.endswith(".") or re.search(r"[“”\"]|[.!?]\s+[A-Z]", t) or "\n" in t \
            or _address_density(t) > 0 or _is_reported(t) or _has_reporting_verb(t):
        return False
    if _PHOTO_LABEL_RE.match(t):
        return True
    if not _PHOTO_DATE_END_RE.search(t) or _NOT_PRESENT_RE.search(t):
        return False
    tokens = re.findall(r"[\w’'-]+", t)
    for k, w in enumerate(tokens):
        if k and "-" not in w and len(w) > 4 and w.lower().endswith("ed") and tokens[k - 1].lower() not in _ADJ_CONTEXT:
            return False  # a past-tense verb: 'Israel and Hamas agreed ... on October 10, 2025.'
    return True


def _credit_only(unit: Unit, rules: RuleSet) -> Credit | None:
    """A line that is nothing but a credit: 'Getty Images', 'Image source, EPA', 'Photograph: WFP'."""
    text = unit.text.strip()
    for label in rules.credit_labels:
        m = label.search(text)
        if m:
            return _parse_credit(m.group(1), rules, labelled=True)
    if _words(text) <= 6 and "/" in text:  # 'REUTERS/Stringer'; a bare 'AFP' is a tag, not a credit line
        return _parse_credit(text, rules)
    return None


# --------------------------------------------------------------------------------------------- detection
_SIGN_UP_SENTENCE_RE = re.compile(r"(^|[.!?]\s+)(sign ?up|subscribe|register|donate|join us|click|tap|download|"
                                  r"follow us)\b", re.I)
_BOX_KINDS = frozenset({"newsletter_signup", "subscription_appeal", "membership_prompt"})
# a menu, a section label or a sign-up box between two groups of headline-like lines in the page head (bylines,
# share bars, ads, captions and player links may sit between a headline and its standfirst)
_HEAD_BOUNDARY_KINDS = frozenset({"navigation", "cookie_notice", "subscription_appeal", "newsletter_signup"})
# furniture that sits between a headline and its standfirst or between paragraphs (a share bar, a player, a
# placeholder), not a menu: no head boundary, and no start of the page foot
_NOT_HEAD_BOUNDARY = frozenset({"flat-menu", "ui-status", "player", "player-title", "player-blurb", "metadata-label"})
READER_FACING = frozenset({"newsletter_signup", "subscription_appeal", "membership_prompt", "share_prompt",
                           "related_links", "advertisement", "comments_prompt", "cookie_notice"})


def _match_rule(text: str, rules: tuple[Rule, ...]) -> Rule | None:
    n = _words(text)
    fragment = _is_fragment(text)
    # an article paragraph that merely mentions donations or newsletters is narrative: long, a sentence, and
    # not addressed to the reader; rules of the reader-facing kinds do not fire on it
    narrative = n > 20 and not fragment and _address_density(text) == 0 and not _SIGN_UP_SENTENCE_RE.search(text)
    for rule in rules:
        if n <= rule.max_words and (fragment or not rule.fragments_only) and not (
                narrative and rule.kind in READER_FACING) and any(p.search(text) for p in rule.patterns):
            return rule
    return None


def _cta_kind(text: str) -> str | None:
    for pattern, k in _CTA_KIND:
        if pattern.search(text):
            return k
    return None


def detect(text: str, source: str | None = None, rules: RuleSet | None = None) -> Detection:
    """Find boilerplate and captions in the normalised text `text` of a document from `source`."""
    rules = rules or load_rules()
    ruleset = rules.for_source(source)
    blocks = segment(text)
    units = units_of(text, blocks)
    T = [u.text for u in units]
    n = len(units)
    kind: list[str | None] = [None] * n
    why: list[str] = [""] * n
    caps: dict[int, Caption] = {}

    def mark(i: int, k: str, reason: str) -> None:
        kind[i], why[i] = k, reason

    # 1-2: rules, then captions (by their credit, never by position)
    matched: list[Rule | None] = [None] * n
    for i, t in enumerate(T):
        rule = _match_rule(t, ruleset)
        if rule and rule.kind == "navigation" and "©" in t and _captionlike(t) and _caption(units[i], rules):
            rule = None  # '... in Jeddah. © Agency' is a caption's credit, not the site's copyright line
        if rule and (rule.kind != "byline" or i < max(n // 2, 1)):
            matched[i] = rule
            mark(i, rule.kind, rule.name)
            continue
        cap = _caption(units[i], rules)
        if cap:
            caps[i] = cap
            mark(i, CAPTION, "caption-credit" if cap.credits else "caption-label")
            continue
        credit = _credit_only(units[i], rules)
        if credit:
            caps[i] = Caption(units[i].start, units[i].end, t, (credit,))
            mark(i, CAPTION, "caption-credit-line")
        elif _uncredited_caption(t):
            caps[i] = Caption(units[i].start, units[i].end, t, ())
            mark(i, CAPTION, "caption-shape")
        elif t.strip().lower() in rules.solo_agencies:
            mark(i, "byline", "agency-tag")  # a lone 'AFP' or 'Reuters' under the headline
        elif source and t.strip().lower() in (source.lower(), f"{source.lower()} logo"):
            mark(i, "navigation", "masthead")
    # a caption without a credit borrows the credit line beside it ('Image source, X' / 'Image caption, Y');
    # a short caption-like line just above a labelled credit line ('(photo credit: REUTERS/X)') is its caption
    for i in sorted(caps):
        if not caps[i].credits:
            for j in (i - 1, i + 1):
                if j in caps and caps[j].credits and why[j] == "caption-credit-line":
                    caps[i] = Caption(caps[i].start, caps[i].end, caps[i].text, caps[j].credits)
                    break
        elif why[i] == "caption-credit-line" and i > 0 and kind[i - 1] is None and not (
                i + 1 < n and kind[i + 1] == CAPTION and not caps[i + 1].credits) and _captionlike(T[i - 1]):
            caps[i - 1] = Caption(units[i - 1].start, units[i - 1].end, T[i - 1], caps[i].credits)
            mark(i - 1, CAPTION, "caption-above-credit")

    # 3: runs (appeal boxes, newsletter boxes, cookie banners): absorb what reads as boilerplate after them
    run_starts: list[int] = []
    i = 0
    while i < n:
        rule = matched[i]
        if rule and rule.starts_run:
            run_starts.append(i)
            j = i + 1
            while j < n and kind[j] != CAPTION and (
                    kind[j] is not None or _address_density(T[j]) >= 0.04 or _SIGNATURE_RE.search(T[j])
                    or not _is_subheading(j, T, kind) and (
                        _reads_as_boilerplate(T[j]) or _is_fragment(T[j]) and not _headline_like(T[j]))):
                if kind[j] is None:
                    mark(j, rule.kind, f"run:{rule.name}")
                j += 1
            i = j
        else:
            i += 1

    # 4: generic signals on single units
    appeals: list[int] = []
    prose_now = [kind[i] is None and _is_prose(t) for i, t in enumerate(T)]
    seen: dict[str, list[int]] = {}
    for i, t in enumerate(T):
        seen.setdefault(t.strip().lower(), []).append(i)
    for i, t in enumerate(T):
        if kind[i] is not None:
            continue
        words = _words(t)
        if _is_dateline(t):
            mark(i, "byline", "dateline")  # inside the body, only stamps with a clock time or a publishing word
            body_subhead = (0 < i < n - 1 and kind[i - 1] is None and any(prose_now[:i]) and prose_now[i + 1]
                            and not _is_name_line(T[i - 1]) and not re.search(
                r"\d[:.]\d\d|\b(updated|published|posted|modified|ago|read|reading)\b", t, re.I))
            if body_subhead:
                kind[i], why[i] = None, ""
        elif len(seen[t.strip().lower()]) > 1 and words <= 12 and not _headline_like(t):
            mark(i, _cta_kind(t) or "navigation", "repeated-line")
        elif words <= 30 and _CTA_RE.match(t) and _cta_kind(t) and not _is_prose(t) and not _is_article_sentence(t) \
                and (_address_density(t) > 0 or _CTA_OBJECT_RE.search(t)) and not _is_subheading(i, T, kind) \
                and not _is_reported(t):
            mark(i, _cta_kind(t) or "navigation", "call-to-action")
        elif words <= 40 and not _is_prose(t) and (_PRICE_RE.search(t) and _address_density(t) > 0):
            mark(i, "subscription_appeal", "price")
        elif words <= 80 and _address_density(t) > 0 and _APPEAL_RE.search(t) and _SMALL_SUM_RE.search(t):
            mark(i, "subscription_appeal", "appeal")
            appeals.append(i)
        elif words <= 12 and _LINK_ARTEFACT_RE.search(t) and not _is_article_sentence(t):
            mark(i, "navigation", "link-artefact")
        elif words == 0 or re.fullmatch(r"[\W\d_]+", t):
            mark(i, "navigation", "no-words")
        elif _is_ui_status(t):
            mark(i, "navigation", "ui-status")
        elif _is_metadata_label(t):
            mark(i, "byline" if re.match(r"^[\w ]*\bby\s*:", t, re.I) else "navigation", "metadata-label")
        elif _is_breadcrumb(t) and not _is_prose(t):
            mark(i, "navigation", "breadcrumb")
        elif _is_flat_menu(t):
            mark(i, "navigation", "flat-menu")
    # a media player: its running time, the title above it and the package blurb under it
    for i, t in enumerate(T):
        if _is_running_time(t):
            if kind[i] is None:
                mark(i, "navigation", "player")
            # the title above: a labelled one ('WATCH | ...:'), or any fragment once the article has begun (in the
            # page head, the line above a player may be the headline)
            labelled = T[i - 1].rstrip().endswith(":") or "|" in T[i - 1] if i > 0 else False
            begun = any(kind[k] is None and _is_prose(T[k]) for k in range(max(i - 1, 0)))
            if i > 0 and kind[i - 1] is None and _words(T[i - 1]) <= 20 and not _is_prose(T[i - 1]) \
                    and (labelled or begun and _is_fragment(T[i - 1]) and _words(T[i - 1]) >= 4
                         and not _is_list_item(T[i - 1])):  # a short subheading may stand over a player
                mark(i - 1, "navigation", "player-title")
            if i + 1 < n and kind[i + 1] is None and _is_package_blurb(T[i + 1]):
                mark(i + 1, "navigation", "player-blurb")

    # a box takes its header line above it ('Support independent journalism' over the appeal); a generic
    # appeal opens a run like a rule would
    for i in sorted(set(run_starts + appeals)):
        # ... or a short label ending in a colon ('A word from the editor:') right above it
        if i > 0 and kind[i - 1] is None and kind[i] in ("subscription_appeal", "newsletter_signup") and (
                _words(T[i - 1]) <= 8 and _is_fragment(T[i - 1]) and _APPEAL_HEADER_RE.search(T[i - 1])
                or _words(T[i - 1]) <= 6 and T[i - 1].rstrip().endswith(":")):
            mark(i - 1, kind[i], "box-header")
        # the lines of the box above its first rule ('This article is for subscribers.' / 'Have an account? Sign
        # in'): short, not prose, addressing the reader or asking for an action, in the same block
        j = i - 1
        while j >= 0 and kind[j] is None and (units[j].block == units[i].block or "\n\n" not in text) \
                and kind[i] in _BOX_KINDS \
                and _words(T[j]) <= 15 and not _is_prose(T[j]) and not _is_reported(T[j]) \
                and (_address_density(T[j]) > 0 or _has_cta_sentence(T[j]) or _CTA_RE.search(T[j].split("?")[-1].strip())):
            mark(j, kind[i], "box-lead")
            j -= 1
    for i in appeals:
        j = i + 1
        while j < n and kind[j] != CAPTION and (kind[j] is not None or _reads_as_boilerplate(T[j])):
            if kind[j] is None:
                mark(j, "subscription_appeal", "run:appeal")
            j += 1
    # the blurb inside a sign-up or appeal box ('A weekly look at the stories that ...'), between its heading or
    # button and another part of the box: short, no quotation, nobody reported
    for i in range(1, n - 1):
        pair = {kind[i - 1], kind[i + 1]}
        other = T[i + 1] if kind[i - 1] in _BOX_KINDS else T[i - 1]
        boxy = pair <= _BOX_KINDS or bool(_CTA_RE.match(other) or _APPEAL_HEADER_RE.search(other))
        if kind[i] is None and pair & _BOX_KINDS and pair <= READER_FACING and boxy and _words(T[i]) <= 30 \
                and not _is_reported(T[i]) and not _has_reporting_verb(T[i]) and not re.search(r"[“”\"]", T[i]):
            mark(i, kind[i - 1] if kind[i - 1] in _BOX_KINDS else kind[i + 1], "box-blurb")

    # 5: zones. Prose outside any classified unit marks the article; before it lies the page head (menus,
    # section labels, headline, standfirst, byline), after it the page foot.
    prose = [kind[i] is None and _is_prose(t) for i, t in enumerate(T)]
    first = next((i for i in range(n) if prose[i]), n)
    end = _article_end(T, kind, why, prose, first)
    for i in range(end + 1, n):
        prose[i] = False  # prose after the article's end furniture is the page's own text (a 'we are' blurb)
    last = max((i for i in range(n) if prose[i]), default=-1)
    # bylines: names beside a dateline, a role line or a 'By' line, in the head or right after the body
    # (inside the body too when the name sits right beside a time stamp or a role line: a standfirst that reads
    # as prose may come before the byline)
    for i, t in enumerate(T):
        if kind[i] is None and (_is_name_line(t) or _is_role_line(t)):
            near = [j for j in (i - 1, i + 1, i + 2) if 0 <= j < n]
            if (i < first or i > last) and (t.lower().startswith("by ") or _is_role_line(t) or any(
                    why[j] in ("dateline",) or kind[j] in ("byline", "author_bio") or _is_role_line(T[j])
                    for j in near)):
                mark(i, "byline", "byline-stack")
            elif _is_name_line(t) and any(why[j] == "dateline" or _is_role_line(T[j]) and kind[j] is not None
                                          for j in (i - 1, i + 1) if 0 <= j < n):
                mark(i, "byline", "byline-stack")
    # repeated headline: keep the occurrence nearest the body
    for key, idx in seen.items():
        if len(idx) > 1 and all(kind[i] is None for i in idx) and _headline_like(T[idx[0]]):
            for i in idx[:-1]:
                mark(i, "navigation", "repeated-line")
    for i in range(min(first, n)):
        t = T[i]
        # 'ANKARA' on its own line over the lead paragraph (in its block, or in one-line-per-block text)
        opens_paragraph = i + 1 < n and (units[i + 1].block == units[i].block or "\n\n" not in text) \
            and prose[i + 1] and bool(_PLACE_DATELINE_RE.match(t))
        if kind[i] is None and not (_headline_like(t) and not _is_name_line(t)) and not _is_article_sentence(t) \
                and not opens_paragraph:
            mark(i, "navigation", "head-zone")
    # only the last group of headline-like lines before the article is its headline and standfirst: one above
    # a menu or section label is a tagline or a promoted story ('The Pulse of ...', 'Live: ...')
    for b in range(min(first, n) - 1, -1, -1):
        if kind[b] in _HEAD_BOUNDARY_KINDS and not (kind[b] == "navigation" and re.search(r"\d", T[b])) \
                and why[b] not in _NOT_HEAD_BOUNDARY:
            # a masthead or label under the headline, with no headline below it, is no boundary: look higher
            if any(kind[j] is None and _headline_like(T[j]) for j in range(b + 1, min(first, n))):
                for i in range(b):
                    if kind[i] is None and _headline_like(T[i]):
                        mark(i, "navigation", "head-promo")
                break
    if last >= 0:
        # the foot: once a unit after the last prose is boilerplate by rule or signal, the rest is page foot;
        # before that, only what reads as article sentences (a short last paragraph, list items) stays
        foot = False
        for i in range(last + 1, n):
            t = T[i]
            if kind[i] not in (None, CAPTION) and kind[i] not in _INLINE_KINDS and why[i] not in _NOT_HEAD_BOUNDARY:
                foot = True  # a related box or an ad may sit before the article's last short sentence
            elif kind[i] is None and (foot or not (_is_article_sentence(t) or _is_list_item(t))):
                mark(i, "navigation", "tail-zone")
                # a fragment heading a last section of short sentences does not start the foot
                heads_section = _words(t) <= 12 and i + 1 < n and kind[i + 1] is None and (
                    _is_article_sentence(T[i + 1]) or _is_list_item(T[i + 1]))
                if heads_section and not foot:
                    kind[i], why[i] = None, ""
                foot = foot or not heads_section

    # 6: lists and islands inside the body
    # link lists: runs of >= 3 short unpunctuated units (a lone short line between prose is a subheading)
    i = 0
    while i < n:
        j = i
        while j < n and kind[j] is None and _is_short_unpunctuated(T[j], 8):
            j += 1
        if j - i >= 3:
            header = kind[i - 1] if i > 0 and kind[i - 1] == "related_links" else None
            # inside the article, the list's last line over prose is the next section's subheading
            end = j - 1 if i > first and _is_subheading(j - 1, T, kind) else j
            for k in range(i, end):
                mark(k, header or "navigation", "link-list")
        i = max(j, i + 1)
    # related headlines without a label: two or more headline-like lines in a row after the article has
    # begun (a subheading stands alone; a list is introduced by a colon)
    i = first + 1
    while i < n:
        j = i
        while j < n and kind[j] is None and _is_fragment(T[j]) and 5 <= _words(T[j]) <= 20 \
                and _headline_like(T[j]) and not _is_list_item(T[j]) and not _is_name_line(T[j]):
            j += 1
        # after prose or removed units: a heading or a colon over the lines makes them a list, not links
        after_text = kind[i - 1] not in (None, CAPTION) or _is_prose(T[i - 1]) or _is_article_sentence(T[i - 1])
        # ... or under a short label that itself follows removed furniture ('Skip section' / 'Our coverage')
        label = i >= 2 and kind[i - 1] is None and _words(T[i - 1]) <= 6 and _is_fragment(T[i - 1]) \
            and kind[i - 2] not in (None, CAPTION)
        if j - i >= 2 and (after_text or label) and not T[i - 1].rstrip().endswith(":"):
            for k in range(i - 1 if label else i, j):
                mark(k, "related_links", "headline-run")
        i = max(j, i + 1)
    # a related-links header takes the headline-like lines that follow it
    for i in range(n - 1):
        inside_list = i > 0 and kind[i - 1] == "related_links" and units[i - 1].block == units[i].block
        if kind[i] == "related_links" and _words(T[i]) <= 6 and (_is_fragment(T[i]) or T[i].rstrip().endswith(":")) \
                and not inside_list:  # a header opens its list; the list's last item heads nothing
            # a header inside a block of lines heads the rest of that block; a header alone heads the lines after
            same_block = i + 1 < n and units[i + 1].block == units[i].block
            j = i + 1
            while j < n and kind[j] is None and _words(T[j]) <= 20 and not _is_prose(T[j]) \
                    and not re.search(r"[.:]\W*$", T[j]) \
                    and (units[j].block == units[i].block or not same_block) \
                    and not (j > i + 1 and _words(T[j]) <= 4 and _is_subheading(j, T, kind)):
                mark(j, "related_links", "related-list")
                j += 1
    # a block of several units, most of them removed, loses its remaining fragments too (a byline stack,
    # a share bar, a menu with one unknown item); headline-like lines and sentences stay
    by_block: dict[int, list[int]] = {}
    for i, u in enumerate(units):
        by_block.setdefault(u.block, []).append(i)
    for idx in by_block.values():
        if len(idx) >= 3 and sum(kind[i] not in (None, CAPTION) for i in idx) * 2 >= len(idx):
            for i in idx:
                if kind[i] is None and _is_fragment(T[i]) and not _headline_like(T[i]):
                    mark(i, "navigation", "block-majority")
    # a sentence inside the page foot, between navigation units with nothing kept after it ('Quotes are delayed
    # by at least 15 minutes ...' between the site index and the copyright line)
    for i in range(n - 1, 0, -1):
        if kind[i] is not None:
            continue
        if kind[i - 1] == "navigation" and why[i - 1] not in _NOT_HEAD_BOUNDARY \
                and (i == n - 1 or kind[i + 1] == "navigation") \
                and all(k is not None for k in kind[i + 1:]) and not (i <= last and prose[i]):
            mark(i, "navigation", "foot-island")
        else:
            break
    # islands: a short fragment between two removed units (not captions) belongs to them
    for i in range(1, n - 1):
        if kind[i] is None and kind[i - 1] not in (None, CAPTION) and kind[i + 1] not in (None, CAPTION) \
                and _words(T[i]) <= 15 and not _is_prose(T[i]) and not _is_subheading(i, T, kind) \
                and not (i < first and _headline_like(T[i])) and not _is_list_item(T[i]) \
                and not ((first < i < last or kind[i - 1] in _INLINE_KINDS and i > first)
                         and _is_article_sentence(T[i])  # 'The truce took effect at noon.' (after a box too)
                         and re.search(r"\.[\"”’)\]]*$", T[i].rstrip())):
            mark(i, kind[i - 1], "island")

    # a short lead-in ending in a colon goes with the boilerplate it introduces ('A note from the editor:')
    for i in range(n - 2, -1, -1):
        if kind[i] is None and _words(T[i]) <= 6 and T[i].rstrip().endswith(":") \
                and kind[i + 1] not in (None, CAPTION, "byline"):
            mark(i, kind[i + 1], "lead-in")
    # a media player's title under its running time ('3:12' over 'Survivors describe their escape'), when player
    # furniture comes before the time (a live blog's '14:05' over an entry title after prose is not a player)
    for i in range(2, n):
        if kind[i] is None and _DURATION_RE.match(T[i - 1]) and kind[i - 2] not in (None, CAPTION) \
                and _is_fragment(T[i]) and _words(T[i]) <= 15:
            mark(i, "navigation", "media-title")

    return _assemble(blocks, units, kind, why, caps)


# furniture that closes an article: a comments header, an author bio, a credit line ('X contributed to this
# report'), a byline or time stamp, a share bar. Inline boxes (related links, sign-ups, ads) do not end it.
# boxes that also sit inside an article: after the last prose they do not begin the page foot by themselves
_PUBLISHED_RE = re.compile(r"\b(posted|published|updated|modified|first appeared)\b", re.I)
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
    words = [_words(t) if p else 0 for t, p in zip(T, prose)]
    units_after = [sum(prose[i + 1:]) for i in range(n)]
    # the page talking about itself reports nobody: a quotation or a reporting verb after it is article text
    reported_after = [any(prose[j] and (_is_reported(T[j]) or _has_reporting_verb(T[j]) or re.search(r"[“”\"]", T[j]))
                          for j in range(i + 1, n)) for i in range(n)]
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


_DURATION_RE = re.compile(r"^\d{1,2}:\d\d(:\d\d)?(\s*(min|mins|minutes))?$")


_LIST_ITEM_RE = re.compile(r"^([-–•*·▪]|\d{1,2}[.)])\s+\S")


_PLACE_DATELINE_RE = re.compile(r"^[A-Z][A-Z’'.-]+(?:[ -][A-Z][A-Z’'.-]+){0,3}(?:,\s*[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+)?)?"
                                r"\s*[-–—:]?$")


def _is_list_item(text: str) -> bool:
    """A bulleted or numbered item that reads as article text ('- the disarmament of Hamas;')."""
    return bool(_LIST_ITEM_RE.match(text)) and _words(text) >= 3 and _address_density(text) == 0 \
        and not _LINK_ARTEFACT_RE.search(text)


def _is_subheading(i: int, T: list[str], kind: list[str | None]) -> bool:
    """A short heading line directly followed by article prose."""
    return (_words(T[i]) <= 12 and _is_fragment(T[i]) or T[i].rstrip().endswith("?") and _words(T[i]) <= 12) \
        and i + 1 < len(T) and kind[i + 1] is None and (
            _is_prose(T[i + 1]) or _is_article_sentence(T[i + 1]) and _is_reported(T[i + 1]))


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


def clean_view(text: str, source: str | None = None, rules: RuleSet | None = None) -> tuple[BodyView, Detection]:
    """The clean body of a normalised text: detect, then remove the detected spans from its blocks."""
    det = detect(text, source, rules)
    view = body_view(text, [(b.start, b.end) for b in det.blocks], [(s, e) for s, e, _ in det.removed()])
    return view, det
