"""Fonts for the PDF editions: a serif text face for Latin, Greek and Cyrillic, and CJK faces cut to the text used.

The text face comes from the `fontpkg-eb-garamond` package (EB Garamond, a variable font with upright and italic
files); without it the PDFs fall back to the system's DejaVu Serif. Chinese, Japanese and Korean come from the
`noto-cjk-sans-otc` collection (one 19 MB .ttc): letting WeasyPrint subset the whole collection costs seconds per
PDF, so each face that is needed is extracted once per build and cut down to the characters the edition uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tei_edition.errors import BuildError
from tei_edition.output import toolcache
from tei_edition.output.cache import BuildCache

TEXT_FAMILY = "EB Garamond"
FALLBACK_FAMILY = "DejaVu Serif"
CJK_REQUIREMENT = "noto-cjk-sans-otc>=0.0.1"
TEXT_REQUIREMENT = "fontpkg-eb-garamond>=1.3"

# Script blocks drawn from the CJK collection: Hangul Jamo, CJK radicals to Yi (punctuation, kana, bopomofo,
# Hangul compatibility jamo, CJK Unified Ideographs and Extension A), Hangul syllables, compatibility ideographs,
# vertical and small forms, half- and full-width forms, and the supplementary ideograph planes.
_CJK_RE = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u3190-\u31ff"
    "\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff"
    "\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)

# language tag prefix -> (face name in the collection, our family name); first match wins, SC is the default.
_CJK_FACES: tuple[tuple[str, str, str], ...] = (
    ("ko", "Noto Sans CJK KR", "Edition CJK KR"),
    ("ja", "Noto Sans CJK JP", "Edition CJK JP"),
    ("zh-hant", "Noto Sans CJK TC", "Edition CJK TC"),
    ("zh-tw", "Noto Sans CJK TC", "Edition CJK TC"),
    ("zh-hk", "Noto Sans CJK HK", "Edition CJK HK"),
    ("zh", "Noto Sans CJK SC", "Edition CJK SC"),
)
_DEFAULT_CJK = ("Noto Sans CJK SC", "Edition CJK SC")
_LANG_ATTR_RE = re.compile(r"""\blang=["']([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)["']""")


@dataclass(frozen=True)
class FontFace:
    """One font file offered to the print stylesheet through @font-face."""

    family: str
    path: Path
    style: str = "normal"
    weight: str = "400"

    def css(self) -> str:
        """The @font-face rule for this file."""
        return (
            f"@font-face {{ font-family: '{self.family}'; font-style: {self.style}; "
            f"font-weight: {self.weight}; src: url('{self.path.as_uri()}'); }}"
        )


@dataclass(frozen=True)
class FontSet:
    """The faces of one build and the font-family lists the stylesheet uses, per language where they differ."""

    faces: tuple[FontFace, ...]
    text_family: str
    cjk_families: tuple[tuple[str, str], ...]  # (language prefix, family), most specific first
    default_cjk_family: str | None

    def font_face_css(self) -> str:
        """Every @font-face rule of the set."""
        return "\n".join(face.css() for face in self.faces)

    def stack(self, cjk_family: str | None = None) -> str:
        """A CSS font-family list: the text face, a CJK face, then fallbacks."""
        families = [self.text_family]
        cjk = cjk_family or self.default_cjk_family
        if cjk:
            families.append(cjk)
        families += [FALLBACK_FAMILY, "serif"]
        return ", ".join(f"'{f}'" if " " in f else f for f in families)

    def language_rules(self) -> str:
        """`:lang()` rules giving Korean, Japanese and traditional Chinese text their own CJK face."""
        rules = []
        for prefix, family in self.cjk_families:
            if family != self.default_cjk_family:
                rules.append(f":lang({prefix}) {{ font-family: {self.stack(family)}; }}")
        return "\n".join(rules)


def face_name(family: str) -> str:
    """The name a CJK family of ours ('Edition CJK KR') has in the font files ('Noto Sans CJK KR'); any other family
    is its own name."""
    return next((face for _prefix, face, ours in _CJK_FACES if ours == family), family)


def cjk_characters(texts: Iterable[str]) -> str:
    """The distinct CJK characters in the texts, sorted (so the subset, and the PDF, do not depend on order)."""
    found: set[str] = set()
    for text in texts:
        found.update(_CJK_RE.findall(text))
    return "".join(sorted(found))


def text_faces(cache: Path | None = None) -> tuple[FontFace, ...]:
    """The serif text face: static instances (regular, italic, bold, bold italic) cached in `cache`.

    EB Garamond ships as variable fonts, which WeasyPrint turns into static ones on every PDF it writes (about
    0.15 s per face and PDF); making the instances once and keeping them removes that cost from every later build.
    Without a usable cache the variable files are used as they are. Without the package, no face: DejaVu Serif.
    """
    try:
        import fontpkg_eb_garamond
    except ImportError:
        return ()
    folder = Path(fontpkg_eb_garamond.ROOT) / "files"
    sources = {"normal": folder / "EBGaramond[wght].ttf", "italic": folder / "EBGaramond-Italic[wght].ttf"}
    if not all(path.is_file() for path in sources.values()):
        return ()
    variable = tuple(FontFace(TEXT_FAMILY, path, style, "400 800") for style, path in sources.items())
    if cache is None:
        return variable
    # A folder of their own: Typst reads every font under it (the EPUB's faces, cut down, are kept elsewhere).
    folder = cache / "text"
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return variable
    faces, missing = [], []
    for style, weight in (("normal", 400), ("italic", 400), ("normal", 700), ("italic", 700)):
        source = sources[style]
        target = folder / f"EBGaramond-{style}-{weight}-{source.stat().st_size}.ttf"
        if not target.is_file():
            missing.append((source, weight, target))
        faces.append(FontFace(TEXT_FAMILY, target, style, str(weight)))
    try:
        make_each(_instantiate, missing)
    except OSError:
        return variable
    return tuple(faces)


def make_each(make: Callable[..., None], wanted: Sequence[tuple[Any, ...]]) -> None:
    """Call `make` with each tuple of arguments: in processes of their own when there are several and several cores.
    For fontTools' work on the text faces, a first build's longest step (a static instance: ~4.4 s of CPU; a face
    cut down for the EPUB: ~1 s), made once and kept in the font cache."""
    workers = min(len(wanted), os.cpu_count() or 1)
    if workers < 2:
        for arguments in wanted:
            make(*arguments)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from tei_edition.executor import process_context

    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
            for done in [pool.submit(make, *arguments) for arguments in wanted]:
                done.result()
    except BrokenProcessPool:  # a process died (out of memory, say): all are made here, one after the other
        for arguments in wanted:
            make(*arguments)


def font_cache() -> Path | None:
    """The folder where prepared fonts are kept between builds (`fonts` in the tool's cache, output/toolcache.py),
    if there is one and it may be written."""
    base = toolcache.cache_folder()
    if base is None:
        return None
    folder = base / "fonts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _instantiate(source: Path, weight: int, target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = instancer.instantiateVariableFont(TTFont(str(source), recalcTimestamp=False), {"wght": weight}, static=True)
    save_whole(font, target)


def save_whole(font: Any, target: Path) -> None:
    """Save a fontTools font as `target` so that another build running at the same time sees a whole file or none."""
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    font.save(str(partial))
    os.replace(partial, target)


def cut_font(font: Any, text: str = "", unicodes: Iterable[int] = ()) -> None:
    """Keep only the glyphs of `text` and `unicodes` in a fontTools font, with all its layout features (small
    capitals, old-style figures, vertical and locale forms: they cost little once cut down), its names, no hinting."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text, unicodes=list(unicodes))
    subsetter.subset(font)


def cjk_collection() -> Path:
    """The path of the Noto Sans CJK collection; a BuildError saying what to install when it is missing."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        raise BuildError(
            "the edition contains Chinese, Japanese or Korean characters, and the PDF needs a font for them: "
            f'install it with `pip install "{CJK_REQUIREMENT}"` (or build without PDFs: --no-pdf)'
        ) from None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.is_file():
        raise BuildError(f"the CJK font collection is missing at {path}: reinstall {CJK_REQUIREMENT}")
    return path


def prepare_fonts(
    texts: Iterable[str], workdir: Path, cache: Path | None = None, store: BuildCache | None = None, cut: bool = True
) -> FontSet:
    """Pick the faces for these texts, extracting and subsetting the CJK faces they need into `workdir`.

    With `store` (the build cache), a CJK face cut down to the same characters by an earlier build is taken from
    it (cutting the two faces of the sample edition took 1.4 s a build). With `cut` false the CJK faces are the
    collection itself, for an engine that reads font collections and subsets what it uses (Typst)."""
    texts = list(texts)
    text = text_faces(cache)
    characters = cjk_characters(texts)
    if not characters:
        return FontSet(
            faces=text, text_family=TEXT_FAMILY if text else FALLBACK_FAMILY, cjk_families=(), default_cjk_family=None
        )
    languages = {lang.lower() for t in texts for lang in _LANG_ATTR_RE.findall(t)}
    wanted: dict[str, str] = {_DEFAULT_CJK[0]: _DEFAULT_CJK[1]}
    families: list[tuple[str, str]] = []
    for prefix, face_name, family in _CJK_FACES:
        if any(lang == prefix or lang.startswith(prefix + "-") for lang in languages):
            wanted[face_name] = family
            families.append((prefix, family))
    collection = cjk_collection()
    faces = list(text)
    for face_name, family in sorted(wanted.items()):
        if not cut:
            faces.append(FontFace(family, collection))
            continue
        path = workdir / (family.replace(" ", "-") + ".otf")
        key = _subset_key(collection, face_name, characters)
        kept = store.get(key) if store is not None else None
        if kept is not None:
            path.write_bytes(kept)
        else:
            subset_face(collection, face_name, characters, path)
            if store is not None:
                store.put_many([(key, path.read_bytes())])
        faces.append(FontFace(family, path))
    return FontSet(
        faces=tuple(faces),
        text_family=TEXT_FAMILY if text else FALLBACK_FAMILY,
        cjk_families=tuple(families),
        default_cjk_family=_DEFAULT_CJK[1],
    )


def _subset_key(collection: Path, face_name: str, characters: str) -> str:
    """The build cache's key of a face cut down to `characters`: the collection (its name and size), the face, the
    characters and the version of fontTools, which does the cutting."""
    from fontTools import version as fonttools_version

    from tei_edition.output.hashing import content_key

    return content_key(
        "cjk-face", collection.name, str(collection.stat().st_size), face_name, characters, fonttools_version
    )


def subset_face(collection: Path, face_name: str, characters: str, target: Path) -> None:
    """Extract the face called `face_name` from a font collection, keep only `characters`, save it as `target`."""
    from fontTools.ttLib import TTCollection, TTFont

    names = [font["name"].getDebugName(4) for font in TTCollection(str(collection), lazy=True).fonts]
    if face_name not in names:
        raise BuildError(f"the font collection {collection} has no face {face_name!r} (it has: {', '.join(names)})")
    # recalcTimestamp=False keeps the file, and so the PDF, byte-identical across builds.
    font = TTFont(str(collection), fontNumber=names.index(face_name), lazy=True, recalcTimestamp=False)
    cut_font(font, text=characters)
    font.save(str(target), reorderTables=True)
