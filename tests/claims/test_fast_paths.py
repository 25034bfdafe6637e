"""The fast paths of the claim core give exactly what the plain regexes give."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from watcher.claims import clauses as cl
from watcher.claims import extract as ex
from watcher.claims import lexicon as lx
from watcher.claims import match as mt
from watcher.claims.deadlines import _PATTERNS as DEADLINE_PATTERNS
from watcher.claims.fastre import WordAlternation, words_of
from watcher.claims.fastsearch import GatedSearch, HeadSearch, LiteralScan
from watcher.claims.sentences import lower_same_length, split_sentences

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "claims"


def _sentences() -> list[str]:
    out: list[str] = []
    for p in sorted(DATA.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        out += [text[a:b] for a, b in split_sentences(text)]
    return out


def _fuzz(vocab: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12))) for _ in range(n)]


SENTENCES = _sentences()
LOWS = [lower_same_length(s) for s in SENTENCES]


def test_word_alternation_equals_combined_regex() -> None:
    vocab = sorted(set(lx.VERB_FAST._tokens) | set(lx.ACTOR_FAST._tokens)) + [
        "not", "to", "without", "the", ",", "-", "취소", "재확인", "合意", "dr.", "think-tank", "n't", "be"]
    texts = LOWS + _fuzz(vocab, 3000, 1)
    for fast in (lx.VERB_FAST, lx.ACTOR_FAST):
        assert fast.fast
        for t in texts:
            want = [(m.lastgroup, m.span()) for m in fast.combined.finditer(t)]
            assert [(name, m.span()) for name, m in fast.finditer(t)] == want, t
            assert fast.maybe(t, words_of(t)) or not want


def test_word_alternation_with_prefixes_and_chars() -> None:
    groups = [("a", re.compile(r"\bcancel\w*|\bcall(?:ed)? off\b")), ("b", re.compile(r"취소|\bno\b|n't\b")),
              ("c", re.compile(r"\bAmerica|\bU\.\s?S\."))]
    fast = WordAlternation(groups)
    texts = _fuzz(["cancelled", "call", "called", "off", "no", "don't", "취소", "America", "Americans", "U.S.",
                   "U. S.", "x", "won't"], 3000, 2)
    for t in texts:
        want = [(m.lastgroup, m.span()) for m in fast.combined.finditer(t)]
        assert [(n, m.span()) for n, m in fast.finditer(t)] == want, t
        assert fast.present(t) == {n for n, rx in groups if rx.search(t)}, t


@pytest.mark.parametrize(
    "pattern",
    [lx.NEGATION, lx.DENIAL, lx.REVERSAL, lx.RETROSPECTIVE, lx.PRESENT_LINK, lx.REPORTED, lx.CREATION_DECIDED,
     lx.CREATION_VERB, lx.TRILATERAL_WORD, lx.OTHER_FORMAT, lx.NONGOV_ACTOR, lx.FIRST_PERSON, lx.PASSIVE_AUX,
     ex._SPECULATIVE, ex._NONGOV_SAY, mt._SETTING, *(rx for _, rx in lx.COUNTRIES),
     *(rx for _, rx in DEADLINE_PATTERNS)],
)
def test_head_and_gated_search_equal_search(pattern: re.Pattern[str]) -> None:
    head, gated = HeadSearch(pattern), GatedSearch(pattern)
    texts = SENTENCES + LOWS
    for t in texts:
        for pos, end in ((0, len(t)), (3, max(3, len(t) - 2))):
            want = pattern.search(t, pos, end)
            got = head.search(t, pos, end)
            assert (want and (want.span(), want.groups())) == (got and (got.span(), got.groups())), t
        plain = pattern.search(t)
        assert bool(gated.search_in(t, words_of(t))) == bool(plain), t


def test_literal_scan_finds_overlapping_literals() -> None:
    scan = LiteralScan({"JP": ("日米", "日本"), "US": ("米国",), "KR": ("韓国", "日韓")})
    assert scan.keys("日米国防相会談") == {"JP", "US"}
    assert scan.keys("日韓国") == {"KR"}
    assert scan.keys("nothing") == set()


def test_countries_and_other_format_equal_plain_patterns() -> None:
    vocab = ["U.S.", "US", "USA", "United States", "American", "North Korea", "North Korean", "N. Korea", "N.K.",
             "Korea", "Korean Peninsula", "South Korea", "Seoul", "Japan", "日米国防相", "日米韓", "韓国", "한미일",
             "China", "Beijing", "Quad", "bilateral", "AUKUS", "alliance", "and", ",", "-", "New Delhi", "India"]
    for t in SENTENCES + _fuzz(vocab, 3000, 3):
        assert lx.countries_in(t) == frozenset(c for c, rx in lx.COUNTRIES if rx.search(t)), t
        want_other = bool(lx.OTHER_FORMAT.search(t)) and not lx.USJPKR_FORMAT.search(t)
        assert lx.other_format(t) == want_other, t


def test_term_trie_equals_flat_alternation() -> None:
    terms = ["freedom edge", "freedom edge exercise", "edge", "summit", "summits", "trilateral summit",
             "real time", "한미일 정상회의", "정상회의", "ab", "abes"]
    trie, flat = re.compile(mt._term_rx(terms)), re.compile(mt._flat_term_rx(terms))
    vocab = ["freedom", "edge", "edges", "exercise", "exercises", "summit", "summits", "summites", "trilateral",
             "real", "time", "한미일", "정상회의", "ab", "abes", "abs", "x"]
    for t in _fuzz(vocab, 5000, 4):
        assert [(m.span(), m.group()) for m in trie.finditer(t)] == [(m.span(), m.group()) for m in flat.finditer(t)]


def test_clause_split_regex_is_the_original() -> None:
    original = re.compile(
        r";\s+|,\s+(?:but|while|whereas|although|though|even as)\s+|\s+while\s+|\s+as the\s+|,?\s+when\s+|"
        r",\s+and\s+(?=(?:they|we|he|she|it|while|also|then|later|added|the \w+ (?:said|added))\b)|"
        r"\s+but\s+(?=(?:they|we|he|she|it|the|officials|later|then)\b)"
    )
    vocab = [";", ",", " ", "  ", "but", "while", "whereas", "when", "and", "they", "the", "minister", "said",
             "as", "as the", "even as", "officials", "x"]
    rng = random.Random(5)
    for _ in range(20000):
        t = "".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        assert [m.span() for m in cl.CLAUSE_SPLIT.finditer(t)] == [m.span() for m in original.finditer(t)], t
