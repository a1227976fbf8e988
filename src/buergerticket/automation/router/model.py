"""The router's model: TF-IDF features, a linear SVM, calibrated probabilities.

Character n-grams cope with German compounds and inflection ("Straßenlaterne",
"Laternen"), word n-grams with phrases. A linear SVM separates the services;
a multinomial logistic regression fitted on *out-of-fold* SVM scores turns
them into probabilities, so the confidence threshold means what it says.

The fitted model is stored as plain arrays in an ``.npz`` archive (no pickle)
and rebuilt for prediction: loading a model from the database can never run
code, and a newer scikit-learn reads it as well.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

ALGORITHM = "tfidf-char3-5+word1-2/linear-svm/logistic-calibration"
SVM_C = 0.5
CALIBRATION_C = 5.0
MAX_CHAR_FEATURES = 60_000
MAX_WORD_FEATURES = 40_000


def _vectorizers(n_docs: int) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    min_df = 2 if n_docs >= 50 else 1
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=min_df,
        max_features=MAX_CHAR_FEATURES,
        dtype=np.float32,
    )
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=MAX_WORD_FEATURES,
        dtype=np.float32,
    )
    return chars, words


@dataclass
class Predictor:
    """A fitted router model; ``predict`` returns (classes, probabilities)."""

    classes: list[str]
    chars: TfidfVectorizer
    words: TfidfVectorizer
    svm_coef: np.ndarray
    svm_intercept: np.ndarray
    cal_coef: np.ndarray
    cal_intercept: np.ndarray

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [self.chars.transform(texts), self.words.transform(texts)], format="csr"
        )

    def scores(self, features: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.svm_coef.T) + self.svm_intercept

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        z = scores @ self.cal_coef.T + self.cal_intercept
        if z.shape[1] == 1:  # two services: binary logistic regression
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.probabilities(self.scores(self.features(texts)))

    # --- storage ----------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            classes=np.array(self.classes, dtype=str),
            char_terms=np.array(self.chars.get_feature_names_out(), dtype=str),
            char_idf=self.chars.idf_.astype(np.float32),
            char_params=np.array(json.dumps(_params(self.chars))),
            word_terms=np.array(self.words.get_feature_names_out(), dtype=str),
            word_idf=self.words.idf_.astype(np.float32),
            word_params=np.array(json.dumps(_params(self.words))),
            svm_coef=self.svm_coef.astype(np.float32),
            svm_intercept=self.svm_intercept.astype(np.float32),
            cal_coef=self.cal_coef.astype(np.float64),
            cal_intercept=self.cal_intercept.astype(np.float64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Predictor:
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
            return cls(
                classes=[str(c) for c in arrays["classes"]],
                chars=_rebuild(arrays["char_terms"], arrays["char_idf"], arrays["char_params"]),
                words=_rebuild(arrays["word_terms"], arrays["word_idf"], arrays["word_params"]),
                svm_coef=arrays["svm_coef"],
                svm_intercept=arrays["svm_intercept"],
                cal_coef=arrays["cal_coef"],
                cal_intercept=arrays["cal_intercept"],
            )


def _params(vectorizer: TfidfVectorizer) -> dict[str, Any]:
    return {
        "analyzer": vectorizer.analyzer,
        "ngram_range": list(vectorizer.ngram_range),
        "sublinear_tf": vectorizer.sublinear_tf,
    }


def _rebuild(terms: np.ndarray, idf: np.ndarray, params: np.ndarray) -> TfidfVectorizer:
    options = json.loads(str(params))
    vectorizer = TfidfVectorizer(
        analyzer=options["analyzer"],
        ngram_range=tuple(options["ngram_range"]),
        sublinear_tf=options["sublinear_tf"],
        vocabulary={str(term): i for i, term in enumerate(terms)},
        dtype=np.float32,
    )
    vectorizer.idf_ = idf
    return vectorizer


def _svm_arrays(svm: LinearSVC) -> tuple[np.ndarray, np.ndarray]:
    coef, intercept = svm.coef_, svm.intercept_
    if coef.shape[0] == 1:  # binary: one hyperplane; make it one score per class
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return coef, intercept


def fit(texts: list[str], labels: list[str], weights: np.ndarray | None = None) -> Predictor:
    """Fit on all examples; calibration uses out-of-fold scores (3 folds)."""
    y = np.array(labels)
    chars, words = _vectorizers(len(texts))
    x = sparse.hstack([chars.fit_transform(texts), words.fit_transform(texts)], format="csr")
    svm = LinearSVC(C=SVM_C).fit(x, y, sample_weight=weights)
    smallest = int(np.unique(y, return_counts=True)[1].min())
    folds = StratifiedKFold(n_splits=max(2, min(3, smallest)), shuffle=True, random_state=0)
    oof = cross_val_predict(
        LinearSVC(C=SVM_C),
        x,
        y,
        cv=folds,
        method="decision_function",
        params={"sample_weight": weights} if weights is not None else None,
    )
    if oof.ndim == 1:
        oof = np.column_stack([-oof, oof])
    calibration = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(oof, y)
    svm_coef, svm_intercept = _svm_arrays(svm)
    assert list(calibration.classes_) == list(svm.classes_)
    return Predictor(
        classes=[str(c) for c in svm.classes_],
        chars=chars,
        words=words,
        svm_coef=np.asarray(svm_coef, dtype=np.float32),
        svm_intercept=np.asarray(svm_intercept, dtype=np.float32),
        cal_coef=calibration.coef_,
        cal_intercept=calibration.intercept_,
    )
