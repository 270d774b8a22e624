"""Extraction quality on the gold pages: `defcoop extract` scored by ../shared/eval/score.py,
over all of them and over the parts that tell fitting from progress.

    python -m benchmarks.extraction_quality [--eval ../shared/eval] [--json]

The parts: the 32 pages the rules were first written on and the 51 added later; the non-English
pages; and two folds fixed by a hash of the page id. Rules are developed on fold A (only its
errors are read) and fold B is held apart: its score is the one to trust for unseen pages.
"""

import argparse
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
OLD_PAGES = 32  # the first lines of gold.jsonl: the pages the first rules were written on
ROWS = (
    ("entities", lambda r: r["entities"]["all"]["f1"]),
    ("  person", lambda r: r["entities"].get("person", {}).get("f1", 0.0)),
    ("  organization", lambda r: r["entities"].get("organization", {}).get("f1", 0.0)),
    ("  location", lambda r: r["entities"].get("location", {}).get("f1", 0.0)),
    ("  agreement", lambda r: r["entities"].get("agreement", {}).get("f1", 0.0)),
    ("  equipment", lambda r: r["entities"].get("equipment", {}).get("f1", 0.0)),
    ("  country", lambda r: r["entities"].get("country", {}).get("f1", 0.0)),
    ("events: type", lambda r: r["events"]["type"]["f1"]),
    ("  + countries", lambda r: r["events"]["type+countries"]["f1"]),
    ("  + date", lambda r: r["events"]["type+countries+date"]["f1"]),
    ("published_at", lambda r: r["metadata"]["published_at"]),
)


def fold_of(page_id: str) -> str:
    """A or B, fixed by the page id alone (about a third of the pages in B)."""
    return "B" if int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 3 == 0 else "A"


def parts(gold: list[dict[str, Any]]) -> dict[str, Callable[[int, dict[str, Any]], bool]]:
    return {
        "all": lambda i, g: True,
        "old 32": lambda i, g: i < OLD_PAGES,
        "new 51": lambda i, g: i >= OLD_PAGES,
        "non-English": lambda i, g: g.get("lang") not in (None, "en"),
        "fold A (dev)": lambda i, g: fold_of(str(g["id"])) == "A",
        "fold B (held)": lambda i, g: fold_of(str(g["id"])) == "B",
    }


def load_scorer(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", folder / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def predict(folder: Path, ids: set[str], out: Path) -> None:
    """Run `defcoop extract` over the gold pages only."""
    pages = out.parent / "pages.jsonl"
    with pages.open("w", encoding="utf-8") as handle:
        for line in (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip() and str(json.loads(line)["id"]) in ids:
                handle.write(line + "\n")
    command = shutil.which("defcoop") or str(Path(sys.executable).parent / "defcoop")
    subprocess.run(
        [command, "extract", "--input", str(pages), "--output", str(out)],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", default=str(EVAL))
    parser.add_argument("--predictions", help="score this file instead of extracting")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(args.eval)
    scorer = load_scorer(folder)
    gold = [json.loads(line) for line in (folder / "gold.jsonl").open() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        predictions = Path(args.predictions or Path(tmp) / "predictions.jsonl")
        if not args.predictions:
            predict(folder, {str(g["id"]) for g in gold}, predictions)
        predicted = scorer.read_jsonl(str(predictions))
    results: dict[str, dict[str, Any]] = {}
    for name, wanted in parts(gold).items():
        rows = {str(g["id"]): g for i, g in enumerate(gold) if wanted(i, g)}
        results[name] = {"pages": len(rows), **scorer.score(rows, predicted)}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    names = list(results)
    print(f"{'F1 (pages)':<18}" + "".join(f"{n:>15}" for n in names))
    print(f"{'':<18}" + "".join(f"{'(' + str(results[n]['pages']) + ')':>15}" for n in names))
    for label, value in ROWS:
        print(f"{label:<18}" + "".join(f"{value(results[n]):>15.3f}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
