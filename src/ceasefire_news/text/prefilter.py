"""A literal prefilter for many regular expressions searched in the same short text: which of them can match at all.

Most rule patterns need some plain words in the text to match ('newsletter', 'sign up' or 'signup', 'cookies').
`required_strings` reads a compiled pattern's syntax tree and finds a set of strings one of which every match
must contain (lower-cased, ASCII); a `Prefilter` looks for all of them with one scan of the lower-cased text
and names the patterns that may match. The others cannot match, so their (costlier) search is skipped: the
answer is the same, only sooner. Patterns without a usable requirement are always candidates.

Lower-casing is a safe stand-in for the regex engine's case-insensitive matching for ASCII letters, except for
four non-ASCII letters that the engine folds onto ASCII ones (dotted and dotless i, long s, the Kelvin sign):
a text holding one of them gets no prefilter.
"""
from __future__ import annotations

import itertools
import re
from re import _constants as C  # the syntax tree's opcodes (the standard library's own parser, below)
from re import _parser

_MAX_SET = 64        # give up expanding a piece into exact strings past this many alternatives
_MIN_USEFUL = 3      # a requirement whose shortest string is shorter than this filters too little
# letters outside ASCII that case-insensitive matching takes for ASCII letters: İ ı ſ K
FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")

Strings = frozenset  # a set of alternative strings


def _char_ok(c: int) -> bool:
    """A literal character the lower-cased text can be searched for: ASCII, or a character without case."""
    ch = chr(c)
    return c < 128 or ch.lower() == ch == ch.upper() == ch.casefold()


def _exact(item) -> Strings | None:
    """The finite set of (lower-cased) strings `item` can match, or None when unknown or too many."""
    op, av = item
    if op is C.LITERAL:
        return Strings({chr(av).lower()}) if _char_ok(av) else None
    if op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):
        return Strings({""})  # zero width: what is on either side stays adjacent in the text
    if op is C.IN:
        out = set()
        for iop, iav in av:
            if iop is not C.LITERAL or not _char_ok(iav):
                return None
            out.add(chr(iav).lower())
        return Strings(out)
    if op is C.SUBPATTERN:
        return _exact_seq(av[-1])
    if op is C.BRANCH:
        out = set()
        for alt in av[1]:
            s = _exact_seq(alt)
            if s is None:
                return None
            out |= s
        return Strings(out) if len(out) <= _MAX_SET else None
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
        s = _exact_seq(av[2])
        return Strings(s | {""}) if s is not None else None
    return None


def _exact_seq(seq) -> Strings | None:
    out = Strings({""})
    for item in seq:
        s = _exact(item)
        if s is None:
            return None
        out = Strings(a + b for a, b in itertools.product(out, s))
        if len(out) > _MAX_SET:
            return None
    return out


def _rarity(s: str) -> int:
    """How well finding `s` filters: its length, and a rare sign ('@', '/', '$') counts for three letters."""
    return len(s) + (2 if any(not c.isalnum() and not c.isspace() and c not in _COMMON_SIGNS for c in s) else 0)


_COMMON_SIGNS = frozenset(".,;:'’\"“”-()!?")


def _quality(req: Strings | None) -> int:
    return min(map(_rarity, req)) if req else 0


def _required_seq(seq) -> Strings | None:
    """A set of strings one of which every match of the sequence contains, or None."""
    best: Strings | None = None
    run = Strings({""})

    def consider(req: Strings | None) -> None:
        nonlocal best
        if req and "" not in req and _quality(req) > _quality(best):
            best = req

    for item in list(seq) + [None]:
        s = _exact(item) if item is not None else None
        if s is not None:
            joined = Strings(a + b for a, b in itertools.product(run, s))
            if len(joined) <= _MAX_SET:
                run = joined
                continue
        consider(run)  # the run of exact pieces ends here
        run = Strings({""}) if s is None else s
        if item is not None and s is None:
            consider(_required_item(item))
    return best


def _required_item(item) -> Strings | None:
    op, av = item
    if op is C.SUBPATTERN:
        return _required_seq(av[-1])
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            r = _required_seq(alt)
            if not r:
                return None
            out |= r
        return Strings(out)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _required_seq(av[2])
    if op is C.ATOMIC_GROUP:
        return _required_seq(av)
    return None


def required_strings(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Lower-cased strings one of which every match of `pattern` contains, or None when no useful set is known."""
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001  (an unfamiliar tree: no prefilter, never a wrong answer)
        return None
    try:
        req = _required_seq(list(tree))
    except Exception:  # noqa: BLE001
        return None
    if not req or _quality(req) < _MIN_USEFUL:
        return None
    # a string that contains another required string adds nothing: the shorter one is found whenever it is
    kept = [s for s in req if not any(o != s and o in s for o in req)]
    return tuple(sorted(kept))


class Prefilter:
    """Which of `patterns` may match a text: one scan of the lower-cased text for every required string."""

    def __init__(self, patterns: list[re.Pattern]):
        self.size = len(patterns)
        needs = [required_strings(p) for p in patterns]
        self.always = frozenset(i for i, need in enumerate(needs) if need is None)
        by_string: dict[str, set[int]] = {}
        for i, need in enumerate(needs):
            for s in need or ():
                by_string.setdefault(s, set()).add(i)
        strings = sorted(by_string, key=lambda s: (-len(s), s))
        # a string found means every required string inside it is there too (overlaps are found that way: at
        # each position the scan reports the longest string that starts there)
        self._hits = {s: frozenset(i for o in strings if o in s for i in by_string[o]) for s in strings}
        self._scan = re.compile("(?=(%s))" % _trie(strings), re.S).finditer if strings else None

    def candidates(self, text: str) -> frozenset[int] | None:
        """The indices of the patterns that may match `text`, or None when every pattern must be tried."""
        if self._scan is None or FOLDS_TO_ASCII.search(text):
            return None
        hits = self._hits
        out = set(self.always)
        for m in self._scan(text.lower()):
            out |= hits[m.group(1)]
        return frozenset(out)


def _trie(strings: list[str]) -> str:
    """One regular expression for a set of strings, as a trie (each position tries one branch per first
    character, not one per string); of the strings starting at a position it matches the longest."""
    tree: dict = {}
    for s in strings:
        node = tree
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:%s)" % "|".join(alts)
        return "(?:%s)?" % body if "" in node else body

    return emit(tree)


class Prefiltered:
    """A compiled pattern whose `search`, `match` and `findall` first check, with plain substring tests on the
    lower-cased text, that the text holds one of the strings every match needs; the answers are the pattern's own.
    Worth it for a costly pattern (one tried at every position) that rarely matches."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.needs = required_strings(pattern)
        if self.needs is None:
            self.search, self.match, self.findall = pattern.search, pattern.match, pattern.findall
        else:
            self._find_need = re.compile(_trie(list(self.needs))).search

    def __getattr__(self, name: str):  # everything else (sub, finditer, flags, ...) is the pattern's own
        return getattr(self.pattern, name)

    def _may_match(self, text: str) -> bool:
        if not text.isascii() and FOLDS_TO_ASCII.search(text):
            return True
        return self._find_need(text.lower()) is not None

    def search(self, text: str) -> re.Match | None:  # type: ignore[no-redef]
        return self.pattern.search(text) if self._may_match(text) else None

    def match(self, text: str) -> re.Match | None:  # type: ignore[no-redef]
        return self.pattern.match(text) if self._may_match(text) else None

    def findall(self, text: str) -> list:  # type: ignore[no-redef]
        return self.pattern.findall(text) if self._may_match(text) else []


def prefiltered(pattern: re.Pattern) -> Prefiltered:
    """`pattern` behind a literal prefilter (see `Prefiltered`)."""
    return Prefiltered(pattern)
