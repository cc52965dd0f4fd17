"""Shared paths for the news tests: the labelled set is found as ``<repo>/../shared/news_eval``."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELDOUT = Path(__file__).resolve().parent / "data" / "news_heldout"


def news_eval_dir() -> Path:
    env = os.environ.get("CRITMIN_NEWS_EVAL")
    return (Path(env) if env else REPO.parent / "shared" / "news_eval").resolve()


def extract_folder(folder: Path) -> list[dict]:
    from critmin.domain.news.clean import clean_text
    from critmin.domain.news.extract import extract_facts

    out = []
    for p in sorted(folder.glob("*.txt")):
        art = clean_text(p.read_text(encoding="utf-8"), article_id=p.stem)
        out += extract_facts(art)
    return out


def write_jsonl(facts: list[dict], path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for f in facts:
            fh.write(json.dumps(f, ensure_ascii=False) + "\n")
    return path
