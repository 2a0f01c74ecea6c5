"""The rules file (`rules/boilerplate.yaml`): loading, validation (schema, unique ids), compiled rule sets,
and matching one unit against them."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CeasefireError, Problem
from ..fsutil import read_utf8
from ..resources import rules_dir
from ..schemas import schema_problems
from .prefilter import Prefilter, prefiltered
from .reasons import is_signal
from .signals import address_density, is_fragment, word_count

# --------------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class Rule:
    kind: str
    patterns: tuple[re.Pattern, ...]
    max_words: int
    starts_run: bool
    name: str  # the rule's stable `id`
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
    _for_source: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def for_source(self, source: str | None) -> tuple[Rule, ...]:
        """The rules that apply to `source`: its own, then the generic ones (the same tuple on every call, so that
        `match_rule` builds its prefilter once)."""
        key = source or ""
        got = self._for_source.get(key)
        if got is None:
            got = self._for_source[key] = self.sources.get(key, ()) + self.generic
        return got


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
                          r["id"], bool(r.get("fragments_only", False))))
    return tuple(rules)


def _check_ids(data: dict, file: str) -> None:
    """Rule ids are unique in the file and never a signal's name: a span's `rule` names one thing."""
    seen: dict[str, str] = {}
    problems = []
    groups = [("generic", data["generic"])] + [(f"sources/{s}", rs) for s, rs in data.get("sources", {}).items()]
    for prefix, rules in groups:
        for i, r in enumerate(rules):
            rid, where = r["id"], f"/{prefix}/{i}/id"
            if rid in seen or is_signal(rid):
                problems.append(Problem("rules-schema", f"rule id {rid!r} is already used by "
                                        f"{seen.get(rid, 'a built-in signal')}", file=file, pointer=where))
            seen.setdefault(rid, where)
    if problems:
        raise CeasefireError(problems)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and validate a rules file (default: the packaged `rules/boilerplate.yaml`). Compiled once per path."""
    return _load_rules(str(Path(path).resolve()) if path else _default_rules_path())


@functools.cache
def _default_rules_path() -> str:
    """The packaged rules file, looked up once: clean() and cascade() ask for the default rules on every page."""
    return str(rules_dir() / "boilerplate.yaml")


@functools.lru_cache(maxsize=8)
def _load_rules(path: str) -> RuleSet:
    import yaml  # the build extra's, as jsonschema is: imported here, so the text stage imports without it

    text = read_utf8(path, "rules file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CeasefireError(Problem("rules-syntax", f"invalid YAML: {getattr(exc, 'problem', exc)}", file=path,
                                     line=mark.line + 1 if mark else None,
                                     column=mark.column + 1 if mark else None)) from None
    wrong = schema_problems("boilerplate-rules", data, path, None, "rules-schema")
    if wrong:
        raise CeasefireError(wrong)
    _check_ids(data, path)
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


# --------------------------------------------------------------------------------------------- matching
_SIGN_UP_SENTENCE_RE = prefiltered(re.compile(
    r"(^|[.!?]\s+)(sign ?up|subscribe|register|donate|join us|click|tap|download|follow us)\b", re.I))
READER_FACING = frozenset({"newsletter_signup", "subscription_appeal", "membership_prompt", "share_prompt",
                           "related_links", "advertisement", "comments_prompt", "cookie_notice"})


def match_rule(text: str, rules: tuple[Rule, ...]) -> Rule | None:
    """The first of `rules` that fires on the unit `text`, or None."""
    n = word_count(text)
    fragment = is_fragment(text)
    # an article paragraph that merely mentions donations or newsletters is narrative: long, a sentence, and
    # not addressed to the reader; rules of the reader-facing kinds do not fire on it
    narrative = n > 20 and not fragment and address_density(text) == 0 and not _SIGN_UP_SENTENCE_RE.search(text)
    matcher = _matcher(rules)
    may = matcher.prefilter.candidates(text)
    # the patterns that may match, in rule order: the first rule that passes its gates with a matching pattern wins
    for k in sorted(may) if may is not None else range(len(matcher.patterns)):
        rule = matcher.owner[k]
        if n <= rule.max_words and (fragment or not rule.fragments_only) and not (
                narrative and rule.kind in READER_FACING) and matcher.patterns[k].search(text):
            return rule
    return None


@dataclass(frozen=True)
class _Matcher:
    """A tuple of rules with one prefilter over all their patterns, numbered in rule order (`owner`: each
    pattern's rule)."""

    rules: tuple[Rule, ...]
    patterns: tuple[re.Pattern, ...]
    owner: tuple[Rule, ...]
    prefilter: Prefilter


_MATCHERS: dict[int, _Matcher] = {}


def _matcher(rules: tuple[Rule, ...]) -> _Matcher:
    got = _MATCHERS.get(id(rules))
    if got is not None and got.rules is rules:
        return got
    if len(_MATCHERS) > 64:
        _MATCHERS.clear()
    patterns = tuple(p for rule in rules for p in rule.patterns)
    owner = tuple(rule for rule in rules for _ in rule.patterns)
    got = _MATCHERS[id(rules)] = _Matcher(rules, patterns, owner, Prefilter(list(patterns)))
    return got
