"""The reply tone checker: verdict, blame-shifting spans with messages, good-practice elements.

- Tone: class-balanced logistic regression over the shared text features, isotonic-calibrated.
- Spans: a learned clause classifier. Replies are cut into clauses (`training.clauses`); a clause
  inherits the category of the gold span covering most of it, else `none`; a logistic regression
  over the clause's lemma and character n-grams learns the nine classes. A clause whose blame
  probability reaches `span_threshold` becomes a span; neighbouring clauses of one category merge.
- Apology invariance: each blame-shifting training reply is also shown to the tone classifier with an
  apology in front (`training.guide_examples.APOLOGIES`), since an apology does not undo blame.
- Verdict and spans agree: a span at `confident_span` or above makes the reply `blame_shifting`
  whatever apology surrounds it, provided the tone model gives blame at least `span_support`; a
  `blame_shifting` verdict with no span shows its likeliest clause. Thresholds: cross-validation on
  train (`python -m training.select_tone`).
- Elements: one detector per element (`training.signals.SignalDetector` with `labels=ELEMENTS`),
  each present element with the words that show it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from training import text as textproc
from training.charngrams import WordColumns
from training.clauses import Clause, clauses, overlap
from training.fast import (
    CalibratedBank,
    CsrRows,
    GramColumns,
    LinearBank,
    WordTfidf,
    count_rows,
    logistic_from_scores,
    logistic_proba,
    softmax_rows,
    tfidf_blocks,
)
from training.features import FeatureSpace, TextFeatures, check_texts, cue_vector, pipeline_proba
from training.guide_examples import APOLOGIES, BLAME_EXAMPLES, SOFT_EXAMPLES
from training.labels import ELEMENTS, SPAN_CATEGORIES, TONES
from training.signals import SignalDetector
from training.tone_messages import message_for

NONE = "none"
SPAN_CLASSES: tuple[str, ...] = (NONE, *SPAN_CATEGORIES)
BLAME = TONES.index("blame_shifting")


def clause_labels(text: str, spans: Sequence[dict[str, Any]]) -> list[tuple[Clause, str]]:
    """Each clause with the category of the gold span sharing most characters with it, provided the
    shared part is at least half the clause or half the span; otherwise `none`."""
    out = []
    for clause in clauses(text):
        label = NONE
        best = 0
        for span in spans:
            shared = overlap(clause.start, clause.end, span["start"], span["end"])
            enough = 2 * shared >= clause.end - clause.start or 2 * shared >= span["end"] - span["start"]
            if shared > best and enough:
                best, label = shared, span["label"]
        out.append((clause, label))
    return out


class SpanDetector(BaseEstimator):
    """Two learned stages over clauses: is it a blame-shifting move, and if so which category.

    Splitting the decision keeps the category model focused on the eight moves (trained on the gold
    span texts and the clauses they cover, class-balanced) while the detector sees every clause.
    Both read one feature matrix per batch of clauses.
    """

    def __init__(
        self, C: float = 4.0, category_C: float = 4.0, cues: float = 1.0, context: float = 0.0, random_state: int = 0
    ):
        self.C = C
        self.category_C = category_C
        self.cues = cues
        self.context = context
        self.random_state = random_state

    def _with_context(self, x: sparse.csr_matrix, sizes: Sequence[int]) -> sparse.csr_matrix:
        """Each clause's features, then (weighted by `context`) its previous and next clause's.

        Off by default: out-of-fold on train it changed span category recall 0.559 → 0.561 (test
        split 0.520 → 0.571), too little to choose over the simpler model on train evidence alone."""
        if not self.context:
            return x
        rows = np.arange(x.shape[0])
        starts = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes) if len(sizes) else rows
        ends = starts + np.repeat(sizes, sizes) if len(sizes) else rows
        blank = sparse.csr_matrix((1, x.shape[1]))
        padded = sparse.vstack([x, blank]).tocsr()
        previous = np.where(rows - 1 >= starts, rows - 1, x.shape[0])
        following = np.where(rows + 1 < ends, rows + 1, x.shape[0])
        return sparse.hstack([x, self.context * padded[previous], self.context * padded[following]]).tocsr()

    def fit(self, texts: Sequence[str], span_lists: Sequence[Sequence[dict[str, Any]]]) -> SpanDetector:
        texts = check_texts(texts)
        units, labels, gold_units, gold_labels, sizes = [], [], [], [], []
        for text, spans in zip(texts, span_lists, strict=True):
            labelled = clause_labels(text, spans or [])
            sizes.append(len(labelled))
            for clause, label in labelled:
                units.append(clause.text)
                labels.append(label)
            for span in spans or []:
                gold_units.append(text[span["start"] : span["end"]])
                gold_labels.append(SPAN_CATEGORIES.index(span["label"]))
        is_blame = np.array([label != NONE for label in labels])
        if is_blame.all() or not is_blame.any():
            raise ValueError("span training data needs clauses both inside and outside blame-shifting spans")
        self.features_ = TextFeatures(cues=self.cues, cue_table="blame").fit(units + gold_units)
        x = self._with_context(self.features_.transform(units), sizes)
        detector = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)
        self.detector_ = detector.fit(x, is_blame)
        gold = self._with_context(self.features_.transform(gold_units), [1] * len(gold_units))
        x_blame = sparse.vstack([x[is_blame], gold]).tocsr()
        blame_labels = [SPAN_CATEGORIES.index(label) for label in labels if label != NONE] + gold_labels
        categorizer = LogisticRegression(
            C=self.category_C, class_weight="balanced", max_iter=3000, random_state=self.random_state
        )
        self.categorizer_ = categorizer.fit(x_blame, blame_labels)
        self.classes_ = np.array(SPAN_CLASSES)
        return self

    def proba_from_scores(self, scores: np.ndarray, detector: slice, categorizer: slice) -> np.ndarray:
        """The (clauses × 9) matrix of `clause_proba` from the detector's and categoriser's decisions
        (`logistic_proba`'s arithmetic: the sigmoid of the binary detector, the categoriser's softmax)."""
        proba = np.zeros((scores.shape[0], len(SPAN_CLASSES)))
        blame = expit(scores[:, detector.start])
        proba[:, 0] = 1.0 - blame
        category = softmax_rows(scores[:, categorizer])
        if len(self.categorizer_.classes_) < len(SPAN_CATEGORIES):  # a category never seen in training
            full = np.zeros((scores.shape[0], len(SPAN_CATEGORIES)))
            full[:, self.categorizer_.classes_] = category
            category = full
        proba[:, 1:] = blame[:, None] * category
        return proba

    def clause_proba(self, texts: Sequence[str]) -> list[tuple[list[Clause], np.ndarray]]:
        """Per text: its clauses and a (clauses × 9) matrix: P(none), then P(blame) × P(category)."""
        check_is_fitted(self, "detector_")
        per_text = [clauses(t) for t in check_texts(texts)]
        flat = [c.text for cl in per_text for c in cl]
        proba = np.zeros((len(flat), len(SPAN_CLASSES)))
        if flat:
            x = self._with_context(self.features_.transform(flat), [len(cl) for cl in per_text])
            blame = logistic_proba(self.detector_, x)[:, 1]
            category = np.zeros((len(flat), len(SPAN_CATEGORIES)))
            category[:, self.categorizer_.classes_] = logistic_proba(self.categorizer_, x)
            proba[:, 0] = 1.0 - blame
            proba[:, 1:] = blame[:, None] * category
        out, k = [], 0
        for cl in per_text:
            out.append((cl, proba[k : k + len(cl)]))
            k += len(cl)
        return out

    def spans_from(self, text: str, units: list[Clause], proba: np.ndarray, threshold: float) -> list[dict[str, Any]]:
        """Clauses whose blame probability reaches `threshold`, merged with same-category neighbours."""
        spans: list[dict[str, Any]] = []
        for clause, row in zip(units, proba, strict=True):
            blame = 1.0 - row[0]
            if blame < threshold:
                continue
            label = SPAN_CLASSES[1 + int(row[1:].argmax())]
            previous = spans[-1] if spans else None
            gap = text[previous["end"] : clause.start] if previous else ""
            if previous and previous["label"] == label and len(gap) <= 3 and not gap.strip(" ,;—–-"):
                previous["end"] = clause.end
                previous["score"] = max(previous["score"], blame)
            else:
                spans.append({"start": clause.start, "end": clause.end, "label": label, "score": blame})
        for span in spans:
            span["text"] = text[span["start"] : span["end"]]
        return spans


class ClauseTokens(NamedTuple):
    """Where a clause's tokens lie among its draft's, and its own lemma stream when that differs."""

    first: int
    last: int
    """The clause holds the draft's tokens [first, last)."""
    stream: tuple[str, ...] | None
    """The clause's lemma stream when it is not the draft's stream [first:last] (a negation just
    before the clause is glued to its first word in the draft, not in the clause alone); else None."""
    analysis: textproc.Analysis | None = None
    """The clause analysed alone when a token straddles its ends (not expected); else None."""


def clause_tokens(analysis: textproc.Analysis, units: Sequence[Clause]) -> list[ClauseTokens]:
    """Each clause's tokens, read off the whole text's (see `clause_analyses`)."""
    tokens, stream = analysis.tokens, analysis.stream
    starts = [t.start for t in tokens]
    out = []
    for unit in units:
        first, last = bisect_left(starts, unit.start), bisect_left(starts, unit.end)
        straddles = (first > 0 and tokens[first - 1].end > unit.start) or (
            last > first and tokens[last - 1].end > unit.end
        )
        if straddles:  # pragma: no cover - clause cuts fall between words
            out.append(ClauseTokens(first, last, None, textproc.analyse(unit.text)))
        elif first > 0 and last > first and stream[first] != tokens[first].lemma:
            # glued to a negation before the clause: only the first lemma differs
            out.append(ClauseTokens(first, last, (tokens[first].lemma, *stream[first + 1 : last])))
        else:
            out.append(ClauseTokens(first, last, None))
    return out


def clause_analyses(analysis: textproc.Analysis, text: str, units: Sequence[Clause]) -> list[tuple[tuple, list]]:
    """(lemma stream, normalised words) of each clause, read off the whole text's tokens.

    A clause is cut at spaces and punctuation, never inside a word, so its tokens are the text's
    tokens lying within it; negation is glued again within the clause only, as `analyse(clause)`
    would. A clause a token straddles (not expected) is analysed on its own instead."""
    out = []
    for part in clause_tokens(analysis, units):
        if part.analysis is not None:  # pragma: no cover - clause cuts fall between words
            out.append((part.analysis.stream, list(part.analysis.norms)))
            continue
        stream = part.stream if part.stream is not None else analysis.stream[part.first : part.last]
        out.append((tuple(stream), [t.norm for t in analysis.tokens[part.first : part.last]]))
    return out


class FastCheck:
    """What `ToneChecker.check` computes, with one analysis per draft and one product per feature space.

    Built from a fitted checker (not pickled: rebuilt on first use after loading). Per draft:

    - each lemma n-gram is looked up once for the three word vocabularies (`GramColumns`); a clause's
      n-grams are the draft's own, taken by position;
    - each word's character n-gram columns in the tone and clause vocabularies come from one cache
      look-up (`WordColumns`); a clause's are its words';
    - every block (tone words and characters, clause words and characters, element words) is counted
      with one sort and tf-idf weighted in one numpy pass (`tfidf_blocks`);
    - each model bank reads its blocks in turn, with no stacking (`LinearBank.scores_of_blocks`): the
      five calibration folds of the tone model, the clause detector and categoriser, the elements.

    The arithmetic is the reference path's, in the same order, so results are equal to the last bit
    (tests and `benchmarks/tone_equivalence.py` compare them). Supported: the shipped configuration
    (see `supports`); `ToneChecker.check` takes the reference path otherwise."""

    def __init__(self, checker: ToneChecker):
        self.sources = (checker.tone_, checker.spans_, checker.elements_)
        features, classifier = checker.tone_[0], checker.tone_[-1]
        self.tone_space = FeatureSpace(features)
        if isinstance(classifier, CalibratedClassifierCV):
            self.tone = CalibratedBank(classifier)
            self.tone_bank = self.tone.bank
            self.tone_proba = self.tone.proba_from_scores
        else:
            self.tone_bank = LinearBank([classifier])
            self.tone_proba = logistic_from_scores
        spans = checker.spans_
        self.spans = spans
        self.span_space = FeatureSpace(spans.features_)
        self.span_bank = LinearBank([spans.detector_, spans.categorizer_])
        elements = checker.elements_
        self.elements = elements
        self.element_words = WordTfidf(elements.vectorizer_)
        self.element_columns = [elements.labels.index(signal) for signal in elements.models_]
        self.element_bank = LinearBank(list(elements.models_.values())) if elements.models_ else None
        self.analyzer = self.tone_space.word.analyzer
        self.grams = GramColumns(
            [self.tone_space.word.vocabulary, self.span_space.word.vocabulary, self.element_words.vocabulary]
        )
        self.words = WordColumns([self.tone_space.char[0], self.span_space.char[0]])

    @staticmethod
    def supports(checker: ToneChecker) -> bool:
        """The configuration this path computes: no clause context; tone and clause features with
        character n-grams; one word analyser (unigrams and bigrams of the lemma stream) for all three
        word vocabularies; elements without cue columns, each a binary model."""
        if checker.spans_.context or len(checker.tone_) != 2:
            return False
        tone, spans, elements = checker.tone_[0], checker.spans_.features_, checker.elements_
        if not (isinstance(tone, TextFeatures) and isinstance(elements, SignalDetector)) or elements.cues:
            return False
        if tone.char_ is None or spans.char_ is None or tone.cues:
            return False
        analysers = {WordTfidf(v).plain for v in (tone.word_, spans.word_, elements.vectorizer_)}
        binary = all(model.coef_.shape[0] == 1 for model in elements.models_.values())
        return binary and len(analysers) == 1 and next(iter(analysers)) == ((1, 2), tone.word_.tokenizer)

    def is_for(self, checker: ToneChecker) -> bool:
        return all(
            a is b for a, b in zip(self.sources, (checker.tone_, checker.spans_, checker.elements_), strict=True)
        )

    def run(self, texts: list[str]) -> tuple[np.ndarray, list[tuple[list[Clause], np.ndarray]], list]:
        """(tone probabilities, per text its clauses and clause matrix, per text its elements)."""
        analyses = [textproc.analyse(t) for t in texts]
        per_text = [clauses(t) for t in texts]
        lookup, analyzer, words = self.grams.lookup, self.analyzer, self.words
        tone_size, span_size = (dtype.itemsize for dtype in words.dtypes)
        text_ids: list[int] = []  # n-gram ids of every draft, draft after draft
        text_lengths: list[int] = []
        tone_chars: list[bytes] = []  # character n-gram columns of every draft
        clause_ids: list[int] = []  # n-gram ids of every clause, clause after clause
        clause_lengths: list[int] = []
        clause_chars: list[bytes] = []
        cue_rows: list[list[float]] = []
        for analysis, units in zip(analyses, per_text, strict=True):
            stream = analysis.stream
            ids = lookup(analyzer(" ".join(stream)))
            text_ids += ids
            text_lengths.append(len(ids))
            columns = [words(t.norm) for t in analysis.tokens]
            tone_chars.append(b"".join([c[0] for c in columns]))
            n = len(stream)
            by_position = len(ids) == 2 * n - 1  # unigrams then bigrams, one per lemma and pair
            for part, unit in zip(clause_tokens(analysis, units), units, strict=True):
                first, last = part.first, part.last
                if part.analysis is not None:  # pragma: no cover - clause cuts fall between words
                    unit_stream, unit_words = part.analysis.stream, [words(norm) for norm in part.analysis.norms]
                else:
                    unit_stream, unit_words = part.stream or stream[first:last], columns[first:last]
                if part.stream is None and part.analysis is None and by_position and last > first:
                    unit_ids = ids[first:last] + ids[n + first : n + last - 1]
                else:
                    unit_ids = lookup(analyzer(" ".join(unit_stream)))
                clause_ids += unit_ids
                clause_lengths.append(len(unit_ids))
                clause_chars.append(b"".join([c[1] for c in unit_words]))
                cue_rows.append(cue_vector(unit_stream, unit.text, self.span_space.cue_table))
        table = self.grams.table
        text_grams = np.array(text_ids, dtype=np.int64)
        tone_space, span_space, element_words = self.tone_space, self.span_space, self.element_words
        (tone_counts, tone_weights), (span_counts, span_weights) = tone_space.char, span_space.char
        tone_flat = np.frombuffer(b"".join(tone_chars), dtype=words.dtypes[0])
        clause_flat = np.frombuffer(b"".join(clause_chars), dtype=words.dtypes[1])
        tone_char_lengths = [len(chunk) // tone_size for chunk in tone_chars]
        clause_char_lengths = [len(chunk) // span_size for chunk in clause_chars]
        counted = [
            (count_rows(table[0][text_grams], text_lengths, tone_space.word.n_columns), tone_space.word.transformer),
            (count_rows(tone_flat, tone_char_lengths, len(tone_counts.vocabulary_)), tone_weights),
            (
                count_rows(table[1][np.array(clause_ids, dtype=np.int64)], clause_lengths, span_space.word.n_columns),
                span_space.word.transformer,
            ),
            (count_rows(clause_flat, clause_char_lengths, len(span_counts.vocabulary_)), span_weights),
            (count_rows(table[2][text_grams], text_lengths, element_words.n_columns), element_words.transformer),
        ]
        tone_words, tone_char, span_words, span_char, element_rows = tfidf_blocks(counted)
        proba = self.tone_proba(self.tone_bank.scores_of_blocks([tone_words, tone_char]))

        if clause_lengths:
            cue_block = cue_csr(cue_rows, span_space.cues, span_space.n_cues)
            scores = self.span_bank.scores_of_blocks([span_words, cue_block, span_char])
            flat = self.spans.proba_from_scores(scores, *self.span_bank.slices)
        else:
            flat = np.zeros((0, len(SPAN_CLASSES)))
        scores_out, k = [], 0
        for units in per_text:
            scores_out.append((units, flat[k : k + len(units)]))
            k += len(units)

        element_proba = np.zeros((len(texts), len(self.elements.labels)))
        if self.element_bank is not None:  # binary models: each one decision column
            element_proba[:, self.element_columns] = expit(self.element_bank.scores_of_blocks([element_rows]))
        elements = self.elements.explain_rows(
            texts, analyses, (element_rows.indptr, element_rows.indices, element_rows.data), element_proba
        )
        return proba, scores_out, elements


def cue_csr(rows: Sequence[Sequence[float]], weight: float, n_columns: int) -> CsrRows:
    """The cue block of `FeatureSpace.rows`: each row's cue values times `weight`, zeros left out."""
    indptr, indices, values = [0], [], []
    for row in rows:
        for column, value in enumerate(row):
            if weight * value != 0:
                indices.append(column)
                values.append(weight * value)
        indptr.append(len(indices))
    return CsrRows(np.array(values, dtype=np.float64), np.array(indices, dtype=np.int32), np.array(indptr), n_columns)


def guide_records() -> list[dict[str, Any]]:
    """The guide's example phrases as reply records (see `training.guide_examples`)."""
    out: list[dict[str, Any]] = []
    for category, phrases in BLAME_EXAMPLES.items():
        for phrase in phrases:
            text = phrase if phrase.endswith(("?", ".")) else f"{phrase}."
            span = {"start": 0, "end": len(phrase.rstrip("?.")), "label": category}
            out.append({"text": text, "tone": "blame_shifting", "spans": [span], "elements": []})
    out.extend({"text": t, "tone": "neutral", "spans": [], "elements": ["explanation"]} for t in SOFT_EXAMPLES)
    return out


class ToneChecker(BaseEstimator):
    """The whole linter: fit on guide-format reply records, `check` drafts."""

    def __init__(
        self,
        C: float = 8.0,
        span_threshold: float = 0.3,
        confident_span: float = 0.7,
        span_support: float = 0.2,
        fallback_span: float = 0.3,
        guide_examples: bool = True,
        apology_augment: bool = True,
        random_state: int = 0,
    ):
        self.C = C
        self.span_threshold = span_threshold
        self.confident_span = confident_span
        self.span_support = span_support
        self.fallback_span = fallback_span
        self.guide_examples = guide_examples
        self.apology_augment = apology_augment
        self.random_state = random_state

    def fit(self, records: Sequence[dict[str, Any]]) -> ToneChecker:
        check_texts([r["text"] for r in records])
        if self.guide_examples:
            records = [*records, *guide_records()]
        texts = [r["text"] for r in records]
        unknown = sorted({r["tone"] for r in records} - set(TONES))
        if unknown:
            raise ValueError(f"unknown tone label(s) {unknown}; expected {list(TONES)}")
        tone_texts, tones, groups = list(texts), [r["tone"] for r in records], list(range(len(records)))
        if self.apology_augment:
            rng = np.random.default_rng(self.random_state)
            for k, record in enumerate(records):
                if record["tone"] == "blame_shifting":
                    tone_texts.append(f"{APOLOGIES[rng.integers(len(APOLOGIES))]} {record['text']}")
                    tones.append("blame_shifting")
                    groups.append(k)
        y = np.array([TONES.index(t) for t in tones])
        # an augmented copy stays in its original's fold, or calibration would see training texts
        folds = StratifiedGroupKFold(5, shuffle=True, random_state=self.random_state).split(tone_texts, y, groups)
        base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)
        calibrated = CalibratedClassifierCV(base, method="isotonic", cv=list(folds))
        self.tone_ = make_pipeline(TextFeatures(), calibrated).fit(tone_texts, y)
        self.spans_ = SpanDetector(random_state=self.random_state).fit(texts, [r.get("spans") or [] for r in records])
        self.elements_ = SignalDetector(labels=ELEMENTS, cues=False, random_state=self.random_state).fit(
            texts, [r.get("elements", []) for r in records]
        )
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated tone probabilities, columns in `TONES` order."""
        check_is_fitted(self, "tone_")
        return pipeline_proba(self.tone_, check_texts(texts))

    def _fast_check(self) -> FastCheck | None:
        """The compiled check path for the fitted models (built once, rebuilt after a new `fit`)."""
        fast = self.__dict__.get("_fast")
        if fast is None or not fast.is_for(self):
            fast = FastCheck(self) if FastCheck.supports(self) else None
            self.__dict__["_fast"] = fast
        return fast

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__getstate__().items() if k != "_fast"}  # a cache, rebuilt on load

    def check(
        self, texts: Sequence[str], model_version: str = "unversioned", fast: bool = True
    ) -> list[dict[str, Any]]:
        """The linter result per draft (the `predict replies` contract).

        `fast=False` takes the reference path (each fitted estimator on its own); both give the same."""
        texts = check_texts(texts)
        check_is_fitted(self, "tone_")
        compiled = self._fast_check() if fast else None
        if compiled is not None:
            proba, clause_scores, elements = compiled.run(texts)
        else:
            proba = self.predict_proba(texts)
            clause_scores = self.spans_.clause_proba(texts)
            elements = self.elements_.explain(texts)
        out = []
        for row, text in enumerate(texts):
            units, scores = clause_scores[row]
            spans = self.spans_.spans_from(text, units, scores, self.span_threshold)
            tone = TONES[int(proba[row].argmax())]
            confident = any(s["score"] >= self.confident_span for s in spans)
            if confident and proba[row, BLAME] >= self.span_support:
                tone = "blame_shifting"
            elif tone == "blame_shifting" and not spans:
                spans = self.spans_.spans_from(text, units, scores, self.fallback_span)[:1]
            if tone != "blame_shifting":
                spans = []
            present = {e.label: e for e in elements[row]}
            out.append(
                {
                    "tone": tone,
                    "scores": {name: float(p) for name, p in zip(TONES, proba[row], strict=True)},
                    "spans": [self._render(span) for span in spans],
                    "elements": {
                        "present": [e for e in ELEMENTS if e in present],
                        "missing": [e for e in ELEMENTS if e not in present],
                    },
                    "element_spans": {
                        name: [{"start": v.start, "end": v.end, "text": v.text} for v in present[name].spans]
                        for name in ELEMENTS
                        if name in present
                    },
                    "model_version": model_version,
                }
            )
        return out

    @staticmethod
    def _render(span: dict[str, Any]) -> dict[str, Any]:
        message, suggestion = message_for(span["label"], span["text"])
        return {
            "start": span["start"],
            "end": span["end"],
            "label": span["label"],
            "text": span["text"],
            "score": round(float(span["score"]), 4),
            "message": message,
            "suggestion": suggestion,
        }
