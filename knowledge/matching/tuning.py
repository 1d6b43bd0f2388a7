"""Fitting the matcher's parameters and calibration on a labelled set (`sunshine tune`).

1. Structural parameters (how much similarity counts beside term hits, the
   intent and aspect thresholds) by coordinate search over small grids,
   maximising the share of questions handled right.
2. One logistic model per decision path, on whether that path's decisions
   were right, so that scores are probabilities.
3. The two answer thresholds from the fitted probabilities: below
   `clarify_threshold` abstaining is right more often than answering; at or
   above `answer_threshold` answers are right at least ANSWER_PRECISION of
   the time; in between, the desk asks "did you mean".

Fit on one labelled set and report on another (the shared dev set), so the
figures are not measured on what was fitted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from knowledge.matching.calibration import Calibration, Params, fit_logistic
from knowledge.matching.decide import Matcher
from knowledge.matching.evaluation import Labelled, Outcome, format_report, summarise
from knowledge.matching.match import DecisionPath
from knowledge.vocabulary import Intent

# The paths whose confidence is that of an entry being right (unsure: it was too low).
ANSWERING = frozenset({DecisionPath.ANSWER, DecisionPath.UNSURE})

ANSWER_PRECISION = 0.95

GRIDS: dict[str, tuple[float, ...]] = {
    "similar_weight": (0.5, 0.7, 0.9, 1.0, 1.2),
    "intent_similar_weight": (0.4, 0.6, 0.8, 1.0),
    "aspect_similar_weight": (0.4, 0.6, 0.8, 1.0),
    "aspect_threshold": (0.3, 0.4, 0.5, 0.6, 0.7),
    "uncued_aspect_threshold": (0.5, 0.6, 0.7, 0.8, 0.9, 1.01),
    "several_aspects": (2, 3, 99),
    "aspect_model_weight": (0.0, 0.3, 0.5, 0.7, 0.9),
    "general_margin": (0.8, 1.0, 1.2, 1.5),
    "contact_threshold": (0.6, 0.7, 0.8, 0.9),
    "complaint_threshold": (0.5, 0.6, 0.7, 0.8, 0.9),
    "referral_threshold": (0.4, 0.5, 0.6, 0.7, 0.8),
    "referral_similar_margin": (0.0, 0.5, 0.8, 1.0),
    "fuzzy_weight": (0.0, 0.5, 0.7, 0.9),
    "shared_term_discount": (0.0, 0.3, 0.6, 0.9),
    "contact_over_complaint": (-0.05, 0.0, 0.02, 0.05),
    "complaint_model_weight": (0.0, 0.2, 0.4, 0.6, 0.8),
}


def _run(matcher: Matcher, items: Sequence[Labelled], calibration: Calibration) -> list[Outcome]:
    matcher.calibration = calibration
    return [Outcome(item, matcher.match(item.question)) for item in items]


def _objective(outcomes: Sequence[Outcome]) -> float:
    return sum(o.correct for o in outcomes) + 0.5 * sum(
        o.intent_ok and o.entry_ok for o in outcomes
    )


def _path_right(o: Outcome) -> bool:
    m, item = o.match, o.item
    if m.path in ANSWERING:
        return item.entry is not None and m.entry == item.entry if m.entry else False
    if m.path is DecisionPath.CONTACT:
        return item.intent is Intent.CONTACT
    if m.path is DecisionPath.COMPLAINT:
        return item.intent is Intent.COMPLAINT
    return item.intent is Intent.NONE


def tune(
    matcher: Matcher, items: Sequence[Labelled], *, passes: int = 2
) -> tuple[Calibration, str]:
    """Fit everything; returns the calibration and a readable summary."""
    original = matcher.calibration
    params = replace(Params(), answer_threshold=0.0, clarify_threshold=0.0)
    best = _objective(_run(matcher, items, Calibration(params)))
    for _ in range(passes):
        for name, grid in GRIDS.items():
            for value in grid:
                trial = params.with_(**{name: value})
                score = _objective(_run(matcher, items, Calibration(trial)))
                if score > best:
                    best, params = score, trial

    outcomes = _run(matcher, items, Calibration(params))
    by_path: dict[DecisionPath, tuple[list[tuple[float, ...]], list[bool]]] = defaultdict(
        lambda: ([], [])
    )
    for o in outcomes:
        path = DecisionPath.ANSWER if o.match.path in ANSWERING else o.match.path
        rows, labels = by_path[path]
        rows.append(o.match.signals.features(path))
        labels.append(_path_right(o))
    models = {
        path.value: fit_logistic(rows, labels) for path, (rows, labels) in by_path.items() if rows
    }
    calibration = Calibration(params, models)

    # Thresholds on the calibrated answer probability.
    scored = []
    for o in outcomes:
        if o.match.path in ANSWERING:
            answer_features = o.match.signals.features(DecisionPath.ANSWER)
            p = calibration.probability(DecisionPath.ANSWER, answer_features)
            scored.append((p, _path_right(o), o.item.intent is Intent.NONE))
    clarify = _best_cut(scored)
    answer = clarify
    for cut in sorted({p for p, _, _ in scored if p >= clarify}):
        above = [right for p, right, _ in scored if p >= cut]
        if above and sum(above) / len(above) >= ANSWER_PRECISION:
            answer = cut
            break
    calibration = Calibration(
        params.with_(clarify_threshold=clarify, answer_threshold=answer), models
    )
    report = summarise(_run(matcher, items, calibration))
    matcher.calibration = original
    summary = (
        f"fitted on {len(items)} questions\n{format_report(report)}\nparams: {calibration.params}"
    )
    return calibration, summary


def _best_cut(scored: Sequence[tuple[float, bool, bool]]) -> float:
    """The abstention threshold that gets the most decisions right.

    Below the cut the desk abstains, which is right for out-of-scope questions;
    at or above it the desk answers, which is right when the entry is right.
    """
    cuts = sorted({0.0, *(p for p, _, _ in scored)})
    best_cut, best_right = 0.0, -1
    for cut in cuts:
        right = sum((ok if p >= cut else out_of_scope) for p, ok, out_of_scope in scored)
        if right > best_right:
            best_cut, best_right = cut, right
    return round(best_cut, 4)
