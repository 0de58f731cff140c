"""The per-source stage of the build: one Saxon parse per document, shared by Schematron and the stylesheets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tei_edition import saxon
from tei_edition.pipeline.stage import SourceTask, SourceWorker, StageSettings
from tei_edition.tei.parse import parse_bytes
from tei_edition.transform import xslt as transform
from tei_edition.transform.xslt import Transformer
from tei_edition.validate import FileValidator, package_schema

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "tei" / "documents").glob("*.xml"))
REGISTERS = sorted((REPO / "tei" / "registers").glob("*.xml"))


@pytest.fixture(scope="module")
def worker() -> SourceWorker:
    registers = tuple((p, p.read_bytes()) for p in REGISTERS)
    return SourceWorker(
        StageSettings(
            rng=package_schema("edition.rng"),
            schematrons=(package_schema("edition.sch"),),
            xslt_dir=None,
            media=("screen", "print"),
            registers=registers,
            registers_key="worker-stage",
        )
    )


class _CountingProcessor:
    """Wraps the Saxon processor and counts the documents it parses."""

    def __init__(self, processor: object):
        self.processor = processor
        self.parsed = 0

    def parse_xml(self, **kwargs: object) -> object:
        self.parsed += 1
        return self.processor.parse_xml(**kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.processor, name)


def test_each_document_is_parsed_by_saxon_once(worker: SourceWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    worker.process(SourceTask(SAMPLES[0], SAMPLES[0].read_bytes(), True))  # schemas and stylesheets compiled
    counting = _CountingProcessor(saxon.saxon_processor())
    monkeypatch.setattr(saxon, "saxon_processor", lambda: counting)
    monkeypatch.setattr(transform, "saxon_processor", lambda: counting)
    for path in SAMPLES:
        result = worker.process(SourceTask(path, path.read_bytes(), True))
        assert {media for _doc, media in result.bodies} == {"screen", "print"}
    assert counting.parsed == len(SAMPLES)


def test_the_shared_tree_gives_what_separate_parses_give(worker: SourceWorker) -> None:
    validator = FileValidator(package_schema("edition.rng"), (package_schema("edition.sch"),))
    transformer = Transformer()
    for path in SAMPLES:
        data = path.read_bytes()
        body = data.index(b"<body")
        data = data[:body] + data[body:].replace(b"<persName ref=", b"<persName rend=", 1)  # a Schematron warning
        result = worker.process(SourceTask(path, data, True, encoding=False))
        assert result.core is not None
        tree = parse_bytes(data, path)
        diagnostics, _schemas = validator.validate(tree, path)
        assert result.core.diagnostics == diagnostics
        assert any(d.rule == "name-ref" for d in diagnostics)
        [document] = result.core.documents
        doc_id = document.id
        for media in ("screen", "print"):
            params = {"root": "../../" if media == "screen" else "", "media": media, "doc-id": doc_id}
            assert result.bodies[(doc_id, media)] == transformer.transform(tree, params)
