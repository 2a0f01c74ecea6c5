"""Shape signals of one unit of text: words, sentences, reader address, calls to action, dates, names,
bylines, page furniture (players, menus, breadcrumbs). Pure predicates over a string, shared by every pass."""
from __future__ import annotations

import functools
import re

from .prefilter import prefiltered

# Every signal is a pure function of one string, and the passes ask the same questions of the same unit many times
# (a unit's word count, whether it is prose): each answer is computed once and kept for the next asker.
# The answers are kept for one page (`forget` is called per page), so memory stays bounded and timings honest.
_MEMOISED: list = []


def _memo(fn):
    cached = functools.lru_cache(maxsize=1 << 14)(fn)  # bounded even for a caller that never forgets
    _MEMOISED.append(cached)
    return cached


def forget() -> None:
    """Drop the kept answers (called once per page by the cascade)."""
    for fn in _MEMOISED:
        fn.cache_clear()


# --------------------------------------------------------------------------------------------- features
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’(?!\w)")
_ADDRESS_RE = re.compile(  # 'us' but not 'US'
    r"\b((?i:you|your|yours|you['’]ll|you['’]re|you['’]ve|we|our|we['’]re|we['’]ve)|[Uu]s)\b")
_YOU_RE = re.compile(r"\b(you|your|yours|yourself|you['’](ll|re|ve|d))\b", re.I)
_SENTENCE_END_RE = re.compile(r"[.!?…:;][\"”’)\]]*$|[\"”]$")
FULL_STOP_RE = re.compile(r"[.!?…][\"”’)\]]*$|[\"”]$")
CTA_RE = re.compile(
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
CTA_OBJECT_RE = re.compile(r"\b(here|now|today|for free|up|us|our|more|the app|the newsletter"
                            r"|this (article|story|page)"
                            r"|on (whatsapp|telegram|x|twitter|facebook|instagram|youtube|tiktok)|topics?|alerts?"
                            r"|notifications?|the bell|the latest|latest (news|updates|stories))\b", re.I)
# an appeal: support vocabulary with a small sum ('$5 or $50', 'from as little as £1'), not '$50 billion'
APPEAL_RE = prefiltered(re.compile(
    r"\b(support\w*|contribut\w*|donat\w*|subscri\w*|help us|back us|fund us|membership|member)\b", re.I))
SMALL_SUM_RE = re.compile(r"[$£€]\s?\d{1,3}(\.\d\d)?\b(?!\s?(,\d|million|billion|trillion|bn|mn|m\b|k\b))", re.I)
APPEAL_HEADER_RE = prefiltered(re.compile(
    r"\b(journalism|reporting|newsroom|independent|support|subscri\w*|donat\w*|"
    r"contribut\w*|member\w*|readers?|newsletters?|inbox|e-?mail|briefing)\b", re.I))
SIGNATURE_RE = re.compile(r"^(thank you|thanks|sincerely|warm regards|best wishes)\W*$|"
                           r"^[-–—]?\s*[A-Z][\w.’'-]+( [A-Z][\w.’'-]+){1,3},\s+[\w ,.’'-]{3,80}$", re.M)
PRICE_RE = prefiltered(re.compile(
    r"[$£€]\s?\d|\b\d+(\.\d\d)?\s?(usd|eur|gbp|dollars?|pounds?|euros?)\s?(a|per|/)\s?"
    r"(month|week|year)\b|\b(per|a|/)\s?month\b", re.I))
# a sum of state or aid money ('$500m', '£1.2 billion') is news, not a price asked of the reader
_LARGE_SUM_RE = re.compile(r"[$£€]\s?\d[\d,.]*\s?(m|mn|bn|k|million|billion|trillion)\b", re.I)
LINK_ARTEFACT_RE = prefiltered(re.compile(
    r"opens (in )?(a )?new (tab|window)|https?://|www\.|\S+@\S+\.\w+|@\w{2,}"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,12}/[\w/.-]+", re.I))
# the verbs of a publishing stamp ('Posted on ...', 'Updated 8:12 AM'): one list for the passes that look for stamps
PUBLISHING_VERBS = "posted|published|updated|modified"
_DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec gmt bst utc et est edt pt pst cet cest eet eest ist idt am pm a m p "
    "last first on at ago hour hours minute minutes min mins read day days "
    "today yesterday week weeks month months reading time".split()) | frozenset(PUBLISHING_VERBS.split("|"))
_TIME_OR_YEAR_RE = re.compile(r"\b\d{1,2}[:.]\d\d\b|\b(19|20)\d\d|\bago\b|\d\s?(am|pm)\b"
                              r"|\b\d+\s?min(ute)?s?\b.*\bread|\bread(ing)? time\b", re.I)  # '4 min reading time' 
_NAME = r"(?:[A-Z][\w’'.-]*|(?:al|el|bin|ibn|abu|de|da|van|von|der|le|la)(?:-\w+)?)"
_PERSON = rf"{_NAME}(?:\s+{_NAME}){{1,3}}(?:\s+in\s+{_NAME}(?:\s+{_NAME}){{0,2}})?"
_NAME_LINE_RE = re.compile(
    rf"^(?:[Bb]y\s+)?{_PERSON}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*|\s*\|\s*|\s+with\s+|,\s+and\s+){_PERSON})*"
    rf"(?:,\s*[A-Z]{{2,6}})?$")
_ROLE_RE = prefiltered(re.compile(
    r"\b(correspondent|editor|analyst|reporter|writer|columnist|bureau chief|contributor|producer|photographer"
    r"|staff|journalist)s?\b|^(reporting|writing|reported) (from|by)\b|^in [A-Z]", re.I))


@_memo
def word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


# ------------------------------------------------------------------------------------- reader comments
# a date or a time anywhere in a line ('07.13.12 at 08:07', 'July 13, 2012', '2012')
DATEISH_RE = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2}:\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d",
                        re.I)
# the header over a comment thread ('37 Comments', 'Leave a Reply', 'Post a comment', 'Responses to ...')
COMMENTS_HEADER_RE = re.compile(r"^\W*(\d+\s+(comments?|responses?|replies)\b|(leave|post|add|write) a (comment|reply)\b"
                                r"|comments?\W*(\(\d+\))?\W*$|(\d+\s+)?responses? to\b|reader comments\b|discussion\W*$)", re.I)
# what signs one comment besides a date: 'Name says:', 'Name said...', 'Reply', 'Permalink', a bare comment number
_COMMENT_SIGN_RE = re.compile(r"\b(says|said|wrote)\s*(:|\.\.\.|…)\s*$|\breply\b|\bpermalink\b|^\W*#?\d+\.?\W*$", re.I)
# a post's own byline ('Written on August 9, 2012 by Name in Comics'): on a blog's pages it sits over every post, and
# a page of posts under a comment count is not a thread
_POST_BYLINE_RE = re.compile(rf"^\W*(written|filed|{PUBLISHING_VERBS})\s+on\b.*\bby\b", re.I)
COMMENT_SIGNATURE_MAX_WORDS = 12


def is_comment_signature(text: str) -> bool:
    """A short line that signs a reader comment: a name with a date or time, 'X says:', 'Reply', a comment number;
    not a post's byline."""
    return word_count(text) <= COMMENT_SIGNATURE_MAX_WORDS and bool(
        DATEISH_RE.search(text) or _COMMENT_SIGN_RE.search(text)) and not _POST_BYLINE_RE.search(text)


@_memo
def _unquoted(text: str) -> str:
    """The unit with its quotations blanked out: what the unit itself says, not whom it quotes."""
    return _QUOTED_RE.sub(" ", text)


@_memo
def _asks_price(text: str) -> bool:
    """A price asked of the reader; a sum of state or aid money ('$500m') is news, not a price."""
    return bool(PRICE_RE.search(_LARGE_SUM_RE.sub(" ", text)))


@_memo
def address_density(text: str) -> float:
    unquoted = _unquoted(text)
    n = word_count(unquoted)
    return len(_ADDRESS_RE.findall(unquoted)) / n if n else 0.0


@_memo
def _you_density(text: str) -> float:
    """Second-person address outside quotations: the mark of text that speaks to the reader."""
    unquoted = _unquoted(text)
    n = word_count(unquoted)
    return len(_YOU_RE.findall(unquoted)) / n if n else 0.0


@_memo
def is_prose(text: str) -> bool:
    """Article prose: a real sentence (enough words, sentence punctuation), not addressed to the reader.
    An opinion piece may say 'we' and 'our'; only a little of it is allowed to say 'you'."""
    if word_count(text) < 12 or not _SENTENCE_END_RE.search(text.rstrip()) \
            or _you_density(text) >= 0.04 and not is_reported(text):  # '..., one MP said, and you see ...'
        return False
    if CTA_RE.match(text.strip()) and CTA_OBJECT_RE.search(text) and not is_reported(text):
        return False  # 'Join the Ledger on WhatsApp and be the first to know ...' asks for an action
    density = address_density(text)
    # 'Catch up on our coverage ...' is not prose; 'Follow the talks, one MP said, and you see ...' is
    return density == 0 or density < 0.1 and (not has_cta_sentence(text) or is_reported(text))


@_memo
def is_fragment(text: str) -> bool:
    """Not ending like a sentence: a heading, a menu item, a label, a name."""
    return not _SENTENCE_END_RE.search(text.rstrip())


def is_short_unpunctuated(text: str, max_words: int) -> bool:
    return word_count(text) <= max_words and is_fragment(text) and "\n" not in text


@_memo
def has_cta_sentence(text: str) -> bool:
    """A sentence of `text` opens with a call-to-action verb ('Sign up here.', 'See more on: ...')."""
    return any(CTA_RE.match(sent) for sent in re.split(r"(?<=[.!?…])\s+", text.strip()))


@_memo
def is_article_sentence(text: str) -> bool:
    """A short block that reads as article text: ends like a sentence, at least three words, no reader
    address, no call to action, no price, no link artefact."""
    ends = bool(FULL_STOP_RE.search(text.rstrip())) or word_count(text) >= 4 and text.rstrip().endswith(":")
    return (word_count(text) >= 3 and ends and (_you_density(text) == 0 or is_reported(text))
            and address_density(text) < 0.15
            and not text.rstrip().endswith("!")
            and (not has_cta_sentence(text) or is_reported(text))
            and not _asks_price(text) and not LINK_ARTEFACT_RE.search(text))


@_memo
def is_dateline(text: str) -> bool:
    """A date/time stamp: 'Updated 8:12 AM EST, Fri December 19, 2025', '3 hours ago', 'Dec. 17, 2025'."""
    words = re.findall(r"[^\W\d_]+|\d+", text.lower())
    if not words or len(words) > 18 or re.search(r"[!?]", text) or not _TIME_OR_YEAR_RE.search(text):
        return False
    dateish = sum(1 for w in words if w.isdigit() or w in _DATE_WORDS or re.fullmatch(r"\d+\w{0,2}", w))
    return dateish / len(words) >= 0.75


@_memo
def is_name_line(text: str) -> bool:
    return len(text) <= 90 and bool(_NAME_LINE_RE.match(text.strip()))


@_memo
def is_role_line(text: str) -> bool:
    return word_count(text) <= 8 and is_fragment(text) and bool(_ROLE_RE.search(text))


@_memo
def reads_as_boilerplate(text: str) -> bool:
    """For run continuation: reader address, a call to action, or a signature; never plain article prose."""
    if SIGNATURE_RE.search(text):
        return True
    if address_density(text) >= 0.04:
        return True
    if is_short_unpunctuated(text, 8) and not is_prose(text):
        return True
    if word_count(text) <= 30 and (has_cta_sentence(text) or PRICE_RE.search(text)) and not is_prose(text):
        return True
    return False


@_memo
def headline_like(text: str) -> bool:
    """A headline or standfirst: a few words of mixed case, no reader address, no call to action."""
    n = word_count(text)
    return (4 <= n <= 45 and (any(w[:1].islower() for w in _WORD_RE.findall(text)) or _is_title_case_headline(text))
            and not text.isupper()
            and _you_density(text) < 0.04 and not CTA_RE.match(text) and not LINK_ARTEFACT_RE.search(text)
            and not is_dateline(text) and not _asks_price(text))


FUNCTION_WORDS = frozenset("a an the of in on at to for from with by over after before as and or but into "
                            "amid against about under near between is are was be".split())


@_memo
def _is_title_case_headline(text: str) -> bool:
    """A headline in Title Case ('Pakistan, Afghan Taliban Extend Border Truce After Istanbul Talks'): six or
    more capitalised words, at least one of them a function word ('After', 'Of'); a menu line has none."""
    words = _WORD_RE.findall(text)
    return len(words) >= 6 and all(w[:1].isupper() or w[:1].isdigit() for w in words) \
        and any(w.lower() in FUNCTION_WORDS for w in words) and not re.search(r"[|»›•·]", text)


# --------------------------------------------------------------------------------------------- page furniture
# a player's running time: 'Duration 2:07', '0:00 0:01:58 0:00', 'Listen | 4:38', '3:12 min'
_RUNNING_TIME_RE = re.compile(
    r"^(?:(?:duration|length|running time|runtime|watch|listen|play|video|audio)\W*)?\d{1,2}:\d\d(?::\d\d)?"
    r"(?:\s*(?:/|of)?\s*\d{1,2}:\d\d(?::\d\d)?)*(?:\s*(?:min|mins|minutes))?$", re.I)
# the closing sentence of a video package's blurb: 'CBC's Name Surname reports from Tyre.'
_PACKAGE_CLOSER_RE = prefiltered(re.compile(
    r"(?:^|[.!?]\s+)(?:[A-Z][\w’'.-]*\s+){1,4}(?:reports|has more|explains|has the story)"
    r"(?:\s+from\s+[A-Z][\w .’'-]{1,40})?\.$"))
_UI_STATUS_RE = re.compile(r"^[A-Z]\w*(?: \w+)?\s*(?:\.{3}|…)$")
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z][\w’']*(?: [\w’']+)?)\s*:\s*(\S.{0,80})$")
_CRUMB_SEP_RE = re.compile(r"\s+[»›>/|]\s+")


@_memo
def is_running_time(text: str) -> bool:
    """A media player's time display. Several times, or a label such as 'Duration', make it a player; a lone
    '14:05' may be a live blog's stamp."""
    t = text.strip()
    return bool(_RUNNING_TIME_RE.match(t)) and (len(re.findall(r"\d:\d\d", t)) >= 2 or not t[:1].isdigit())


@_memo
def is_package_blurb(text: str) -> bool:
    """The blurb under a video: short, no quotation, closing with 'Name reports (from Place).'"""
    return word_count(text) <= 45 and not re.search(r"[“”\"]", text) and bool(_PACKAGE_CLOSER_RE.search(text.strip()))


@_memo
def is_ui_status(text: str) -> bool:
    """'Loading...', 'Please wait…': one or two words and an ellipsis, a widget's placeholder."""
    return bool(_UI_STATUS_RE.match(text.strip()))


@_memo
def is_metadata_label(text: str) -> bool:
    """A 'Label: value' line of page metadata: a credit ('Text by: Name', 'Video by: OUTLET') or a list of tags
    ('Topic: Unrest, Conflict and War'), never a sentence."""
    m = _LABEL_VALUE_RE.match(text.strip())
    if not m or not is_fragment(text):
        return False
    label, value = m.group(1).lower(), m.group(2)
    if label == "by" or label.endswith(" by"):
        return word_count(value) <= 6
    items = [x for x in re.split(r"\s*[,;]\s*|\s+and\s+", value) if x]
    return len(items) >= 2 and all(x[:1].isupper() and word_count(x) <= 3 for x in items)


@_memo
def is_flat_menu(text: str) -> bool:
    """A menu or share bar flattened onto one line ('Facebook X WhatsApp Telegram Email Print'): five or more
    words, every one capitalised, no function word, no punctuation (a Title Case headline has 'Of', 'After')."""
    words = text.split()
    return len(words) >= 5 and all(w[:1].isupper() and re.fullmatch(r"[\w&+’'-]+", w) for w in words) \
        and not any(w.lower() in FUNCTION_WORDS for w in words)


@_memo
def is_breadcrumb(text: str) -> bool:
    """'Home » Politics » Headline': three or more parts joined by separators, the leading ones short."""
    parts = _CRUMB_SEP_RE.split(text.strip())
    return len(parts) >= 3 and all(1 <= word_count(p) <= 4 for p in parts[:-1]) and "\n" not in text


_REPORTING_RE = re.compile(r"\b(said|says|told|according to|reported|announced|added|stated)\b")


@_memo
def has_reporting_verb(text: str) -> bool:
    return bool(_REPORTING_RE.search(text))


_SPEECH_RE = re.compile(r"\b(said|says|say|told|tells|according to|asked|added)\b")


@_memo
def is_reported(text: str) -> bool:
    """Reported speech outside quotations ('Follow the talks, one MP said, and you see ...'): the words of a
    source in an article sentence, never the page talking to its reader."""
    return bool(_SPEECH_RE.search(_unquoted(text)))


@_memo
def cta_kind(text: str) -> str | None:
    for pattern, k in _CTA_KIND:
        if pattern.search(text):
            return k
    return None


DURATION_RE = re.compile(r"^\d{1,2}:\d\d(:\d\d)?(\s*(min|mins|minutes))?$")


_LIST_ITEM_RE = re.compile(r"^([-–•*·▪]|\d{1,2}[.)])\s+\S")


PLACE_DATELINE_RE = re.compile(r"^[A-Z][A-Z’'.-]+(?:[ -][A-Z][A-Z’'.-]+){0,3}(?:,\s*[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+)?)?"
                                r"\s*[-–—:]?$")


@_memo
def is_list_item(text: str) -> bool:
    """A bulleted or numbered item that reads as article text ('- the disarmament of Hamas;')."""
    return bool(_LIST_ITEM_RE.match(text)) and word_count(text) >= 3 and address_density(text) == 0 \
        and not LINK_ARTEFACT_RE.search(text)
