"""Run Hub operations in a fresh process, as a user would, and print one JSON result per step.

    python -m tests.hub_client '[{"op": "load", "source": "hub:o/n", "revision": "v0.1.0"}, ...]'

huggingface_hub and datasets read HF_ENDPOINT, HF_HOME, HF_TOKEN and HF_HUB_OFFLINE once, when imported, so
every configuration of those is its own process: the test sets them in the environment of this script.
Steps: load (ceasefire_news.load + documents: rows and whether every span matches its text), snapshot
(huggingface_hub.snapshot_download), datasets (datasets.load_dataset), publish (ceasefire_news.release.publish).
A CeasefireError becomes {"ok": false, "code": ..., "line": the rendered one-line error}.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def hub_env(endpoint: str, hf_home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh Hub client process (this script, the CLI, a README example): the caller's,
    without its own HF_*, HUGGINGFACE_* and CEASEFIRE_NEWS_* settings (a token, a cache, offline mode), pointed at
    `endpoint` with its cache in `hf_home`, no telemetry, and 5-second Hub timeouts so that a stalled loopback
    server fails a test instead of holding it; then `extra` (HF_TOKEN=..., HF_HUB_VERBOSITY=...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_", "CEASEFIRE_NEWS_"))}
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(hf_home), HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_ETAG_TIMEOUT="5",
               HF_HUB_DOWNLOAD_TIMEOUT="5")
    env.update(extra)
    return env


def _tag_names(ds) -> list[str] | None:
    """The class names of a `datasets` object's ner_tags (None: no such column, or plain integers)."""
    feature = getattr(ds, "features", {}).get("ner_tags")
    names = getattr(getattr(feature, "feature", None), "names", None)
    return list(names) if names is not None else None


def _step(step: dict) -> dict:
    op = step.pop("op")
    if op == "load":
        import ceasefire_news

        if "embedded" in step:  # stand-in for the folder the wheel carries
            from pathlib import Path

            import ceasefire_news.loader

            ceasefire_news.loader.EMBEDDED = Path(step.pop("embedded"))
        fmt = step.pop("format", "pandas")
        df = ceasefire_news.load(step.pop("split", "all"), format=fmt, **step)
        docs = list(ceasefire_news.documents("all", **{k: v for k, v in step.items() if k != "config"}))
        ok = all(d.text[e.start:e.end] == e.text for d in docs for e in d.entities)
        out = {"rows": len(df), "documents": len(docs), "spans_match": ok,
               "entities": sum(len(d.entities) for d in docs), "type": type(df).__name__}
        if fmt == "datasets":
            out["tag_names"] = _tag_names(df)
        return out
    if op == "snapshot":
        from huggingface_hub import snapshot_download

        path = snapshot_download(step["repo_id"], repo_type="dataset", revision=step["revision"],
                                 allow_patterns=step.get("allow_patterns"))
        from pathlib import Path

        return {"files": sorted(p.relative_to(path).as_posix() for p in Path(path).rglob("*") if p.is_file())}
    if op == "datasets":
        import datasets

        ds = datasets.load_dataset(step["repo_id"], step.get("config", "default"), revision=step["revision"])
        return {"splits": {k: v.num_rows for k, v in ds.items()}, "columns": ds[next(iter(ds))].column_names,
                "tag_names": _tag_names(ds[next(iter(ds))])}
    if op == "publish":
        from ceasefire_news.release.publish import publish

        r = publish(step.pop("repo_id"), **step)
        return {"commit": r.commit, "tag": r.tag, "files": r.files}
    raise ValueError(f"unknown op {op}")


def main() -> None:
    from ceasefire_news.errors import CeasefireError

    results = []
    for step in json.loads(sys.argv[1]):
        try:
            results.append({"ok": True, **_step(dict(step))})
        except CeasefireError as exc:
            results.append({"ok": False, "code": exc.problems[0].code, "line": exc.problems[0].render()})
        sys.stdout.flush()
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
