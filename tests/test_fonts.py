"""The text face prepared for the PDFs and the EPUBs: static instances, made once (in parallel) and kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tei_edition.print.fonts import font_cache, make_each, text_faces


def note_process(target: Path, text: str) -> None:
    """Write which process made the file (a function other processes can be handed)."""
    target.write_text(f"{text} {os.getpid()}", encoding="utf-8")


def test_several_are_made_in_processes_of_their_own(tmp_path: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: everything is made in this process")
    wanted = [(tmp_path / f"{n}.txt", str(n)) for n in range(3)]
    make_each(note_process, wanted)
    made = [(tmp_path / f"{n}.txt").read_text(encoding="utf-8").split() for n in range(3)]
    assert [text for text, _pid in made] == ["0", "1", "2"]
    assert all(int(pid) != os.getpid() for _text, pid in made)


def test_one_is_made_here(tmp_path: Path) -> None:
    make_each(note_process, [(tmp_path / "one.txt", "one")])
    assert (tmp_path / "one.txt").read_text(encoding="utf-8") == f"one {os.getpid()}"


def test_a_failure_in_another_process_reaches_the_caller(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        make_each(note_process, [(tmp_path / "missing" / "a.txt", "a"), (tmp_path / "missing" / "b.txt", "b")])


def test_the_text_faces_are_four_static_instances() -> None:
    from fontTools.ttLib import TTFont

    pytest.importorskip("fontpkg_eb_garamond")
    cache = font_cache()
    assert cache is not None
    faces = text_faces(cache)
    assert [(face.style, face.weight) for face in faces] == [
        ("normal", "400"),
        ("italic", "400"),
        ("normal", "700"),
        ("italic", "700"),
    ]
    for face in faces:
        font = TTFont(str(face.path))
        assert "fvar" not in font  # static: no variation axes left
        assert font["OS/2"].usWeightClass == int(face.weight)


def test_typst_reads_the_pdfs_faces_and_not_those_cut_down_for_the_epub() -> None:
    """Typst reads every font under the folders it is given: the EPUB's faces, cut down to fewer glyphs under the
    same names, must not be there, or a PDF would change (or lose glyphs) once an EPUB had been made."""
    pytest.importorskip("fontpkg_eb_garamond")
    from tei_edition.print.epub.package import embedded_faces
    from tei_edition.print.fonts import prepare_fonts
    from tei_edition.print.typeset import font_folders

    assert embedded_faces()  # made, in the same cache
    fonts = prepare_fonts(["Text"], Path("unused"), font_cache(), cut=False)
    read = [path for folder in font_folders(fonts) for path in Path(folder).rglob("*") if path.is_file()]
    assert sorted(p.name for p in read) == sorted(face.path.name for face in fonts.faces)
