"""The `ceasefire-news` command line: ingest, clean, validate, build, stats.

Exit codes: 0 all well, 1 problems found (each printed on one line), 2 usage error. A mistake in the
input is reported as `file:line:col: error [code] message`, never as a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import CeasefireError, render

EPILOG = "Exit status: 0 when all is well, 1 when problems were found, 2 on a usage error."


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest
    from .repo import Repo

    repo = Repo.at(args.root)
    paths = [Path(p) for p in args.paths] or [repo.seed_path(i) for i in repo.seed_ids()]
    if not paths:
        print("nothing to ingest: no seeds given and none in seeds/", file=sys.stderr)
        return 1
    problems = []
    for p in paths:
        try:
            r = ingest(p, repo, source=args.source, language=args.language, rules_path=args.rules)
        except CeasefireError as exc:
            problems.extend(exc.problems)
            continue
        if not args.quiet:
            print(f"{r.doc_id}: {r.paragraphs} blocks, {r.boilerplate} boilerplate, {r.captions} captions"
                  f"{' (text changed)' if r.text_changed else ''} -> {r.corpus_path.relative_to(repo.root)}, "
                  f"{r.annotation_path.relative_to(repo.root)}")
    if problems:
        print(render(problems), file=sys.stderr)
        return 1
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:
    from .boilerplate import detect, load_rules
    from .normalize import normalize_bytes
    from .view import body_view

    if args.path in (None, "-"):
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            data, name = Path(args.path).read_bytes(), args.path
        except OSError as exc:
            raise CeasefireError(_problem("missing-file", f"cannot read: {exc.strerror}", args.path)) from None
    norm = normalize_bytes(data, name)
    if norm.report.encoding != "utf-8" or norm.report.mojibake_repaired:
        what = [f"decoded as {norm.report.encoding}"] if norm.report.encoding != "utf-8" else []
        if norm.report.mojibake_repaired:
            what.append(f"{norm.report.mojibake_repaired} mojibake sequence(s) repaired")
        print(f"{name}: warning [repaired-encoding] {', '.join(what)}", file=sys.stderr)
    det = detect(norm.text, args.source, load_rules(args.rules))
    view = body_view(norm.text, [(b.start, b.end) for b in det.blocks], [(s, e) for s, e, _ in det.removed()])
    if not args.json:
        sys.stdout.write(view.body + ("\n" if view.body else ""))
        return 0

    def raw(s: int, e: int) -> dict:
        rs, re_ = norm.offsets.to_raw(s, e)
        return {"start": s, "end": e, "raw_start": rs, "raw_end": re_}

    removed = [{**raw(r.start, r.end), "kind": r.kind, "rule": r.rule, "text": r.text} for r in det.boilerplate]
    removed += [{**raw(c.start, c.end), "kind": "caption", "rule": "caption-credit", "text": c.text}
                for c in det.captions]
    out = {"body": view.body,
           "captions": [{**raw(c.start, c.end), "text": c.text, "credit": c.credit, "agency": c.agency,
                         "photographer": c.photographer,
                         "credits": [vars(x) for x in c.credits]} for c in det.captions],
           "removed": sorted(removed, key=lambda x: x["start"]),
           "normalisation": {"encoding": norm.report.encoding, "bom_removed": norm.report.bom_removed,
                             "mojibake_repaired": norm.report.mojibake_repaired, "changes": norm.report.changes},
           "offsets": "start/end: code points into the normalised text; raw_start/raw_end: code points into the "
                      "decoded input"}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _problem(code: str, message: str, file: str):
    from .errors import Problem

    return Problem(code, message, file)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_paths

    problems, files, spans = validate_paths(args.paths, root=args.root, progress=args.format == "text")
    print(render(problems, args.format, files))
    if args.format == "text" and not problems and not args.quiet:
        print(f"{spans} annotations checked", file=sys.stderr)
    return 1 if any(p.level == "error" for p in problems) else 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    ratios = tuple(float(x) for x in args.ratios.split("/"))
    if len(ratios) != 3 or any(r < 0 for r in ratios) or not sum(ratios):
        print("error: --ratios takes three non-negative numbers, e.g. 80/10/10", file=sys.stderr)
        return 2
    result = build(args.root, args.out, ratios=ratios, progress=not args.quiet)
    st = result.stats
    print(f"release: {result.out}")
    print("  splits: " + ", ".join(f"{s} {len(ids)}" for s, ids in result.released.items()))
    print(f"  documents: {st['documents']}, entities: {st['layers'].get('entities', 0)}, quotes: "
          f"{st['layers'].get('quotes', 0)}, captions: {st['layers'].get('captions', 0)}, boilerplate spans: "
          f"{st['layers'].get('boilerplate', 0)}")
    print(f"  files: {len(result.files)} (checksums in SHA256SUMS)")
    if result.rejected:
        print(f"  rejected: {len(result.rejected)} document(s), reasons in rejections.json:", file=sys.stderr)
        for doc_id, ps in result.rejected.items():
            print(f"    {doc_id}: {ps[0]['code']}: {ps[0]['message']}", file=sys.stderr)
        return 1
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from .stats import render_stats, repo_stats

    st = repo_stats(args.root)
    print(json.dumps(st, indent=2) if args.json else render_stats(st))
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
    sp.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    sp.set_defaults(func=_cmd_ingest)

    sp = add("clean", "raw text -> the clean article body on stdout",
             "Normalise raw text (a file, or stdin) and print the clean article body: boilerplate and captions\n"
             "removed, paragraphs separated by blank lines. --json prints the body, the captions with their\n"
             "credits, and every removed span with its kind and offsets (normalised and raw).")
    sp.add_argument("path", nargs="?", metavar="PATH", help="a raw text file; '-' or nothing reads stdin")
    sp.add_argument("--source", help="outlet name, to apply that outlet's rules")
    sp.add_argument("--rules", help="boilerplate rules file (default: the packaged rules/boilerplate.yaml)")
    sp.add_argument("--json", action="store_true", help="print JSON: body, captions, removed spans")
    sp.set_defaults(func=_cmd_clean)

    sp = add("validate", "check annotations, corpus texts and sidecars (exit 1 on problems)",
             "Check the repository (default) or the given files and folders: JSON syntax (line and column),\n"
             "JSON Schema (JSON pointer and value), and semantic checks: text hash, offsets, covered text,\n"
             "unique ids, references, labels, crossing spans, sidecars, orphans, corpus drift.\n"
             "One line per problem: path:line:col: error [code] message. Codes are listed in the README.")
    sp.add_argument("paths", nargs="*", metavar="PATH", help="annotation files, seeds or folders (default: all)")
    sp.add_argument("--format", choices=("text", "json", "github"), default="text",
                    help="text (default), json, or github (GitHub Actions annotations)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no summary of what was checked on success")
    sp.set_defaults(func=_cmd_validate)

    sp = add("build", "build the release: Parquet splits, dataset card, checksums",
             "Validate every document and write the release into --out: data/*.parquet per config and split,\n"
             "README.md (the dataset card), manifest.json, rejections.json and SHA256SUMS. The same inputs\n"
             "give byte-identical files. The previous release stays intact until the new one is complete.")
    sp.add_argument("--out", default="dist", help="release folder (default: dist)")
    sp.add_argument("--ratios", default="80/10/10", help="train/validation/test ratios (default: 80/10/10)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=_cmd_build)

    sp = add("stats", "counts per layer, entity label and boilerplate kind",
             "Count the annotations of the repository: items per layer, entity labels, quote kinds, and the\n"
             "boilerplate removed per kind (items and characters).")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=_cmd_stats)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CeasefireError as exc:
        print(render(exc.problems).rsplit("\n", 1)[0], file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
