"""Word and character n-gram TF-IDF features that persist as plain JSON (no pickles).

The sentence encoder knows meaning; these n-grams keep the exact words that separate
neighbouring banking intents ("top up" vs "transfer", "pending" vs "declined") and survive
typos (character n-grams).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

VIEWS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1},
    "char": {"analyzer": "char_wb", "ngram_range": (1, 6), "min_df": 2},
}


class NgramFeatures:
    """Sublinear TF-IDF per view, L2-normalised per view, views side by side."""

    def __init__(self, params: dict[str, dict[str, Any]] | None = None) -> None:
        self._params = params or {}
        # sklearn's own analyzers (same n-grams as at fit time) with plain dict look-ups:
        # CountVectorizer.transform costs ~5 ms a call in validation alone.
        self._views = [
            (
                self._analyzer(name),
                self._params[name]["vocabulary"],
                np.asarray(self._params[name]["idf"]),
            )
            for name in self._params
        ]
        self._width = sum(len(idf) for _, _, idf in self._views)

    @staticmethod
    def fit(texts: list[str]) -> NgramFeatures:
        params = {}
        for name, view in VIEWS.items():
            tfidf = TfidfVectorizer(lowercase=True, sublinear_tf=True, **view).fit(texts)
            params[name] = {
                "vocabulary": {term: int(i) for term, i in tfidf.vocabulary_.items()},
                "idf": tfidf.idf_.round(6).tolist(),
            }
        return NgramFeatures(params)

    @staticmethod
    def _analyzer(name: str) -> Any:
        view = {k: v for k, v in VIEWS[name].items() if k != "min_df"}
        return CountVectorizer(lowercase=True, **view).build_analyzer()

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
