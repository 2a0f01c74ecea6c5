"""One document -> one standalone HTML page: the text with its layers marked, a legend, a toggle per layer.

Nothing is fetched: CSS and a little JavaScript are inline, and a Content-Security-Policy lets only that
script (by its hash) run. Every text, label and metadata value goes through `html.escape`, so a document
whose text says `<script>` shows those characters.

Marks nest: a span that crosses another, or a paragraph break, is closed and reopened; the pieces after the
first carry `data-cont`, so the first pieces count the annotations (one `.ent:not([data-cont])` per entity).
"""
from __future__ import annotations

import base64
import hashlib
import re
import zlib
from dataclasses import dataclass
from html import escape
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..annotations.files import ENTITY_LABELS, LAYERS as ANNOTATION_LAYERS
from .inputs import ViewDoc

# Layers in the order the controls show them; a mark of a lower rank encloses one of a higher rank.
LAYERS = tuple(layer for layer in ANNOTATION_LAYERS if layer != "paragraphs")  # paragraphs show as breaks
RANK = {"boilerplate": 0, "captions": 0, "sources": 1, "quotes": 2, "entities": 3, "cue": 4}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# Light backgrounds for the known labels, in ENTITY_LABELS order: dark text stays readable on all of them.
_PALETTE = ("#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad", "#d0f4de",
            "#e4c1f9", "#fcf6bd", "#a9def9", "#ede7b1", "#f1c0e8", "#cfbaf0", "#b9fbc0", "#fbf8cc", "#98f5e1")
_LABEL_COLOUR = dict(zip(ENTITY_LABELS, _PALETTE))


def esc(value: Any) -> str:
    """HTML-escape any value (quotes too, so it is safe in attributes); None becomes ''."""
    return "" if value is None else escape(str(value), quote=True)


def label_colour(label: str) -> str:
    """One colour per label: the palette for known labels, a stable pastel hue for any other."""
    return _LABEL_COLOUR.get(label) or f"hsl({zlib.crc32(label.encode('utf-8')) % 360} 80% 85%)"


@dataclass(frozen=True)
class Mark:
    """A span to mark: [start, end) of the text, its layer, and how its element opens and closes."""

    start: int
    end: int
    rank: int
    open: Callable[[bool], str]  # open(first piece?) -> opening HTML
    close: Callable[[bool], str]  # close(last piece?) -> closing HTML


# ------------------------------------------------------------------------------------------------ marks
def _entity_mark(e: Mapping[str, Any], label_class: Mapping[str, str]) -> Mark:
    label, ident = str(e["label"]), str(e.get("id") or "")
    attrs = f'class="ent {label_class[label]}" data-label="{esc(label)}" data-id="{esc(ident)}"'

    def open_(first: bool) -> str:
        return f'<mark {attrs} id="ann-{esc(ident)}">' if first and ident else \
            f'<mark {attrs}{"" if first else " data-cont"}>'

    return Mark(e["start"], e["end"], RANK["entities"], open_,
                lambda last: f'<span class="lbl">{esc(label)}</span></mark>' if last else "</mark>")


def _quote_mark(q: Mapping[str, Any]) -> Mark:
    ident = esc(q.get("id") or "")
    speaker_id = q.get("speaker_id")
    who = esc(q.get("speaker"))
    who = f'<a href="#ann-{esc(speaker_id)}">{who}</a>' if speaker_id else who
    cue = q.get("cue") or {}
    said = f' · cue “{esc(cue["text"])}”' if cue.get("text") else ""
    tip = (f'<span class="speaker" id="sp-{ident}" role="tooltip">Speaker: {who} · {esc(q.get("kind"))} quote'
           f'{said}</span>')

    def open_(first: bool) -> str:
        if not first:
            return f'<span class="quote" data-id="{ident}" data-cont>'
        link = f' data-speaker-id="{esc(speaker_id)}"' if speaker_id else ""
        return (f'<span class="quote" data-id="{ident}"{link} tabindex="0" aria-describedby="sp-{ident}">{tip}'
                f'<span class="tag qtag">quote</span>')

    return Mark(q["start"], q["end"], RANK["quotes"], open_, lambda last: "</span>")


def _source_mark(s: Mapping[str, Any]) -> Mark:
    ident = esc(s.get("id") or "")
    kind = esc(s.get("anonymity") or "unnamed")

    def open_(first: bool) -> str:
        return (f'<span class="src" data-id="{ident}" id="ann-{ident}">' if first and ident else
                f'<span class="src" data-id="{ident}"{"" if first else " data-cont"}>')

    return Mark(s["start"], s["end"], RANK["sources"], open_,
                lambda last: f'<span class="lbl">source: {kind}</span></span>' if last else "</span>")


def _cue_mark(c: Mapping[str, Any], layer: str) -> Mark:
    return Mark(c["start"], c["end"], RANK["cue"], lambda first: f'<span class="cue cue-{layer}">',
                lambda last: "</span>")


def _removed_mark(x: Mapping[str, Any], layer: str) -> Mark:
    if layer == "boilerplate":
        cls, tag = "bp", f'removed: {esc(x.get("kind"))}' + (f' · rule {esc(x["rule"])}' if x.get("rule") else "")
    else:
        cls, tag = "cap", f'caption · credit: {esc(x.get("credit"))}'

    def open_(first: bool) -> str:
        head = f'<span class="tag">{tag}</span>' if first else ""
        return f'<span class="{cls}" data-kind="{esc(x.get("kind", "caption"))}"{"" if first else " data-cont"}>{head}'

    return Mark(x["start"], x["end"], RANK[layer], open_, lambda last: "</span>")


def marks_of(doc: ViewDoc, label_class: Mapping[str, str]) -> list[Mark]:
    """Every span the text of `doc` shows. Captions are marks in the full and raw views; in the default view
    they are not in the text (they are listed apart)."""
    marks = [_entity_mark(e, label_class) for e in doc.entities]
    marks += [_quote_mark(q) for q in doc.quotes]
    marks += [_source_mark(s) for s in doc.sources]
    marks += [_cue_mark(x["cue"], layer) for layer, items in (("quotes", doc.quotes), ("sources", doc.sources))
              for x in items if x.get("cue")]
    marks += [_removed_mark(b, "boilerplate") for b in doc.boilerplate]
    if doc.view != "default":
        marks += [_removed_mark(c, "captions") for c in doc.captions]
    return marks


# ------------------------------------------------------------------------------------------------ text
def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph: the text between blank lines."""
    out, pos = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _paragraph_html(text: str, ps: int, pe: int, marks: Sequence[Mark]) -> str:
    """One paragraph with its marks, nested; a mark that crosses another is closed and reopened."""
    pieces = sorted(((max(m.start, ps), min(m.end, pe), m) for m in marks), key=lambda p: (p[0], -p[1], p[2].rank))
    points = sorted({ps, pe, *(p[0] for p in pieces), *(p[1] for p in pieces)})
    out: list[str] = []
    stack: list[tuple[int, Mark]] = []  # (end of this piece, mark)
    j = 0
    for k, pt in enumerate(points):
        ending = [i for i, (end, _) in enumerate(stack) if end == pt]
        if ending:
            popped, stack[ending[0]:] = stack[ending[0]:], []
            out += [m.close(pt == m.end) for _, m in reversed(popped)]
            for end, m in popped:
                if end > pt:
                    out.append(m.open(False))
                    stack.append((end, m))
        while j < len(pieces) and pieces[j][0] == pt:
            s, e, m = pieces[j]
            j += 1
            if s < e:
                out.append(m.open(s == m.start))
                stack.append((e, m))
        if k + 1 < len(points):
            out.append(esc(text[pt:points[k + 1]]))
    return "".join(out)


def text_html(text: str, marks: Iterable[Mark]) -> str:
    """The text as paragraphs (`<p dir="auto">`) with every valid mark; spans out of range are left out."""
    ordered = sorted((m for m in marks if 0 <= m.start < m.end <= len(text)), key=lambda m: (m.start, -m.end, m.rank))
    out, i, carry = [], 0, []
    for ps, pe in paragraphs(text):
        current = [m for m in carry if m.end > ps]
        while i < len(ordered) and ordered[i].start < pe:
            if ordered[i].end > ps:
                current.append(ordered[i])
            i += 1
        carry = [m for m in current if m.end > pe]
        out.append(f'<p dir="auto">{_paragraph_html(text, ps, pe, current)}</p>')
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ page
def _labels(doc: ViewDoc) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in [*doc.entities, *(e for c in doc.captions for e in (c.get("entities") or []))]:
        counts[str(e["label"])] = counts.get(str(e["label"]), 0) + 1
    order = {k: i for i, k in enumerate(ENTITY_LABELS)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def _meta_html(doc: ViewDoc) -> str:
    m = doc.meta
    rows = [("source", esc(m["source"]))] if m.get("source") else []
    if m.get("published"):
        basis = f' ({esc(m["published_basis"])})' if m.get("published_basis") else ""
        rows.append(("published", f"{esc(m['published'])}{basis}"))
    url = str(m.get("url") or "")
    if url:  # only web addresses become links: a `javascript:` url stays text
        rows.append(("url", f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
                     if re.match(r"https?://", url, re.I) else esc(url)))
    rows += [("language", esc(m.get("language")))] if m.get("language") else []
    rows.append(("view", {"full": "full: the normalised text, removed spans shown in place",
                          "default": "default: the clean body; captions listed below",
                          "raw": "raw page: what cleaning keeps and removes"}[doc.view]))
    if doc.note:
        rows.append(("note", esc(doc.note)))
    return "<dl class=\"meta\">" + "".join(f"<dt>{k}</dt><dd dir=\"auto\">{v}</dd>" for k, v in rows) + "</dl>"


def _controls_html(doc: ViewDoc, labels: Mapping[str, int], label_class: Mapping[str, str]) -> str:
    counts = {"entities": doc.entity_count(), "quotes": len(doc.quotes), "sources": len(doc.sources),
              "captions": len(doc.captions), "boilerplate": len(doc.boilerplate)}
    names = {"entities": "Entities", "quotes": "Quotations (focus one: its speaker)", "sources": "Unnamed sources",
             "captions": "Captions", "boilerplate": "Removed boilerplate"}
    layers = "".join(f'<label><input type="checkbox" checked data-layer="{k}"> {names[k]} ({counts[k]})</label>'
                     for k in LAYERS if counts[k] or (k == "entities" and doc.view != "raw"))
    legend = "".join(f'<label><input type="checkbox" checked data-label="{esc(lab)}"> '
                     f'<span class="swatch {label_class[lab]}">{esc(lab)}</span> {n}</label>'
                     for lab, n in labels.items())
    return (f'<div class="controls"><fieldset><legend>Layers</legend>{layers}</fieldset>'
            + (f'<fieldset class="legend"><legend>Entity labels</legend>{legend}</fieldset>' if legend else "")
            + "</div>")


def _captions_html(doc: ViewDoc, label_class: Mapping[str, str]) -> str:
    """The default view's captions: out of the body, each boxed with its credit and its own entities."""
    if doc.view != "default" or not doc.captions:
        return ""
    boxes = "".join(
        f'<div class="cap capbox">{text_html(c["text"], [_entity_mark(e, label_class) for e in c.get("entities") or []])}'
        f'<p class="credit" dir="auto">Credit: {esc(c.get("credit"))}</p></div>' for c in doc.captions)
    return f'<section class="captions"><h2>Captions</h2>{boxes}</section>'


def _removed_table(doc: ViewDoc) -> str:
    """Every removed span with its kind and the rule that removed it: why each piece left the body."""
    rows = [(b["start"], esc(b.get("kind")), esc(b.get("rule") or ""), b["text"]) for b in doc.boilerplate]
    if doc.view != "default":
        rows += [(c["start"], "caption", esc(f'credit: {c.get("credit")}'), c["text"]) for c in doc.captions]
    if not rows:
        return ""
    body = "".join(f'<tr><td>{s}</td><td>{k}</td><td>{r}</td><td dir="auto">{esc(t[:120])}'
                   f'{"…" if len(t) > 120 else ""}</td></tr>' for s, k, r, t in sorted(rows, key=lambda x: x[0]))
    return ('<section class="removed"><h2>Removed from the body</h2><div class="scroll" role="region" '
            'aria-label="Removed from the body" tabindex="0"><table><thead><tr><th>offset</th><th>kind</th>'
            f'<th>rule</th><th>text</th></tr></thead><tbody>{body}</tbody></table></div></section>')


def document_body(doc: ViewDoc, home: str | None = None) -> tuple[str, dict[str, str]]:
    """The inside of a document page (everything in <body>), and the CSS class of each entity label."""
    labels = _labels(doc)
    label_class = {lab: f"l{i}" for i, lab in enumerate(labels)}
    nav = f'<nav><a href="{esc(home)}">← all documents</a></nav>' if home else ""
    return (f'{nav}<header><h1 dir="auto">{esc(doc.title)}</h1>{_meta_html(doc)}</header>'
            f'{_controls_html(doc, labels, label_class)}'
            f'<main><article class="text" lang="{esc(doc.meta.get("language") or "")}">'
            f'{text_html(doc.text, marks_of(doc, label_class))}</article>'
            f'{_captions_html(doc, label_class)}{_removed_table(doc)}</main>'), label_class


def render_document(doc: ViewDoc, home: str | None = None) -> str:
    """A standalone HTML page for one document (`home`: a link back to a site's index)."""
    body, label_class = document_body(doc, home)
    colours = "".join(f".{cls}{{--c:{label_colour(lab)}}}" for lab, cls in label_class.items())
    return page(f"{doc.title} · ceasefire-news", body, DOC_SCRIPT, extra_css=colours,
                lang=str(doc.meta.get("language") or "und"))


def page(title: str, body: str, script: str, extra_css: str = "", lang: str = "en") -> str:
    """An HTML page with the shared stylesheet; only `script` (pinned by its hash) may run."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'; "
           "base-uri 'none'; form-action 'none'")
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
            f'<style>{CSS}{extra_css}</style>\n</head>\n<body>\n{body}\n<script>{script}</script>\n</body>\n</html>\n')


CSS = """
:root{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Arabic","Noto Sans Hebrew",sans-serif;
line-height:1.6;color:#1b1b1b;background:#fff}
body{max-width:60rem;margin:0 auto;padding:1rem 1.5rem}
h1{font-size:1.5rem;margin:.5rem 0}
a{color:#0b57d0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:0 0 1rem;font-size:.9rem}
.meta dt{font-weight:600}.meta dd{margin:0}
.controls{display:flex;flex-wrap:wrap;gap:.5rem;padding:.25rem 0}
fieldset{border:1px solid #ccc;border-radius:.4rem;font-size:.85rem;display:flex;flex-wrap:wrap;gap:.2rem .8rem}
.text p{white-space:pre-wrap;unicode-bidi:plaintext}
.ent{background:var(--c,#eee);border-radius:.25rem;padding:0 .15rem;color:inherit;box-decoration-break:clone;
-webkit-box-decoration-break:clone}
.lbl,.tag{font-size:.62em;font-weight:700;letter-spacing:.02em;margin-inline-start:.25rem;vertical-align:middle;
text-transform:uppercase;color:#333;white-space:nowrap}
.tag{margin-inline:0 .35rem;background:#f1f1f1;border-radius:.2rem;padding:0 .2rem;text-transform:none;
white-space:normal;overflow-wrap:anywhere}
.swatch{background:var(--c,#eee);padding:0 .3rem;border-radius:.25rem;font-weight:700;font-size:.8em}
.quote{position:relative;text-decoration:underline wavy #b3261e 1px;text-underline-offset:.3em}
.qtag{color:#b3261e}
.speaker{display:none;position:absolute;left:0;bottom:100%;z-index:3;background:#1b1b1b;color:#fff;font-size:.8rem;
padding:.2rem .5rem;border-radius:.3rem;width:max-content;max-width:min(24rem,calc(100vw - 2rem));text-decoration:none}
.speaker a{color:#9ecbff}
.quote:hover>.speaker,.quote:focus>.speaker,.quote:focus-within>.speaker{display:block}
.is-speaker{outline:3px solid #b3261e;outline-offset:1px}
.src{border-bottom:2px dashed #6a1b9a}
.src>.lbl{color:#6a1b9a}
.cue{text-decoration:underline dotted;text-underline-offset:.25em}
.bp{color:#767676;text-decoration:line-through;background:#f6f6f6}
.bp>.tag{text-decoration:none;display:inline-block}
.cap{border:1px solid #999;border-radius:.3rem;padding:.1rem .3rem;background:#fafaf5;box-decoration-break:clone;
-webkit-box-decoration-break:clone}
.capbox{display:block;margin:.5rem 0;padding:.3rem .7rem}
.credit{font-size:.85rem;color:#444;margin:.2rem 0}
.ent.off,.hide-entities .ent{background:none;padding:0}
.ent.off>.lbl,.hide-entities .ent>.lbl{display:none}
.hide-quotes .quote{text-decoration:none}
.hide-quotes .quote>.speaker,.hide-quotes .qtag,.hide-quotes .cue-quotes{display:none!important}
.hide-quotes .cue-quotes{text-decoration:none}
.hide-sources .src{border:0}.hide-sources .src>.lbl{display:none}.hide-sources .cue-sources{text-decoration:none}
.hide-boilerplate .bp,.hide-captions .cap,.hide-captions .captions{display:none}
table{border-collapse:collapse;font-size:.85rem;width:100%}
.scroll{overflow-x:auto;max-width:100%}
th,td{border-bottom:1px solid #ddd;padding:.2rem .4rem;text-align:start;vertical-align:top}
@media print{
.controls,nav,.speaker{display:none!important}
.scroll{overflow:visible}
body{max-width:none;font-size:11pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.quote::after{content:" [quote]";font-size:.7em}
a{color:inherit;text-decoration:none}
}
"""

DOC_SCRIPT = """
(function () {
  var body = document.body;
  function layer(cb) { body.classList.toggle('hide-' + cb.getAttribute('data-layer'), !cb.checked); }
  function label(cb) {
    var name = cb.getAttribute('data-label');
    document.querySelectorAll('.ent').forEach(function (e) {
      if (e.getAttribute('data-label') === name) { e.classList.toggle('off', !cb.checked); }
    });
  }
  document.querySelectorAll('input[data-layer]').forEach(function (cb) {
    layer(cb); cb.addEventListener('change', function () { layer(cb); });
  });
  document.querySelectorAll('input[data-label]').forEach(function (cb) {
    if (!cb.checked) { label(cb); }
    cb.addEventListener('change', function () { label(cb); });
  });
  function speaker(q, on) {
    var id = q.getAttribute('data-speaker-id');
    var e = id && document.getElementById('ann-' + id);
    if (e) { e.classList.toggle('is-speaker', on); }
    var tip = on && q.querySelector('.speaker');
    if (tip) {  // keep the tooltip inside the window: shift it left by what would stick out on the right
      tip.style.left = '0px';
      var over = tip.getBoundingClientRect().right - document.documentElement.clientWidth + 4;
      if (over > 0) { tip.style.left = (-over) + 'px'; }
    }
  }
  document.querySelectorAll('.quote[tabindex]').forEach(function (q) {
    ['focus', 'mouseenter'].forEach(function (ev) { q.addEventListener(ev, function () { speaker(q, true); }); });
    ['blur', 'mouseleave'].forEach(function (ev) { q.addEventListener(ev, function () { speaker(q, false); }); });
  });
})();
"""
