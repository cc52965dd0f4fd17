"""The labelled news corpus: valid gold labels, splits disjoint by outlet, texts matching their checksums."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from _news_helpers import news_eval_dir

CORPUS = Path(__file__).resolve().parent / "data" / "news_corpus"
SPLITS = ("train", "dev", "test")


def _manifest() -> list[dict]:
    return [json.loads(line) for line in (CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _gold(split: str) -> list[dict]:
    text = (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_splits_are_disjoint_by_outlet_and_article():
    man = _manifest()
    outlets = {s: {m["outlet"] for m in man if m["split"] == s} for s in SPLITS}
    assert all(outlets[s] for s in SPLITS)
    assert not (outlets["train"] & outlets["dev"]) and not (outlets["train"] & outlets["test"])
    assert not (outlets["dev"] & outlets["test"])
    ids = [m["article_id"] for m in man]
    assert len(ids) == len(set(ids))


def test_gold_facts_belong_to_their_split_and_counts_match_manifest():
    man = {m["article_id"]: m for m in _manifest()}
    for split in SPLITS:
        gold = _gold(split)
        assert {f["article_id"] for f in gold} <= {a for a, m in man.items() if m["split"] == split}
        for aid, m in man.items():
            if m["split"] == split:
                assert sum(f["article_id"] == aid for f in gold) == m["n_facts"], aid


@pytest.mark.parametrize("split", SPLITS)
def test_gold_is_valid_for_the_scorer(split):
    score = news_eval_dir() / "score.py"
    if not score.exists():
        pytest.skip("news_eval scorer not available")
    gold = CORPUS / f"{split}.jsonl"
    args = [sys.executable, str(score), "--gold", str(gold), "--pred", str(gold)]
    if (CORPUS / "articles").is_dir():
        args += ["--articles", str(CORPUS / "articles")]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "F1 1.000"
    if "--articles" in args:
        n = len(_gold(split))
        assert f"evidence verbatim (pred): {n}/{n}" in out


def test_article_texts_match_their_checksums():
    folder = CORPUS / "articles"
    if not folder.is_dir():
        pytest.skip("article texts are not redistributed; rebuild them from the manifest URLs")
    for m in _manifest():
        data = (folder / f"{m['article_id']}.txt").read_bytes()
        assert hashlib.sha256(data).hexdigest() == m["sha256"], m["article_id"]
        text = data.decode("utf-8").splitlines()
        assert text[0] == f"SOURCE: {m['source']}" and text[1] == f"DATE: {m['date']}"
