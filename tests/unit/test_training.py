"""The learned layer: the shipped model matches the shipped knowledge and corpus, training
works end to end on a small corpus, and the model file round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.answering.desk import Desk
from knowledge.base.schema import Entry
from knowledge.matching.decide import topic_decision
from knowledge.matching.evaluation import Labelled
from knowledge.matching.model import COMPLAINT, fingerprint, load_model, save_model
from knowledge.matching.training import corpus_fingerprint, read_corpus, train
from knowledge.vocabulary import Aspect, Intent


def test_the_shipped_model_was_trained_on_the_shipped_knowledge_and_corpus(
    shipped: list[Entry],
) -> None:
    model = load_model()
    assert model is not None, "run: sunshine train --shipped"
    assert model.knowledge == fingerprint(shipped), "knowledge changed: sunshine train --shipped"
    assert model.meta["corpus_fingerprint"] == corpus_fingerprint(read_corpus()), (
        "the corpus changed: sunshine train --shipped"
    )


def test_the_corpus_is_large_and_covers_the_hard_kinds() -> None:
    corpus = read_corpus()
    complaints = [i for i in corpus if i.intent is Intent.COMPLAINT]
    referred = {i.refer for i in corpus if i.intent is Intent.NONE}
    assert len(corpus) >= 3000
    assert len(complaints) >= 400
    assert len([i for i in corpus if "long" in i.tags]) >= 400
    assert len(referred - {"smalltalk", "other", "ours-unlisted", "weather", "commerce"}) >= 15


def _tiny_corpus() -> list[Labelled]:
    rows: list[Labelled] = []
    for n in range(8):
        rows += [
            Labelled(f"低保怎么申请{n}", Intent.ANSWER, "dibao", Aspect.PROCEDURE),
            Labelled(f"低保要带什么材料{n}", Intent.ANSWER, "dibao", Aspect.MATERIALS),
            Labelled(f"结婚登记要带啥{n}", Intent.ANSWER, "marriage-registration", None),
            Labelled(f"村干部把低保给了亲戚{n}", Intent.COMPLAINT, None, None),
            Labelled(f"身份证丢了去哪补{n}", Intent.NONE, None, None, refer="police"),
        ]
    return rows


def test_training_writes_a_model_that_reads_back_and_decides(desk: Desk, tmp_path: Path) -> None:
    entries = [desk.entries["dibao"], desk.entries["marriage-registration"]]
    model = train(entries, desk.matcher.featurizer, _tiny_corpus(), topic_decision)
    path = tmp_path / "model.npz"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded is not None and loaded.knowledge == fingerprint(entries)
    features = desk.matcher.featurizer.read("村干部把低保给了他亲戚").features
    topics = loaded.topics(features)
    assert sum(topics.values()) == pytest.approx(1.0, abs=1e-4)
    assert max(topics, key=topics.__getitem__) == COMPLAINT
    assert topics == pytest.approx(model.topics(features), abs=2e-3)  # float16 weights on disk
