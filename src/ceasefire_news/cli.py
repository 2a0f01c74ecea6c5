"""The `ceasefire-news` command line: ingest, clean, validate, build, stats, view, site.

Exit codes: 0 all well, 1 problems found (each printed on one line), 2 usage error. A mistake in the
input is reported as `file:line:col: error [code] message`, never as a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .errors import USAGE_CODES, CeasefireError, render
from .extras import MissingExtra, missing_distributions

# Every command but these read-side ones (they run on the loader's install alone) needs the `build` extra.
READ_SIDE = frozenset({"export"})

EPILOG = "Exit status: 0 when all is well, 1 when problems were found, 2 on a usage error."
NO_CACHE_HELP = "re-normalise every seed for the corpus-drift check instead of using the cache"
MAX_BYTES_HELP = ("refuse an input larger than N bytes with a [too-large] error (default: $CEASEFIRE_NEWS_MAX_BYTES "
                  "or 5000000; 0 = no limit)")


def _whole_number(unit: str) -> Callable[[str], int]:
    """An argparse type: a whole number of `unit` >= 0 (limits.whole_number), else a usage error saying so."""
    def parse(text: str) -> int:
        from .limits import whole_number

        try:
            return whole_number(text, unit)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


_byte_count = _whole_number("bytes")
_window = _whole_number("characters")


def _tag(text: str) -> str:
    """--tag as a usage error (exit 2, before anything runs) with hub.check_tag's words."""
    from .hub import check_tag

    try:
        return check_tag(text)
    except CeasefireError as exc:
        p = exc.problems[0]
        raise argparse.ArgumentTypeError(f"{p.message} ({p.hint})") from None


def _old_text_file(text: str) -> str:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"file not found: {text}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"not a file: {text} (the old corpus text of one document)")
    return text


def _repo_lock(root: str | Path, what: str):
    """One writer at a time in a repository's corpus/ and annotations/ (ingest, reanchor, import)."""
    from .locks import hold
    from .repo import Repo

    repo = Repo.at(root)
    return hold(repo.root / ".ceasefire-news.lock", what)


def _locked(what: str):
    """Run a command holding the repository's lock; a stale lock of a killed process is noted and taken over."""
    def wrap(fn):
        def run(args: argparse.Namespace) -> int:
            from .locks import stale_note

            with _repo_lock(args.root, what) as lock:
                if stale_note(lock):
                    print(stale_note(lock), file=sys.stderr)
                return fn(args)
        return run
    return wrap


@_locked("ingest")
def _cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest
    from .repo import Repo

    repo = Repo.at(args.root)
    paths = [Path(p) for p in args.paths] or [repo.seed_path(i) for i in repo.seed_ids()]
    if not paths:
        print("nothing to ingest: no seeds given and none in seeds/", file=sys.stderr)
        return 1
    problems = []
    many = len(paths) > 20 and not args.quiet
    if many:  # a progress bar and a one-line summary instead of a line per document
        from tqdm import tqdm

        paths = tqdm(paths, desc="ingest", unit="doc", disable=None)
    done = changed = 0
    for p in paths:
        try:
            r = ingest(p, repo, source=args.source, language=args.language, rules_path=args.rules,
                       max_bytes=args.max_bytes)
        except CeasefireError as exc:
            problems.extend(exc.problems)
            continue
        done += 1
        changed += r.text_changed
        if not args.quiet and not many:
            print(f"{r.doc_id}: {r.paragraphs} blocks, {r.boilerplate} boilerplate, {r.captions} captions"
                  f"{' (text changed)' if r.text_changed else ''} -> {r.corpus_path.relative_to(repo.root)}, "
                  f"{r.annotation_path.relative_to(repo.root)}")
    if many:
        print(f"ingested {done} document(s) ({changed} with a changed text), {len(problems)} problem(s)")
    if problems:
        print(render(problems), file=sys.stderr)
        return 1
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:
    from .limits import max_bytes, read_limited, read_stream
    from .text.clean import clean

    if args.path in (None, "-"):
        data, name = read_stream(sys.stdin.buffer, "<stdin>", max_bytes(args.max_bytes)), "<stdin>"
    else:
        data, name = read_limited(args.path, limit=args.max_bytes, what="text file"), args.path
    result = clean(data, source=args.source, rules=args.rules, name=name)
    report = result.report
    if report.encoding != "utf-8" or report.mojibake_repaired:
        what = [f"decoded as {report.encoding}"] if report.encoding != "utf-8" else []
        if report.mojibake_repaired:
            what.append(f"{report.mojibake_repaired} mojibake sequence(s) repaired")
        print(f"{name}: warning [repaired-encoding] {', '.join(what)}", file=sys.stderr)
    if args.explain:  # the decisions are the point, even when every unit went
        sys.stdout.write(_explain(result))
        return 0
    if not result.body.strip():  # never a success status with the whole page missing
        from .annotations.files import empty_body_problem

        raise CeasefireError(empty_body_problem(result.text, name))
    if args.json:
        print(json.dumps(_clean_json(result), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(result.body + "\n")
    return 0


def _explain(result) -> str:
    """One line per unit: keep or drop, the kind, the rule id or signal, the model's P(article), the text."""
    lines = []
    for d in result.decisions:
        score = "   -  " if d.score is None else f"{d.score:6.3f}"
        what = "keep" if d.keep else "DROP"
        kind = d.kind or "article"
        snippet = d.text if len(d.text) <= 100 else d.text[:97] + "..."
        lines.append(f"{what} {score} {kind:<19} {d.reason or '-':<28} {snippet}".replace("\n", " / "))
    kept = sum(d.keep for d in result.decisions)
    lines.append(f"# {kept} of {len(result.decisions)} units kept; score = the block model's P(article text), "
                 f"reason = the rule id or signal that decided")
    return "\n".join(lines) + "\n"


def _clean_json(result) -> dict:
    def raw(s: int, e: int) -> dict:
        rs, re_ = result.offsets.to_raw(s, e)
        return {"start": s, "end": e, "raw_start": rs, "raw_end": re_}

    return {"body": result.body,
            "captions": [{**raw(c.start, c.end), "text": c.text, "credit": c.credit, "agency": c.agency,
                          "photographer": c.photographer, "credits": [vars(x) for x in c.credits]}
                         for c in result.captions],
            "removed": [{**raw(r.start, r.end), "kind": r.kind, "rule": r.reason, "text": r.text}
                        for r in result.removed],
            "normalisation": {"encoding": result.report.encoding, "bom_removed": result.report.bom_removed,
                              "mojibake_repaired": result.report.mojibake_repaired, "changes": result.report.changes},
            "offsets": "start/end: code points into the normalised text; raw_start/raw_end: code points into the "
                       "decoded input"}


def _problem(code: str, message: str, file: str):
    from .errors import Problem

    return Problem(code, message, file)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .annotations.validate import validate_paths

    if args.jobs < 1:
        print("error: --jobs takes a number of processes >= 1", file=sys.stderr)
        return 2
    problems, docs, spans = validate_paths(args.paths, root=args.root, progress=args.format == "text" and not args.quiet and sys.stderr.isatty(),
                                           jobs=args.jobs, cache=not args.no_cache)
    out = render(problems, args.format, docs, spans)
    if args.quiet and not problems and args.format == "text":
        out = ""
    if out:
        print(out)
    if any(p.code in USAGE_CODES for p in problems):
        return 2
    return 1 if any(p.level == "error" for p in problems) else 0


def _parse_ratios(text: str) -> tuple[float, float, float] | None:
    try:
        ratios = tuple(float(x) for x in text.split("/"))
    except ValueError:
        return None
    if len(ratios) != 3 or any(r < 0 for r in ratios) or not sum(ratios):
        return None
    return ratios  # type: ignore[return-value]


def _cmd_build(args: argparse.Namespace) -> int:
    import time

    from .release.build import build
    from .columns import SPLITS

    ratios = _parse_ratios(args.ratios)
    if ratios is None:
        print("error: --ratios takes three non-negative numbers with a positive sum, e.g. 80/10/10", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("error: --workers takes a positive number", file=sys.stderr)
        return 2
    from .locks import hold, lock_path_for, stale_note

    if args.scheduler and args.engine != "dask":
        print("error: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    strict = args.strict if args.strict is not None else in_ci
    t0 = time.perf_counter()
    with hold(lock_path_for(args.out, "build"), "build") as lock:
        if stale_note(lock):
            print(stale_note(lock), file=sys.stderr)
        result = build(args.root, args.out, ratios=ratios, progress=not args.quiet and sys.stderr.isatty(),
                       workers=args.workers, engine=args.engine, scheduler=args.scheduler,
                       use_cache=not args.no_cache, repo_id=args.repo_id, strict=strict, revision=args.tag)
    st = result.stats
    rows = result.rows
    on = " on dask" if args.engine == "dask" else ""
    print(f"release: {result.out}  ({time.perf_counter() - t0:.1f} s, {args.workers} worker(s){on})")
    print(f"  {'split':<11}{'documents':>10}{'sentences':>11}{'tokens':>10}")
    for s in SPLITS:
        note = "" if rows["default"][s] else "   (empty: no file, not in the card's configs)"
        print(f"  {s:<11}{rows['default'][s]:>10}{rows['ner'][s]:>11}{st['split_tokens'].get(s, 0):>10}{note}")
    print(f"  documents: {st['documents']} in {st['groups']} group(s), near-duplicate pairs: "
          f"{st['near_duplicate_pairs']}, rejected: {st['rejected']}")
    print(f"  entities: {st['layers'].get('entities', 0)}, quotes: {st['layers'].get('quotes', 0)}, sources: "
          f"{st['layers'].get('sources', 0)}, captions: {st['layers'].get('captions', 0)}, boilerplate spans: "
          f"{st['layers'].get('boilerplate', 0)}")
    unrep = st.get("ner_unrepresented", {})
    if unrep:
        print("  ner: spans left out of the tags: " + ", ".join(f"{v} {k}" for k, v in unrep.items())
              + " (ner_report.json)")
    print(f"  {result.accounting.line()}")
    print(f"  files: {len(result.files)} (README.md card, croissant.json, manifest.json, SHA256SUMS)")
    if result.moved:
        why = (f" (the ratios changed from {'/'.join(f'{r:g}' for r in result.previous_ratios)})"
               if result.previous_ratios and list(result.previous_ratios) != list(ratios) else "")
        sys.stdout.flush()
        print(f"  warning: {len(result.moved)} document(s) changed split since the previous release{why}:",
              file=sys.stderr)
        for d, (old, new) in list(result.moved.items())[:10]:
            print(f"    {d}: {old} -> {new}", file=sys.stderr)
    if result.rejected:
        print(f"  rejected: {len(result.rejected)} document(s), reasons in rejections.json:", file=sys.stderr)
        for doc_id, ps in result.rejected.items():
            print(f"    {doc_id}: {ps[0]['code']}: {ps[0]['message']}", file=sys.stderr)
        return 1
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from .release.publish import publish

    publish(args.repo_id, tag=args.tag, private=args.private, dry_run=args.dry_run, from_dir=args.from_dir,
            root=args.root, progress=not args.quiet and sys.stderr.isatty())  # as `build`: no bar into a log
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export

    report = export(args.format, args.split, args.out, config=args.config, source=args.source,
                    revision=args.revision)
    print(report.summary())
    return 0


def _reanchor_options(args: argparse.Namespace):
    from .annotations.reanchor import Options

    return Options(old_file=args.old, use_git=not args.no_git, partial=args.partial, allow_edits=args.allow_edits,
                   window=args.window, dry_run=args.dry_run)


def _print_reanchored(doc_id: str, result, verbose: bool, dry_run: bool) -> None:
    from collections import Counter

    how = Counter(m.method for m in result.moves)
    detail = ", ".join(f"{n} {k}" for k, n in sorted(how.items()))
    verb = "would move" if dry_run else "moved"
    print(f"{doc_id}: {verb} {len(result.moves)} span(s)" + (f" ({detail})" if detail else "") +
          f", {len(result.failures)} not placed; old text: {result.old_text_source}")
    if verbose:
        for m in result.moves:
            extra = f" now {m.new_text!r}" if m.new_text is not None else ""
            print(f"  {m.layer}/{m.id} {m.text!r} [{m.old[0]}, {m.old[1]}) -> [{m.new[0]}, {m.new[1]}) "
                  f"({m.method}){extra}")


@_locked("reanchor")
def _cmd_reanchor(args: argparse.Namespace) -> int:
    from .ingest import ingest
    from .annotations.reanchor import reanchor_corpus
    from .fsutil import check_doc_id
    from .repo import Repo

    repo = Repo.at(args.root)
    ids = args.ids or repo.annotation_ids()
    if args.old and len(ids) != 1:
        print("error: --old FILE takes exactly one document id", file=sys.stderr)
        return 2
    options = _reanchor_options(args)
    problems, failed = [], 0
    for doc_id in ids:
        note = "up to date"
        try:
            check_doc_id(doc_id, "<command line>")  # ids become paths: checked before any is built
            if args.from_corpus:
                result = reanchor_corpus(repo, doc_id, options, rules_path=args.rules)
            else:
                seed = repo.seed_path(doc_id)
                if not seed.exists():
                    raise CeasefireError(_problem("missing-file", "no seed for this document (use --from-corpus "
                                                  "to re-anchor onto the corpus text as it is)", str(seed)))
                r = ingest(seed, repo, rules_path=args.rules, reanchor=options)
                result = r.reanchored
                if r.text_changed and result is None:
                    note = "text changed, no manual spans to move" + ("" if args.dry_run else "; re-ingested")
        except CeasefireError as exc:
            problems.extend(exc.problems)
            failed += 1
            continue
        if result is None:
            if not args.quiet:
                print(f"{doc_id}: {note}")
            continue
        if not args.quiet or result.failures:
            _print_reanchored(doc_id, result, args.verbose, args.dry_run)
        if result.failures:
            failed += 1
            ann = repo.annotation_path(doc_id)
            shown = ann.relative_to(Path.cwd()) if ann.is_relative_to(Path.cwd()) else ann
            problems.extend(f.problem(str(shown)) for f in result.failures)
    if problems:
        print(render(problems), file=sys.stderr)
    return 1 if failed else 0


@_locked("import")
def _cmd_import(args: argparse.Namespace) -> int:
    from .annotations.importers import import_annotations
    from .repo import Repo
    from .annotations.validate import validate_document

    repo = Repo.at(args.root)
    fmt = {"labelstudio": "label-studio", "ls": "label-studio"}.get(args.format, args.format)
    # a wrong shape in the export is the importer's CeasefireError; anything else is a bug and shows as one
    r = import_annotations(repo, fmt, args.paths, args.doc, label_map=args.label_map, offsets=args.offsets,
                           task=args.task, annotation=args.annotation, replace=args.replace,
                           partial=args.partial, dry_run=args.dry_run)
    unit = {"codepoint": "code points", "utf16": "UTF-16 code units"}[r.imported.unit]
    verb = "imported" if r.written else "would import"
    print(f"{r.doc_id}: {verb} " + ", ".join(_added(k, n, r.present.get(k, 0)) for k, n in r.added.items()) +
          f" from {', '.join(r.sources)}\n  offsets: {unit}; tool text: {r.imported.placement}")
    if r.added and not any(r.added.values()) and any(r.present.values()):
        print(f"  nothing new: every annotation of the export is already in annotations/{r.doc_id}.json")
    if r.imported.problems:
        print(render(r.imported.problems), file=sys.stderr)
    failed = any(p.level == "error" for p in r.imported.problems)
    if r.written:
        problems, _ = validate_document(repo, r.doc_id, rel=Path.cwd())
        if problems:
            print(render(problems), file=sys.stderr)
            failed = True
    return 1 if failed else 0


def _added(layer: str, added: int, present: int) -> str:
    """`3 entities`, or `0 entities (4 already present)` when the export held items the document already has."""
    return f"{added} {layer}" + (f" ({present} already present)" if present else "")


def _cmd_stats(args: argparse.Namespace) -> int:
    from .release.stats import count_repo, render_stats

    st, problems = count_repo(args.root)
    print(json.dumps(st, indent=2) if args.json else render_stats(st))
    if problems:  # the counts above leave these out: never a success status with documents missing
        sys.stdout.flush()
        print(render(problems).rsplit("\n", 1)[0], file=sys.stderr)
        print(f"{len(problems)} problem(s): the counts above leave out the documents named here", file=sys.stderr)
        return 1
    return 0


def _write_page(html: str, out: str) -> None:
    from .fsutil import atomic_write_text

    if out == "-":
        sys.stdout.write(html)
    else:
        atomic_write_text(out, html)
        print(f"wrote {out}")


def _cmd_view(args: argparse.Namespace) -> int:
    from .viewer.inputs import from_raw_page, from_release, from_repository
    from .viewer.render import render_document

    if (args.raw is None) == (args.id is None):
        print("error: give a document ID, or --raw PAGE for a page not in the corpus (not both)", file=sys.stderr)
        return 2
    if args.raw is not None:
        from .limits import read_limited

        data = read_limited(args.raw, limit=args.max_bytes, what="text file")  # as `clean` reads a page
        doc = from_raw_page(data, args.raw, args.source, args.rules)
    elif args.release:
        doc = from_release(args.release, args.id, args.config)
    else:
        doc = from_repository(args.root, args.id, args.config)
    _write_page(render_document(doc), args.out or f"{doc.id}.html")
    return 0


def _cmd_site(args: argparse.Namespace) -> int:
    from .viewer.site import build_site

    result = build_site(args.release, args.out, progress=not args.quiet, root=args.root)
    if not args.quiet:
        print(f"release: {result.release}")
        print(f"site: {result.out}  ({result.documents} document page(s)); open {result.out / 'index.html'}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ceasefire-news",
        description="Build, validate and inspect the ceasefire-news corpus. Run from the repository root "
                    "(or pass --root). Data flows seeds/ -> corpus/ + annotations/ -> validate -> build -> release.",
        epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"ceasefire-news {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help: str, description: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=description, epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--root", default=".", help="repository root (default: the current folder)")
        return sp

    sp = add("ingest", "raw seeds -> corpus/<id>.txt and automatic annotation layers",
             "Normalise raw seeds into corpus/<id>.txt (the text every annotation points into) and write the\n"
             "automatic layers (boilerplate, captions, paragraphs) into annotations/<id>.json. Manual layers\n"
             "are never touched. A seed from outside seeds/ is copied in, with its <id>.meta.json sidecar\n"
             "if one lies beside it. The document id is the file name without .txt.")
    sp.add_argument("paths", nargs="*", metavar="PATH", help="seed files (default: every seed in seeds/)")
    sp.add_argument("--source", help="outlet name, to write a sidecar for a seed that has none")
    sp.add_argument("--language", default="en", help="language of a seed that has no sidecar (default: en)")
    sp.add_argument("--rules", help="boilerplate rules file (default: the packaged rules/boilerplate.yaml)")
    sp.add_argument("--max-bytes", type=_byte_count, default=None, metavar="N", help=MAX_BYTES_HELP)
    sp.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    sp.set_defaults(func=_cmd_ingest)

    sp = add("clean", "raw text -> the clean article body on stdout",
             "Normalise raw text (a file, or stdin) and print the clean article body: boilerplate and captions\n"
             "removed, paragraphs separated by blank lines. --json prints the body, the captions with their\n"
             "credits, and every removed span with its kind and offsets (normalised and raw).")
    sp.add_argument("path", nargs="?", metavar="PATH", help="a raw text file; '-' or nothing reads stdin")
    sp.add_argument("--source", help="outlet name, to apply that outlet's rules")
    sp.add_argument("--rules", help="boilerplate rules file (default: the packaged rules/boilerplate.yaml)")
    out = sp.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON: body, captions, removed spans")
    out.add_argument("--explain", action="store_true",
                     help="print every unit with keep or DROP, its kind, the rule id or signal that decided, and the\n"
                          "block model's P(article text)")
    sp.add_argument("--max-bytes", type=_byte_count, default=None, metavar="N", help=MAX_BYTES_HELP)
    sp.set_defaults(func=_cmd_clean)

    sp = add("validate", "check annotations, corpus texts and sidecars (exit 1 on problems)",
             "Check the repository (default) or the given files and folders: JSON syntax (line and column),\n"
             "JSON Schema (JSON pointer, what was expected and what was found), and the semantic checks: text\n"
             "hash, offsets, covered text, unique ids, references, labels, crossing spans, spans straddling\n"
             "boilerplate or paragraphs, sidecars, orphans, corpus drift. Every problem is reported, one per\n"
             "line: path:line:col: error [code] message. Codes are listed in docs/validation.md.\n"
             "Exit status: 0 no problems, 1 problems found, 2 usage error (bad option, a PATH that does not\n"
             "exist, a --root that is not a repository).")
    sp.add_argument("paths", nargs="*", metavar="PATH",
                    help="annotation files, corpus texts, seeds, sidecars, their folders (annotations/ ...) or "
                    "repository folders (default: all)")
    sp.add_argument("--format", choices=("text", "json", "github"), default="text",
                    help="text (default), json, or github (GitHub Actions ::error annotations)")
    sp.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default: 1)")
    sp.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)
    sp.add_argument("-q", "--quiet", action="store_true", help="print nothing when there are no problems")
    sp.set_defaults(func=_cmd_validate)

    sp = add("build", "build the release: Parquet splits of three configs, dataset card, Croissant, checksums",
             "Validate every document and write the release into --out: data/*.parquet for the default,\n"
             "full and ner configs and each non-empty split, README.md (the dataset card, with a label chart\n"
             "in images/), croissant.json, LICENSE.md, manifest.json, ner_report.json, rejections.json and\n"
             "SHA256SUMS. Splits follow a hash of each document's group (same story id or near-duplicate\n"
             "text), so copies of one story never straddle splits. The same inputs give byte-identical\n"
             "files, whatever --workers or --engine. The previous release stays intact until the new one\n"
             "is complete. Documents stream through in shards: memory stays bounded however big the corpus;\n"
             "a split of many rows is written as several files (train-00000-of-00004.parquet ...).")
    sp.add_argument("--out", default="dist", help="release folder (default: dist)")
    sp.add_argument("--ratios", default="80/10/10", help="train/validation/test ratios (default: 80/10/10)")
    sp.add_argument("--workers", type=int, default=1, metavar="N",
                    help="processes working on documents in parallel (default: 1); output is identical")
    sp.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="local: this machine (--workers processes); dask: a Dask cluster (needs the `dask` "
                         "extra), the one at --scheduler or else a LocalCluster of --workers processes")
    sp.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask)")
    sp.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)
    sp.add_argument("--repo-id", default=None, metavar="OWNER/NAME",
                    help="the Hub dataset the release is published as: the card's links and the Croissant url "
                         "name it (default: the project's own, ceasefire_news.hub.DEFAULT_REPO_ID)")
    sp.add_argument("--tag", type=_tag, default=None,
                    help="the tag the release is published as: the manifest, the card's load examples and the "
                         "Croissant licence link name it (default: v<package version>; `publish --from` "
                         "refuses another --tag)")
    sp.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                    help="any rejected document fails the build and the release is not written (default: on "
                         "when $CI is set, off otherwise: the other documents are released, the rejected ones "
                         "listed in rejections.json, exit status 1)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar (there is none off a terminal)")
    sp.set_defaults(func=_cmd_build)

    sp = add("publish", "check the release, then upload it to the Hugging Face Hub as one commit and tag it",
             "Build the release for --repo-id (or take the built folder --from DIR), run validation and the\n"
             "release checks (checksums, no stray or rejected files, card header, built for this repo id) and\n"
             "refuse on any failure. Then create the dataset repository if needed, upload the whole release in\n"
             "one commit (files no longer in the release are deleted in that commit) and tag it (default\n"
             "v<package version>; an existing tag is refused, never moved). The token comes from HF_TOKEN or\n"
             "`hf auth login` and is never printed or written. HF_ENDPOINT selects another Hub.")
    sp.add_argument("--repo-id", required=True, metavar="OWNER/NAME", help="the dataset repository on the Hub")
    sp.add_argument("--tag", type=_tag, help="the tag of the release (default: v<package version>; with --from, the "
                    "tag the folder was built for); a valid git tag name")
    sp.add_argument("--private", action="store_true", help="create the repository private")
    sp.add_argument("--dry-run", action="store_true", help="run the checks and list what would be uploaded")
    sp.add_argument("--from", dest="from_dir", metavar="DIR", help="publish this built release instead of building")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bars, the build's nor huggingface_hub's "
                    "upload bars (there are none off a terminal)")
    sp.set_defaults(func=_cmd_publish)

    sp = add("export", "write a split of a built release as CoNLL, JSON lines, brat or spaCy, with a loss report",
             "Read a built release (the embedded one, a folder or the Hub: --source) and write the documents of\n"
             "--split into --out: conll (CoNLL-2003 columns, IOB2 tags), jsonl (one document per line), brat\n"
             "(standoff .txt + .ann, quotes linked to their speakers), spacy (DocBin; needs spaCy). Whatever the\n"
             "format cannot hold (nested or overlapping spans, mid-token spans, quote-speaker links, captions)\n"
             "is counted and listed in OUT/loss.json and summed up on one line.")
    sp.add_argument("--format", required=True, choices=("conll", "jsonl", "brat", "spacy"), help="the format")
    sp.add_argument("--split", default="train", help="train, validation, test or all (default: train)")
    sp.add_argument("--config", default="default", choices=("default", "full"), help="the config (default: default)")
    sp.add_argument("--out", required=True, metavar="DIR", help="the folder to write")
    sp.add_argument("--source", default=None,
                    help="a release folder, 'hub' or 'hub:OWNER/NAME' (default: $CEASEFIRE_NEWS_SOURCE, else the "
                         "embedded release)")
    sp.add_argument("--revision", default=None,
                    help="a tag, branch or commit of the Hub dataset; without --source, a revision other than the "
                         "embedded release's own tag is fetched from the Hub (an error with a folder source)")
    sp.set_defaults(func=_cmd_export)

    sp = add("reanchor", "move manual spans onto a changed corpus text (or report them)",
             "When the normalised text of a document changes (a new normaliser, a corrected seed), move its\n"
             "manual spans onto the new text using their stored text and context, re-make the automatic layers\n"
             "and re-pin text_sha256 and normaliser_version. The new text is the normalised seed (what ingest\n"
             "writes) or, with --from-corpus, corpus/<id>.txt as it is. The old text is the corpus file when it\n"
             "still matches text_sha256, else --old FILE, else a matching version in git history, else it is\n"
             "rebuilt from the annotation file. A span moves only when its place is unambiguous; every other\n"
             "span is reported as `reanchor-failed` and, unless --partial, nothing is written.")
    sp.add_argument("ids", nargs="*", metavar="ID", help="document ids (default: every annotated document)")
    sp.add_argument("--old", metavar="FILE", type=_old_text_file,
                    help="the exact old corpus text (one document only)")
    sp.add_argument("--no-git", action="store_true", help="do not look for the old text in git history")
    sp.add_argument("--from-corpus", action="store_true",
                    help="the new text is corpus/<id>.txt as it is (after a hand edit), not the normalised seed")
    sp.add_argument("--partial", action="store_true",
                    help="write the spans that were placed even when some were not (those stay as they were)")
    sp.add_argument("--allow-edits", action="store_true",
                    help="accept a span whose inside changed while the text on both sides stayed (e.g. a typo fix)")
    sp.add_argument("--window", type=_window, default=200,
                    help="when no context is known, how near (characters) the one candidate must be (default 200)")
    sp.add_argument("--dry-run", action="store_true", help="report what would move; write nothing")
    sp.add_argument("--rules", help="boilerplate rules file (default: the packaged rules/boilerplate.yaml)")
    sp.add_argument("-v", "--verbose", action="store_true", help="list every span moved")
    sp.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    sp.set_defaults(func=_cmd_reanchor)

    sp = add("import", "import annotations from brat, doccano or Label Studio as manual layers",
             "Read an annotation tool's export, convert its offsets to code points (Label Studio, doccano and\n"
             "INCEpTION may count UTF-16 code units), check them against the tool's own covered text, place the\n"
             "spans on corpus/<id>.txt (directly, through the normaliser's offset map when the tool showed the\n"
             "raw seed, or by text alignment) and add them to annotations/<id>.json as manual items.\n"
             "Labels go through a label map (PER -> PERSON, QUOTE -> quote, ...; --label-map FILE adds to it);\n"
             "relations link quotes to speakers and cues. Unless --partial, nothing is written when any\n"
             "annotation cannot be imported. Formats: brat (.ann [+ .txt]), doccano (JSONL export),\n"
             "label-studio (JSON export).")
    sp.add_argument("format", metavar="FORMAT", choices=("brat", "doccano", "label-studio", "labelstudio", "ls"),
                    help="brat, doccano or label-studio")
    sp.add_argument("paths", nargs="+", metavar="PATH", help="the export (brat: the .ann, optionally its .txt)")
    sp.add_argument("--doc", required=True, metavar="ID", help="the document the annotations belong to")
    sp.add_argument("--label-map", metavar="FILE", help="YAML/JSON: tool label -> our label or layer")
    sp.add_argument("--offsets", choices=("auto", "codepoint", "utf16"), default="auto",
                    help="what the tool's offsets count (default auto: checked against its covered text)")
    sp.add_argument("--task", metavar="ID", help="the task (Label Studio) or line id (doccano) to import")
    sp.add_argument("--annotation", metavar="ID", help="Label Studio: the annotation (annotator) to import")
    sp.add_argument("--replace", action="store_true",
                    help="drop the document's existing manual entities, quotes and sources first")
    sp.add_argument("--partial", action="store_true", help="import what can be imported even if some cannot")
    sp.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
    sp.set_defaults(func=_cmd_import)

    sp = add("stats", "counts per layer, entity label and boilerplate kind",
             "Count the annotations of the repository: items per layer, entity labels, quote kinds, and the\n"
             "boilerplate removed per kind (items and characters).")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=_cmd_stats)

    sp = add("view", "one document as a standalone HTML page with its annotation layers",
             "Render one document as a single HTML file (inline CSS and a little JavaScript; nothing is\n"
             "fetched): entities highlighted with their labels, quotations with their speakers (hover or\n"
             "keyboard focus), unnamed sources, and in the full view the removed boilerplate (struck through,\n"
             "with its kind and rule) and the captions (boxed, with their credits); a toggle per layer.\n"
             "The document comes from the repository (through the release's row code) or, with --from, from a\n"
             "built release. --raw PAGE shows a page not yet in the corpus: what cleaning keeps and removes,\n"
             "and why.")
    sp.add_argument("id", nargs="?", metavar="ID", help="document id")
    sp.add_argument("--config", choices=("full", "default"), default="full",
                    help="full: the normalised text with every layer (default); default: the clean body")
    sp.add_argument("--from", dest="release", metavar="RELEASE", help="read the document from this built release")
    sp.add_argument("--raw", metavar="PAGE", help="a raw text file not in the corpus: show what cleaning does")
    sp.add_argument("--source", help="with --raw: outlet name, to apply that outlet's rules")
    sp.add_argument("--rules", help="with --raw: boilerplate rules file (default: the packaged rules)")
    sp.add_argument("--max-bytes", type=_byte_count, default=None, metavar="N", help="with --raw: " + MAX_BYTES_HELP)
    sp.add_argument("--out", metavar="FILE.html", help="where to write the page (default: ID.html; '-': stdout)")
    sp.set_defaults(func=_cmd_view)

    sp = add("site", "a static browse site for a built release (index, charts, one page per document)",
             "Write a static site for a built release into --out: index.html with the release's statistics\n"
             "and charts (documents, entity labels, boilerplate removed by kind), a table of documents with a\n"
             "filter by entity text or label, and doc/<id>.html per document (the `view` page). Relative links\n"
             "only: it works from file://, as a static Hugging Face Space and on GitHub Pages. The release is\n"
             "checked against its SHA256SUMS first; without --from it is <root>/dist when that holds a built\n"
             "release, else the loader's default, and the first line printed names it. An existing --out folder\n"
             "is replaced only if it is a site made by this command.")
    sp.add_argument("--out", required=True, metavar="DIR", help="the site folder")
    sp.add_argument("--from", dest="release", metavar="RELEASE",
                    help="the built release (default: <root>/dist when it holds one, else the loader's default: "
                         "$CEASEFIRE_NEWS_SOURCE, else the release embedded in the package)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    sp.set_defaults(func=_cmd_site)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    missing = [] if args.command in READ_SIDE else missing_distributions("build")
    if missing:  # a build command on the loader-only install
        print(MissingExtra(f"`ceasefire-news {args.command}`", missing), file=sys.stderr)
        return 1
    from .hub.quiet import quiet
    from .limits import max_bytes

    try:
        max_bytes(getattr(args, "max_bytes", None))  # a bad $CEASEFIRE_NEWS_MAX_BYTES: [bad-limit], whatever the input
        # huggingface_hub's own log lines and progress bars only on a terminal and without --quiet
        with quiet(getattr(args, "quiet", False) or not sys.stderr.isatty()):
            return args.func(args)
    except CeasefireError as exc:
        print(render(exc.problems).rsplit("\n", 1)[0], file=sys.stderr)
        return 2 if any(p.code in USAGE_CODES for p in exc.problems) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a folder that cannot be written, a full disk: the user's environment, not a bug
        where = exc.filename or "<file system>"
        print(f"{where}: error [os-error] {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
