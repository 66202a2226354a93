"""Word and character n-gram TF-IDF features that persist as plain JSON (no pickles).

The sentence encoder knows meaning; these n-grams keep the exact words that separate
neighbouring banking intents ("top up" vs "transfer", "pending" vs "declined") and survive
typos (character n-grams). Every view reads the normalised text (`mixed_text`): words are
jieba's in Chinese, so 信用卡 and 丢了 are features, and a Traditional 帳戶 is 账户.
A view is described by plain values (kind, n-gram range, minimum document frequency), kept
beside its vocabulary, so a loaded model rebuilds exactly the analyzers it was trained with.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from assistant.components.mixed_text import normalise, words

# kind -> scikit-learn vectorizer arguments (besides the n-gram range)
KINDS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "tokenizer": words, "token_pattern": None},
    "char_wb": {"analyzer": "char_wb"},  # n-grams inside words: English
    "char": {"analyzer": "char"},  # n-grams across the text: Chinese has no spaces
}
DEFAULT_VIEWS: dict[str, dict[str, Any]] = {
    "word": {"kind": "word", "ngram_range": [1, 2], "min_df": 1},
    "char": {"kind": "char_wb", "ngram_range": [1, 6], "min_df": 2},
}


def _vectorizer_args(view: dict[str, Any]) -> dict[str, Any]:
    return {
        **KINDS[view["kind"]],
        "preprocessor": normalise,
        "ngram_range": tuple(view["ngram_range"]),
    }


class NgramFeatures:
    """Sublinear TF-IDF per view, L2-normalised per view, views side by side."""

    def __init__(self, params: dict[str, dict[str, Any]] | None = None) -> None:
        self._params = params or {}
        # sklearn's own analyzers (same n-grams as at fit time) with plain dict look-ups:
        # CountVectorizer.transform costs ~5 ms a call in validation alone.
        self._views = [
            (
                CountVectorizer(**_vectorizer_args(view)).build_analyzer(),
                view["vocabulary"],
                np.asarray(view["idf"]),
            )
            for view in self._params.values()
        ]
        self._width = sum(len(idf) for _, _, idf in self._views)

    @staticmethod
    def fit(texts: list[str], views: dict[str, dict[str, Any]] | None = None) -> NgramFeatures:
        params = {}
        for name, view in (views or DEFAULT_VIEWS).items():
            tfidf = TfidfVectorizer(
                sublinear_tf=True, min_df=view["min_df"], **_vectorizer_args(view)
            ).fit(texts)
            params[name] = {
                "kind": view["kind"],
                "ngram_range": list(view["ngram_range"]),
                "min_df": view["min_df"],
                "vocabulary": {term: int(i) for term, i in tfidf.vocabulary_.items()},
                "idf": tfidf.idf_.round(6).tolist(),
            }
        return NgramFeatures(params)

    @property
    def width(self) -> int:
        return self._width

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Rows of sublinear-tf x idf, each view L2-normalised, as TfidfVectorizer gives."""
        indptr, indices, values = [0], [], []
        for text in texts:
            offset = 0
            for analyze, vocabulary, idf in self._views:
                counts = Counter(i for i in map(vocabulary.get, analyze(text)) if i is not None)
                columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                weights = (1.0 + np.log(np.fromiter(counts.values(), float))) * idf[columns]
                norm = np.sqrt((weights**2).sum())
                indices.extend(columns + offset)
                values.extend(weights / norm if norm else weights)
                offset += len(idf)
            indptr.append(len(indices))
        return sp.csr_matrix((values, indices, indptr), shape=(len(texts), self._width))

    def to_json(self) -> dict[str, Any]:
        return self._params
