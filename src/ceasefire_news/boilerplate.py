"""Boilerplate and caption detection on the normalised full text. Pure: text (+ source) in, spans out.

The text is cut into blocks: paragraphs (blank-line separated) when the text has blank lines, else one block
per line (what HTML-to-text tools emit). Each block is classified by, in order:
  1. the rules file (`rules/boilerplate.yaml`: generic rules plus per-source rules, patterns are data);
  2. captions, recognised by a trailing photo-credit pattern (agency lists are data too);
  3. runs: an appeal or notice that opens a run takes the following blocks that read as boilerplate
     (second-person address, calls to action, signatures) and stops at the first block of article prose;
  4. generic signals for outlets no rule knows: calls to action led by sign-up/share/follow verbs, price
     mentions, lines repeated in the page, link lists (runs of short unpunctuated lines), and the menu and
     footer zones before the first and after the last paragraph of prose.
Anything not classified is article text; a lone short line between prose paragraphs is a subheading.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CeasefireError, Problem
from .resources import load_schema, rules_dir

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


@dataclass(frozen=True)
class RuleSet:
    generic: tuple[Rule, ...]
    sources: dict[str, tuple[Rule, ...]]
    solo_agencies: frozenset[str]
    agencies: tuple[str, ...]
    credit_words: tuple[str, ...]
    trailers: tuple[re.Pattern, ...]
    caption_max_words: int

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
                          f"{prefix}[{i}]:{r['kind']}"))
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
        trailers=tuple(re.compile(t) for t in cap["trailers"]),
        caption_max_words=int(cap.get("max_words", 120)),
    )


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


# --------------------------------------------------------------------------------------------- features
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"")
_ADDRESS_RE = re.compile(r"\b(you|your|yours|you['’]ll|you['’]re|we|our|us|we['’]re)\b", re.I)
_SENTENCE_END_RE = re.compile(r"[.!?…:;][\"”’)\]]*$|[\"”]$")
_CTA_RE = re.compile(
    r"^(?P<verb>sign ?up|subscribe|join|follow|share|download|get|click|tap|register|log ?in|sign ?in|donate|support"
    r"|read more|read|watch|listen|see|explore|discover|learn more|try|start|upgrade|unlock|install)\b", re.I)
_CTA_KIND = [
    (re.compile(r"newsletter|inbox|e-?mail|sign ?up for|alerts", re.I), "newsletter_signup"),
    (re.compile(r"\bsubscri|donat|support|contribut|premium|upgrade|unlock|\$|£|€|per month|a month", re.I),
     "subscription_appeal"),
    (re.compile(r"sign ?in|log ?in|register|account|member|join", re.I), "membership_prompt"),
    (re.compile(r"share|follow|whatsapp|telegram|facebook|twitter|instagram|tiktok|youtube|linkedin|app\b|download",
                re.I), "share_prompt"),
    (re.compile(r"read|watch|listen|see|explore|discover|learn more|stories|articles|coverage", re.I),
     "related_links"),
]
_SIGNATURE_RE = re.compile(r"^(thank you|thanks|sincerely|warm regards|best wishes)\W*$|"
                           r"^[-–—]?\s*[A-Z][\w.’'-]+( [A-Z][\w.’'-]+){1,3},\s+[\w ,.’'-]{3,80}$", re.M)


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _address_density(text: str) -> float:
    unquoted = _QUOTED_RE.sub(" ", text)
    n = _words(unquoted)
    return len(_ADDRESS_RE.findall(unquoted)) / n if n else 0.0


def _is_prose(text: str) -> bool:
    """Article prose: a real sentence (enough words, sentence punctuation), not addressed to the reader."""
    return _words(text) >= 12 and bool(_SENTENCE_END_RE.search(text.rstrip())) and _address_density(text) < 0.04


def _is_short_unpunctuated(text: str, max_words: int) -> bool:
    return _words(text) <= max_words and not _SENTENCE_END_RE.search(text.rstrip()) and "\n" not in text


def _reads_as_boilerplate(text: str) -> bool:
    """For run continuation: reader address, a call to action, or a signature; never plain article prose."""
    if _SIGNATURE_RE.search(text):
        return True
    if _address_density(text) >= 0.04:
        return True
    if _is_short_unpunctuated(text, 8) and not _is_prose(text):
        return True
    return False


# --------------------------------------------------------------------------------------------- captions
def _parse_credit(raw: str, rules: RuleSet) -> Credit | None:
    """A photo credit such as 'Odd Andersen/AFP', 'AP Photo/Abdel Kareem Hana', 'Flash90', 'Courtesy', or None."""
    s = raw.strip().strip(".,;: ")
    if not s or len(s) > 90 or re.search(r"[.!?]\s+[A-Z]|\b(said|says|told|is|are|was|were)\b", s):
        return None
    low = s.lower()
    parts = [p.strip() for p in re.split(r"\s*/\s*|\s+via\s+|\s*\|\s*", s) if p.strip()]
    agency = photographer = None
    known = [a for a in rules.agencies if re.search(r"(?<![\w-])" + re.escape(a.lower()) + r"(?![\w-])", low)]
    word = next((w for w in rules.credit_words if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", low)), None)
    if len(parts) == 1:
        if low in rules.solo_agencies:
            agency = s
        elif word in ("courtesy", "screenshot", "screengrab", "screen capture", "video screenshot", "handout",
                      "photo by", "photograph by", "credit"):
            m = re.match(r"(?i)(courtesy( of)?|screenshot|screengrab|photo by|photograph by)\s*:?\s*(.*)", s)
            rest = m.group(3) if m else ""
            agency = rest or None
        else:
            return None
        return Credit(s, agency, None)
    # several parts: 'Name/AGENCY', 'AP Photo/Name', 'Screenshot/X', 'Name via Getty Images'
    agency_parts = [p for p in parts if p.lower() in (a.lower() for a in rules.agencies) or p.isupper() and len(p) <= 8
                    or p.lower().startswith(("ap photo", "courtesy", "screenshot", "photo", "handout"))]
    if not agency_parts and not word:
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
    return Credit(s, agency, photographer)


def _caption(block: Block, rules: RuleSet) -> Caption | None:
    text = block.text
    if _words(text) > rules.caption_max_words or _address_density(text) >= 0.04:
        return None
    for trailer in rules.trailers:
        m = trailer.search(text)
        if not m or _parse_credit(m.group(1), rules) is None:
            continue
        if trailer.pattern.startswith(r"\("):
            # a composite caption ("L-R: ... (A/AFP); ... (B/AFP)") keeps every credit
            credits = [c for c in (_parse_credit(x, rules) for x in re.findall(r"\(([^()]{2,90})\)", text)) if c]
        else:
            credits = [_parse_credit(m.group(1), rules)]
        return Caption(block.start, block.end, text, tuple(credits))
    return None


# --------------------------------------------------------------------------------------------- detection
def _match_rule(text: str, rules: tuple[Rule, ...]) -> Rule | None:
    n = _words(text)
    for rule in rules:
        if n <= rule.max_words and any(p.search(text) for p in rule.patterns):
            return rule
    return None


def detect(text: str, source: str | None = None, rules: RuleSet | None = None) -> Detection:
    """Find boilerplate and captions in the normalised text `text` of a document from `source`."""
    rules = rules or load_rules()
    ruleset = rules.for_source(source)
    blocks = segment(text)
    n = len(blocks)
    kind: list[str | None] = [None] * n
    why: list[str] = [""] * n
    caps: dict[int, Caption] = {}

    # 1-2: rules and captions
    for i, b in enumerate(blocks):
        rule = _match_rule(b.text, ruleset)
        if rule and rule.kind != "byline" or rule and i < n // 2:
            kind[i], why[i] = rule.kind, rule.name
            continue
        cap = _caption(b, rules)
        if cap:
            caps[i] = cap
            kind[i], why[i] = CAPTION, "caption-credit"

    # 3: runs (appeal boxes, cookie banners): absorb following boilerplate-looking blocks
    i = 0
    while i < n:
        rule = _match_rule(blocks[i].text, ruleset) if kind[i] not in (None, CAPTION) else None
        if rule and rule.starts_run:
            j = i + 1
            while j < n and kind[j] != CAPTION and (kind[j] is not None or _reads_as_boilerplate(blocks[j].text)):
                if kind[j] is None:
                    kind[j], why[j] = rule.kind, f"run:{rule.name}"
                j += 1
            # a run may be preceded by its own header line ("You appreciate our journalism")
            i = j
        else:
            i += 1

    # 4: generic signals
    prose = [kind[i] is None and _is_prose(b.text) for i, b in enumerate(blocks)]
    first = next((i for i in range(n) if prose[i]), n)
    last = max((i for i in range(n) if prose[i]), default=-1)
    seen: dict[str, int] = {}
    for b in blocks:
        key = b.text.strip().lower()
        seen[key] = seen.get(key, 0) + 1
    for i, b in enumerate(blocks):
        if kind[i] is not None:
            continue
        t = b.text
        if seen[t.strip().lower()] > 1 and _words(t) <= 12:
            kind[i], why[i] = _cta_kind(t) or "navigation", "repeated-line"
        elif _words(t) <= 12 and _CTA_RE.match(t) and _cta_kind(t) and not _is_prose(t):
            kind[i], why[i] = _cta_kind(t), "call-to-action"
        elif i < first and _is_short_unpunctuated(t, 4):
            kind[i], why[i] = "navigation", "head-zone"
        elif i > last >= 0 and _is_short_unpunctuated(t, 8):
            kind[i], why[i] = "navigation", "tail-zone"
        elif "\n" in t and all(_is_short_unpunctuated(line, 5) for line in t.split("\n")) and t.count("\n") >= 2:
            kind[i], why[i] = "navigation", "link-list"
    # link lists: runs of >= 3 short unpunctuated blocks (a lone short line between prose is a subheading)
    i = 0
    while i < n:
        j = i
        while j < n and kind[j] is None and _is_short_unpunctuated(blocks[j].text, 8):
            j += 1
        if j - i >= 3:
            header = kind[i - 1] if i > 0 and kind[i - 1] == "related_links" else None
            for k in range(i, j):
                kind[k], why[k] = header or "navigation", "link-list"
        i = max(j, i + 1)
    # a related-links header takes the headline-like lines that follow it
    for i in range(n - 1):
        if kind[i] == "related_links" and _words(blocks[i].text) <= 6:
            j = i + 1
            while j < n and kind[j] is None and _words(blocks[j].text) <= 16 and not _is_prose(blocks[j].text):
                kind[j], why[j] = "related_links", "related-list"
                j += 1

    det = Detection(blocks)
    for i, b in enumerate(blocks):
        if kind[i] == CAPTION:
            det.captions.append(caps[i])
        elif kind[i] is not None:
            det.boilerplate.append(Removed(b.start, b.end, kind[i], b.text, why[i]))
    return det


def _cta_kind(text: str) -> str | None:
    for pattern, k in _CTA_KIND:
        if pattern.search(text):
            return k
    return None
