"""Extraction quality on the gold articles: `defcoop extract` scored by ../shared/eval/score.py.

python benchmarks/extraction_quality.py [--eval ../shared/eval] [--details]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--eval", default=str(Path(__file__).resolve().parents[2] / "shared" / "eval")
    )
    parser.add_argument("--details", action="store_true", help="per-article F1 too")
    args = parser.parse_args()
    folder = Path(args.eval)
    command = shutil.which("defcoop") or str(Path(sys.executable).parent / "defcoop")
    with tempfile.TemporaryDirectory() as tmp:
        predictions = Path(tmp) / "predictions.jsonl"
        subprocess.run(
            [
                command,
                "extract",
                "--input",
                str(folder / "articles.jsonl"),
                "--output",
                str(predictions),
            ],
            check=True,
            capture_output=True,
        )
        score = [
            sys.executable,
            str(folder / "score.py"),
            str(folder / "gold.jsonl"),
            str(predictions),
        ]
        if args.details:
            score.append("--details")
        print(subprocess.run(score, check=True, capture_output=True, text=True).stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
