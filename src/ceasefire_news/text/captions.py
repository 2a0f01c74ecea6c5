"""Photo captions and their credits: found by the credit pattern (a trailing '(Name/AFP)', 'Photograph: X',
'Credit...X'), a caption label, or the shape of an uncredited caption; never by position."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .prefilter import prefiltered
from .rules import RuleSet
from .segment import Unit
from .signals import address_density, has_reporting_verb, is_reported, word_count

CAPTION = "caption"


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
    rule: str = ""  # the signal that found it ('caption-label', 'caption-credit', ...), set when spans are made

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


# --------------------------------------------------------------------------------------------- captions
_FOR_CREDIT_RE = re.compile(r"^([A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){1,3}) for ((?:The )?[A-Z][\w.’' -]{1,40})$")


def _parse_credit(raw: str, rules: RuleSet, labelled: bool = False) -> Credit | None:
    """A photo credit such as 'Odd Andersen/AFP', 'AP Photo/Abdel Kareem Hana', 'Flash90', 'Courtesy', or None.
    A `labelled` credit ('Photograph: X', 'Credit...X', 'Image source, X') needs no known agency."""
    s = raw.strip().strip(".,;: ")
    if not s or len(s) > 90 or re.search(r"[.!?]\s+[A-Z]|\b(said|says|told|is|are|was|were)\b", s):
        return None
    low = s.lower()
    parts = [p.strip() for p in re.split(r"\s*/\s*|\s+via\s+|\s*\|\s*|\s+[—–]\s+", s) if p.strip(" -")]
    agency = photographer = None
    word = next((w for w, pattern in _word_patterns(rules.credit_words) if pattern.search(low)), None)
    agencies_low = _lower_set(rules.agencies)
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
        elif labelled and word_count(s) <= 8:
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


@functools.lru_cache(maxsize=16)
def _word_patterns(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern], ...]:
    """Each credit word as a whole-word pattern, compiled once per rules file."""
    return tuple((w, re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)")) for w in words)


@functools.lru_cache(maxsize=16)
def _lower_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(a.lower() for a in names)


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


def caption(unit: Unit, rules: RuleSet) -> Caption | None:
    text = unit.text
    if word_count(text) > rules.caption_max_words or address_density(text) >= 0.04:
        return None
    # a labelled caption ('Image caption, ...', 'Image: ... Pic: AP') is one with or without a credit on it
    labelled_caption = any(label.search(text) for label in rules.labels) and word_count(text) >= 2
    for trailer in rules.trailers:
        m = trailer.search(text)
        if not m:
            continue
        labelled = trailer.pattern in rules.labelled_trailers
        # '... 2025. (Israel Defense Forces)': a parenthesis after the caption's full stop, holding a known
        # agency, is a credit even when that agency would not be one alone
        after_stop = trailer.pattern.startswith(r"\(") and re.search(r"[.!?]\s*$", text[:m.start()])
        credit = _parse_credit(m.group(1), rules, labelled)
        if credit is None and after_stop and m.group(1).strip().lower() in _lower_set(rules.agencies):
            credit = Credit(m.group(1).strip(), m.group(1).strip(), None)
        # '... on Dec. 13, 2025. (Kharkiv Oblast Military Administration / Telegram)': a parenthesis of proper
        # names after a caption-like sentence is the credit of an institution that released the photo
        if credit is None and after_stop and _is_name_credit(m.group(1)) and captionlike(text[:m.start()]):
            names = [p.strip() for p in m.group(1).split("/") if p.strip()]
            credit = Credit(m.group(1).strip(), names[0], None)
        if credit is None or word_count(text[:m.start()]) < 3:
            continue  # a caption needs a description before its credit; '© 2026 Outlet' alone is a footer
        if credit.credit.lower() in rules.solo_agencies and not labelled \
                and (word_count(text) > 60 or has_reporting_verb(text)):
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


def captionlike(text: str) -> bool:
    """Could be a photo caption: one or two sentences, no reporting verb, no reader address."""
    return 4 <= word_count(text) <= 40 and not has_reporting_verb(text) and address_density(text) == 0 \
        and len(re.findall(r"[.!?](\s|$)", text)) <= 2


_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
           r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# a photo's date closing the sentence: '... in Gaza City on December 13, 2025.', '..., Dec. 10, 2025.', '... August 2025.'
_PHOTO_DATE_END_RE = prefiltered(re.compile(
    rf"(?:\b(?:on|in)\s+|,\s*|\s)(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:{_MONTHS}\.?\s+\d{{1,2}},?\s+|\d{{1,2}}\s+{_MONTHS}\.?,?\s+|{_MONTHS}\.?\s+)(?:19|20)\d\d\.$", re.I))
_PHOTO_LABEL_RE = re.compile(r"^(?:an? |the )?(?:file |undated |archive |handout )?(?:photo(?:graph)?|picture|image)s?"
                             r"\s+(?:of|shows?|showing|taken)\b|^(?:an? )?(?:general |aerial )?view (?:of|shows)\b", re.I)
_NOT_PRESENT_RE = prefiltered(re.compile(
    r"\b(was|were|had|has|have|did|will|would|could|should|may|might|must|can|been|being"
    r"|took|came|went|made|gave|met|began|left|fled|fell|won|lost|held|kept|sent|spent|struck"
    r"|shot|fought|brought|bought|saw|found|stood|ran|rose|drove|flew|wrote|spoke|broke|chose"
    r"|sought|caught|led|fed|got|became|killed|next|expected|due|scheduled|planned|set to"
    r"|later|ahead|until|since|by the end)\b", re.I))
# before a past participle used as an adjective ('a destroyed building', 'newly opened')
_ADJ_CONTEXT = frozenset("a an the of in on at by with from for to and or its their his her our newly recently "
                         "partially partly heavily badly fully largely".split())


def uncredited_caption(text: str) -> bool:
    """A photo caption without a credit, by its shape: one sentence that opens with a photo label ('File photo
    of ...') or describes a scene in the present tense and closes with the photo's date, year included
    ('Civil defense teams search the rubble ... on December 13, 2025.'). Reported speech, quotations, reader
    address and any past-tense or modal verb ('agreed', 'was', 'will') make it article text."""
    t = text.strip()
    n = word_count(t)
    if not 5 <= n <= 40 or not t.endswith(".") or re.search(r"[“”\"]|[.!?]\s+[A-Z]", t) or "\n" in t \
            or address_density(t) > 0 or is_reported(t) or has_reporting_verb(t):
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


def credit_only(unit: Unit, rules: RuleSet) -> Credit | None:
    """A line that is nothing but a credit: 'Getty Images', 'Image source, EPA', 'Photograph: WFP'."""
    text = unit.text.strip()
    for label in rules.credit_labels:
        m = label.search(text)
        if m:
            return _parse_credit(m.group(1), rules, labelled=True)
    if word_count(text) <= 6 and "/" in text:  # 'REUTERS/Stringer'; a bare 'AFP' is a tag, not a credit line
        return _parse_credit(text, rules)
    return None
