"""Happenings on the eval pages: every page of ../shared/eval/articles.jsonl ingested (the
extractor runs: nothing curated), its happenings exported and scored by score_happenings.py
against the gold clusters and hard negatives, overall and on two folds fixed by a hash of
the cluster or pair (rules are developed reading fold A only; fold B is held apart).

    python -m benchmarks.happenings_quality [--eval ../shared/eval] [--details] [--keep DIR]
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def fold_of(name: str) -> str:
    return "B" if int(hashlib.sha256(name.encode()).hexdigest(), 16) % 3 == 0 else "A"


def export(url: str, out: Path, unnamed: list[str]) -> int:
    """Each happening as score_happenings.py reads it: type, the lead's states, article urls
    (the eval ids of pages with no url, `unnamed`, matched in the order they were stored)."""
    from app.models import Article, Entity, Event, EventParticipant, Happening

    engine = create_engine(url)
    with Session(engine) as session:
        without = list(
            session.scalars(select(Article.id).where(Article.url.is_(None)).order_by(Article.id))
        )
        names = dict(zip(without, unnamed, strict=False))
        members: dict[int, set[str]] = {}
        # the pages that report or announce it: a later article that mentions it in passing
        # (role "background") reports something else
        for happening_id, article_id, page in session.execute(
            select(Event.happening_id, Article.id, Article.url)
            .join(Article, Article.id == Event.article_id)
            .where(Event.happening_role != "background")
        ):
            members.setdefault(happening_id, set()).add(page or names.get(article_id, "?"))
        states: dict[int, set[str]] = {}
        for happening_id, code in session.execute(
            select(Event.happening_id, Entity.code)
            .join(EventParticipant, EventParticipant.event_id == Event.id)
            .join(Entity, Entity.id == EventParticipant.entity_id)
            .where(Event.is_lead, Entity.kind == "country")
        ):
            states.setdefault(happening_id, set()).add(code)
        rows = session.execute(select(Happening.id, Happening.type)).all()
    engine.dispose()
    with out.open("w", encoding="utf-8") as handle:
        for happening_id, kind in rows:
            handle.write(
                json.dumps(
                    {
                        "id": happening_id,
                        "type": kind,
                        "countries": sorted(states.get(happening_id, ())),
                        "articles": sorted(members.get(happening_id, ())),
                    }
                )
                + "\n"
            )
    return len(rows)


def score(folder: Path, gold: Path, pred: Path, details: bool) -> dict[str, object]:
    command = [sys.executable, str(folder / "score_happenings.py"), str(gold), str(pred)]
    command += ["--articles", str(folder / "articles.jsonl")]
    result = json.loads(
        subprocess.run([*command, "--json"], check=True, capture_output=True, text=True).stdout
    )
    if details:
        print(
            subprocess.run(
                [*command, "--details"], check=True, capture_output=True, text=True
            ).stdout
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=EVAL)
    parser.add_argument("--details", action="store_true", help="list fold A's misses only")
    parser.add_argument("--keep", type=Path, help="keep the database and predictions here")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="happenings-"))
    work.mkdir(parents=True, exist_ok=True)
    database = work / "eval.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url}
    command = shutil.which("defcoop") or str(Path(sys.executable).parent / "defcoop")
    subprocess.run([command, "db", "upgrade"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [command, "ingest", str(args.eval / "articles.jsonl")],
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    pred = work / "happenings.jsonl"
    pages = [json.loads(line) for line in (args.eval / "articles.jsonl").open(encoding="utf-8")]
    count = export(url, pred, [str(p["id"]) for p in pages if not p.get("url")])
    gold = [json.loads(line) for line in (args.eval / "happenings.jsonl").open(encoding="utf-8")]
    print(f"{count} happenings from {args.eval / 'articles.jsonl'} (ingest {seconds:.1f} s)")
    print(
        f"{'part':<10} {'pairs':>5} {'recall':>7} {'merged':>9} {'prec':>6} {'F1':>6} {'whole':>7}"
    )
    for part in ("all", "A", "B"):
        chosen = [
            g
            for g in gold
            if part == "all" or fold_of(g.get("cluster") or "+".join(g["not_same"])) == part
        ]
        path = work / f"gold-{part}.jsonl"
        path.write_text("".join(json.dumps(g) + "\n" for g in chosen), encoding="utf-8")
        r = score(args.eval, path, pred, details=args.details and part == "A")
        print(
            f"{part:<10} {r['pairs']:>5} {r['recall']:>7.3f} {r['merged']:>4}/{r['hard_negatives']:<4}"
            f" {r['precision']:>6.3f} {r['f1']:>6.3f} {r['clusters_whole']:>3}/{r['clusters']:<3}"
        )
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
