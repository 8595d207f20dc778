"""Tokens of knowledge-base text, as Lucene's CJK analyser makes them (the analyser of the Neo4j
full-text index), so the embedded store's BM25 sees the words the Neo4j index sees.

The analyser folds full-width forms (NFKC here), lower-cases, splits words at Unicode word
boundaries (`LOG-020` is `log`, `020`), turns each run of Han, kana or Hangul into overlapping
bigrams (a lone character stays a unigram) and drops Lucene's English stop words.
"""

import re
import unicodedata

# Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, the CJK analyser's stop set.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    }
)
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECES = re.compile(rf"[{_CJK}]+|[^\W{_CJK}]+(?:[.,][^\W{_CJK}]+)*")
_CJK_RUN = re.compile(rf"[{_CJK}]")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The analysed tokens of `text`, in order."""
    folded = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for piece in _PIECES.findall(folded):
        if _CJK_RUN.match(piece):
            out.extend(_bigrams(piece))
        elif piece not in STOP_WORDS:
            out.append(piece)
    return out


def plain_query(text: str) -> str:
    """`text` as a full-text query of plain terms only: every character that Lucene's query
    syntax reads as an operator becomes a space, and words are lower-cased (so AND, OR and NOT
    are terms), leaving the analyser to split the rest."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_PIECES.findall(folded))
