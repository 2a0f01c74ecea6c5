"""The named reasons a unit leaves the body: the cascade's signals (rules from the rules file are named by their
own `id`), and the model. Every removed span records one of these, or a rule id, in its `rule` field."""
from __future__ import annotations

SIGNALS: dict[str, str] = {
    # captions
    "caption-credit": "a caption with its photo credit",
    "caption-credit-line": "a credit line on its own ('Photograph: X')",
    "caption-above-credit": "a caption-like line right above a credit line",
    "caption-shape": "an uncredited caption by its shape (a photo label, a present-tense scene with a year)",
    "caption-label": "a caption marked by a label ('Image caption, ...')",
    # single units
    "dateline": "a date or time stamp",
    "repeated-line": "a short line repeated in the page (menus, labels), or an earlier copy of the headline",
    "call-to-action": "an imperative addressed to the reader with an object ('Sign up now')",
    "price": "a price asked of the reader",
    "appeal": "a support appeal with a small sum",
    "link-artefact": "a short line with a URL, an e-mail address, a handle or 'opens in new tab'",
    "no-words": "a line with no words (symbols, numbers)",
    "ui-status": "a widget placeholder ('Loading...')",
    "metadata-label": "'Label: value' page metadata ('Topics: A, B', 'Video by: X')",
    "breadcrumb": "'Home » World » Middle East'",
    "flat-menu": "a menu or share bar flattened onto one line",
    "agency-tag": "a lone agency name under the headline",
    "masthead": "the outlet's own name",
    "player": "a media player's running time",
    "player-title": "the title over a media player's running time",
    "player-blurb": "the blurb under a video ('X reports from Y.')",
    "media-title": "a media title under a running time",
    # boxes and runs
    "box-header": "the header line above an appeal or sign-up box",
    "box-lead": "the lines of a box above its first rule",
    "box-blurb": "the blurb inside a sign-up or appeal box",
    "lead-in": "a short lead-in ending in a colon before boilerplate",
    "run:appeal": "a line continuing an appeal",
    # zones and structure
    "head-zone": "before the first article prose: not a headline or a sentence",
    "head-promo": "a headline-like line above the page's last menu: a promoted story",
    "tail-zone": "after the last article prose and the first boilerplate",
    "byline-stack": "names beside a dateline, a role line or a 'By' line",
    "link-list": "three or more short unpunctuated lines in a row",
    "headline-run": "related headlines without a label",
    "related-list": "the lines under a related-links header",
    "block-majority": "a fragment of a block that is mostly boilerplate",
    "foot-island": "a sentence between navigation units at the page foot",
    "island": "a short fragment between two removed units",
    "comment-thread": "a reader comment: under a comments header that signed comments follow",
    # the model
    "model": "the block model's P(article text) is under its threshold",
}
RUN_PREFIX = "run:"  # 'run:<rule id>': a line continuing the box that rule opened


def is_signal(reason: str) -> bool:
    """A reason from the cascade's code (or the model), not a rule of the rules file."""
    return reason in SIGNALS or reason.startswith(RUN_PREFIX)
