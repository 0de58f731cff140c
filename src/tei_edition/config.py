"""edition.toml -> a frozen EditionConfig; every problem is collected before failing once."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from tei_edition.errors import ConfigError, ConfigProblem
from tei_edition.paper import PAPER_SIZES
from tei_edition.rules import RuleSettings, check_rule_settings

CONFIG_NAME = "edition.toml"
# [sources] split: the documents inside a file (tei/parts.py): a teiCorpus's TEI, a volume's div[@type='document'].
DEFAULT_SPLIT = "/tei:teiCorpus/tei:TEI | //tei:body//tei:div[@type='document']"
XPATH_NAMESPACES = {"tei": "http://www.tei-c.org/ns/1.0"}


class SplitError(ValueError):
    """The split XPath cannot be used."""


def compile_split(expression: str) -> etree.XPath:
    """The split XPath compiled (XPath 1.0, with the prefix tei bound); SplitError when it is not one."""
    try:
        return etree.XPath(expression, namespaces=XPATH_NAMESPACES)
    except etree.XPathSyntaxError as exc:
        raise SplitError(f"'{expression}' is not an XPath expression: {exc}") from None


PDF_ENGINES = ("typst", "weasyprint")
# The About page's text: [edition] about, else the first of these files in the edition's folder.
DEFAULT_ABOUT = ("about.md", "about.xml")
ABOUT_SUFFIXES = (".md", ".markdown", ".xml")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_LENGTH_RE = re.compile(r"^\d+(\.\d+)?(mm|cm|in|pt|px)$")
# [sources] schema: the name of a RELAX NG schema shipped with the package, or the path of the edition's own.
BUILT_IN_SCHEMAS: dict[str, str] = {"edition": "edition.rng", "tei-all": "tei_all.rng"}


@dataclass(frozen=True)
class PrintConfig:
    """How the PDF editions are laid out."""

    enabled: bool = True
    paper: str = "A4"
    margins: tuple[str, str, str, str] = ("22mm", "20mm", "24mm", "20mm")  # top right bottom left
    engine: str = ""  # "typst" or "weasyprint"; empty: chosen by build.pdf.pdf_engine
    volume_pages: int = 1000  # Typst: the edition's book in volumes of about this many pages (0: one book)


# [chronology] exclude: the parts of a text whose dates are not events (a title's years, a running head, an archive's
# stamps): element names, each optionally with a test of its @type, as `note[@type='archival']`. Dates in the
# teiHeader are never events.
DEFAULT_CHRONOLOGY_EXCLUDE = ("head", "title", "fw", "stamp", "bibl", "note[@type='archival']")
# [chronology] studies: the text types (the type a document page shows, e.g. from text/@type "blog-post") of studies
# and other secondary texts, which the chronology lists apart from the primary sources.
DEFAULT_STUDY_TYPES = (
    "study",
    "article",
    "essay",
    "blog post",
    "book",
    "book excerpt",
    "book section",
    "chapter",
    "review",
)
_EXCLUDE_RE = re.compile(r"""^([A-Za-z_][\w.-]*)(?:\[@type=(?:'([^']*)'|"([^"]*)")\])?$""")


@dataclass(frozen=True)
class ChronologyConfig:
    """What the chronology counts as events and how it sorts documents ([chronology])."""

    exclude: tuple[tuple[str, str | None], ...] = tuple(
        (m.group(1), m.group(2)) for m in map(_EXCLUDE_RE.match, DEFAULT_CHRONOLOGY_EXCLUDE) if m
    )  # (element name, @type or None for any)
    studies: tuple[str, ...] = DEFAULT_STUDY_TYPES  # casefolded text types


@dataclass(frozen=True)
class MapConfig:
    """The map of places ([map]): an optional tile layer; without one the map draws the coastlines it ships."""

    tiles: str = ""  # a URL template with {z}/{x}/{y}
    attribution: str = ""


@dataclass(frozen=True)
class EditionConfig:
    """The edition's configuration, with every path made absolute against the edition's root."""

    root: Path
    config_path: Path | None
    title: str
    subtitle: str = ""
    editors: tuple[str, ...] = ()
    publisher: str = ""
    licence: str = ""
    licence_url: str = ""
    base_url: str = ""
    language: str = "en"
    version: str = "1.0"
    introduction: str = ""
    # The editors' statement of method for the About page: Markdown or TEI ([edition] about; by default about.md or
    # about.xml in the edition's folder when there is one).
    about: Path | None = None
    documents_dir: Path = field(default=Path("tei/documents"))
    registers_dir: Path = field(default=Path("tei/registers"))
    schema: Path | None = None  # None: TEI All, or a file's own local <?xml-model?> grammar (edition_schemas)
    schematron: Path | None = None
    # The XPath that selects the documents inside a file (tei/parts.py); '' when every file is one document.
    split: str = DEFAULT_SPLIT
    output_dir: Path = field(default=Path("build"))
    templates_dir: Path | None = None
    xslt_dir: Path | None = None
    extra_css: tuple[Path, ...] = ()
    # Whether document pages may load page images from IIIF image services elsewhere; else they only link them.
    remote_images: bool = False
    print: PrintConfig = field(default_factory=PrintConfig)
    executor: str | None = None  # "local" or "dask://HOST:PORT"
    jobs: int | None = None
    rules: RuleSettings = field(default_factory=RuleSettings)  # [rules]: the severity of each validation rule
    chronology: ChronologyConfig = field(default_factory=ChronologyConfig)
    map: MapConfig = field(default_factory=MapConfig)

    @property
    def html_dir(self) -> Path:
        return self.output_dir / "html"

    @property
    def pdf_dir(self) -> Path:
        """The PDFs are part of the published site: in its pdf/ folder."""
        return self.html_dir / "pdf"


# key -> (type check, description of what is expected)
_Check = tuple[Callable[[Any], bool], str]
_STR: _Check = (lambda v: isinstance(v, str), "a string")
_BOOL: _Check = (lambda v: isinstance(v, bool), "true or false")
_STR_LIST: _Check = (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings")

_SCHEMA: dict[str, dict[str, _Check]] = {
    "edition": {
        "title": _STR,
        "subtitle": _STR,
        "editors": _STR_LIST,
        "publisher": _STR,
        "licence": _STR,
        "licence_url": _STR,
        "base_url": _STR,
        "language": _STR,
        "version": _STR,
        "introduction": _STR,
        "about": _STR,
    },
    "sources": {
        "documents": _STR,
        "registers": _STR,
        "schema": _STR,
        "schematron": _STR,
        "split": (lambda v: isinstance(v, (str, bool)), "an XPath (a string), or false"),
    },
    "output": {"dir": _STR, "templates": _STR, "xslt": _STR, "css": _STR_LIST, "remote_images": _BOOL},
    "pdf": {
        "enabled": _BOOL,
        "paper": _STR,
        "margins": _STR,
        "engine": _STR,
        "volume_pages": (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
            "a whole number, 0 or more (0: the edition in one book)",
        ),
    },
    "chronology": {"exclude": _STR_LIST, "studies": _STR_LIST},
    "map": {"tiles": _STR, "attribution": _STR},
    "build": {
        "executor": _STR,
        "jobs": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a whole number of at least 1"),
    },
}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest edition.toml in `start` (default: the current folder) or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> EditionConfig:
    """Read and check edition.toml (given, or found from `start` upwards); raise ConfigError listing every problem."""
    if path is None:
        path = find_config(start)
        if path is None:
            raise ConfigError(
                None,
                [
                    ConfigProblem(
                        "",
                        f"no {CONFIG_NAME} found in {(start or Path.cwd())} or any "
                        "parent folder; run `edition new DIR` or pass --config",
                    )
                ],
            )
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, [ConfigProblem("", "the file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [ConfigProblem("", f"cannot be read: {exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [ConfigProblem("", f"is not valid TOML: {exc}")]) from None
    return config_from_dict(data, path.parent, path)


def config_from_dict(data: dict[str, Any], root: Path, path: Path | None = None) -> EditionConfig:
    """Check a parsed configuration table and build the EditionConfig; raise ConfigError with every problem."""
    problems: list[ConfigProblem] = []
    values: dict[str, dict[str, Any]] = {}
    # [rules]: rule name -> "error" | "warning" | "off" (the names and defaults are in rules.py)
    rule_table = data.get("rules", {})
    if not isinstance(rule_table, dict):
        problems.append(ConfigProblem("rules", "must be a table ([rules])"))
        rule_table = {}
    rules, rule_problems = check_rule_settings(rule_table)
    problems.extend(ConfigProblem(key, message) for key, message in rule_problems)
    for section, value in data.items():
        if section == "rules":
            continue
        if section not in _SCHEMA:
            problems.append(
                ConfigProblem(section, "unknown section" + _did_you_mean(section, {**_SCHEMA, "rules": {}}))
            )
            continue
        if not isinstance(value, dict):
            problems.append(ConfigProblem(section, f"must be a table ([{section}])"))
            continue
        values[section] = {}
        for key, item in value.items():
            checks = _SCHEMA[section]
            if key not in checks:
                problems.append(ConfigProblem(f"{section}.{key}", "unknown key" + _did_you_mean(key, checks)))
                continue
            test, expected = checks[key]
            if not test(item):
                problems.append(ConfigProblem(f"{section}.{key}", f"must be {expected}, not {item!r}"))
                continue
            values[section][key] = item

    edition = values.get("edition", {})
    sources = values.get("sources", {})
    output = values.get("output", {})
    pdf = values.get("pdf", {})
    build = values.get("build", {})
    executor = build.get("executor")
    if executor is not None and executor != "local" and not re.match(r"^(dask|tcp)://[^\s/]+:\d+/?$", executor):
        problems.append(ConfigProblem("build.executor", f"must be 'local' or 'dask://HOST:PORT', not {executor!r}"))

    title = edition.get("title", "")
    if not title.strip() and "title" not in _bad_keys(problems, "edition"):
        problems.append(ConfigProblem("edition.title", "is required: the edition's title, shown on every page"))
    language = edition.get("language", "en")
    if not _LANG_RE.match(language):
        problems.append(
            ConfigProblem("edition.language", f"must be a language tag such as 'en' or 'de-AT', not {language!r}")
        )
    base_url = edition.get("base_url", "")
    if base_url and not re.match(r"^https?://[^\s/]+", base_url):
        problems.append(
            ConfigProblem(
                "edition.base_url", f"must be an http(s) URL such as 'https://example.org/edition/', not {base_url!r}"
            )
        )
    licence_url = edition.get("licence_url", "")
    if licence_url and not re.match(r"^https?://", licence_url):
        problems.append(ConfigProblem("edition.licence_url", f"must be an http(s) URL, not {licence_url!r}"))

    def folder(key: str, default: str, must_exist: bool = True) -> Path:
        rel = sources.get(key, default)
        resolved = (root / rel).resolve()
        if must_exist and not resolved.is_dir():
            problems.append(ConfigProblem(f"sources.{key}", f"folder {rel!r} does not exist (relative to {root})"))
        return resolved

    def optional_file(table: dict[str, Any], section: str, key: str) -> Path | None:
        rel = table.get(key)
        if not rel:
            return None
        resolved = (root / rel).resolve()
        if not resolved.is_file():
            problems.append(ConfigProblem(f"{section}.{key}", f"file {rel!r} does not exist (relative to {root})"))
        return resolved

    def optional_dir(table: dict[str, Any], section: str, key: str) -> Path | None:
        rel = table.get(key)
        if not rel:
            return None
        resolved = (root / rel).resolve()
        if not resolved.is_dir():
            problems.append(ConfigProblem(f"{section}.{key}", f"folder {rel!r} does not exist (relative to {root})"))
        return resolved

    about = optional_file(edition, "edition", "about")
    if about is not None and about.suffix.lower() not in ABOUT_SUFFIXES:
        problems.append(
            ConfigProblem("edition.about", f"must be a Markdown (.md) or TEI (.xml) file, not {edition['about']!r}")
        )
    if "about" not in edition:
        about = next((root / name for name in DEFAULT_ABOUT if (root / name).is_file()), None)
    documents_dir = folder("documents", "tei/documents")
    registers_dir = folder("registers", "tei/registers", must_exist=False)
    schema = _schema_setting(sources.get("schema"), root, problems)
    schematron = optional_file(sources, "sources", "schematron")
    split = _split_setting(sources.get("split", True), problems)
    templates_dir = optional_dir(output, "output", "templates") or _if_dir(root / "templates")
    xslt_dir = optional_dir(output, "output", "xslt") or _if_dir(root / "xslt")
    extra_css: list[Path] = []
    for i, rel in enumerate(output.get("css", [])):
        css = (root / rel).resolve()
        if not css.is_file():
            problems.append(ConfigProblem(f"output.css[{i}]", f"file {rel!r} does not exist (relative to {root})"))
        extra_css.append(css)
    output_dir = (root / output.get("dir", "build")).resolve()
    if output_dir == root.resolve() or root.resolve().is_relative_to(output_dir):
        problems.append(
            ConfigProblem(
                "output.dir",
                "must be a folder inside or beside the edition, not the edition's "
                "root or one of its parents (the build replaces it)",
            )
        )
    for src_key, src in (("sources.documents", documents_dir), ("sources.registers", registers_dir)):
        if src.is_relative_to(output_dir):
            problems.append(ConfigProblem("output.dir", f"contains {src_key}: the build would replace your sources"))
        elif output_dir.is_relative_to(src):
            problems.append(
                ConfigProblem(
                    "output.dir",
                    f"is inside {src_key} ({src}): the built edition's copies of "
                    "the TEI files would be read as sources; choose a folder "
                    "outside it",
                )
            )

    paper = pdf.get("paper", "A4")
    if paper not in PAPER_SIZES:
        problems.append(ConfigProblem("pdf.paper", f"must be one of {', '.join(PAPER_SIZES)}, not {paper!r}"))
    margins = _parse_margins(pdf.get("margins"), problems)
    engine = pdf.get("engine", "")
    if engine and engine not in PDF_ENGINES:
        problems.append(ConfigProblem("pdf.engine", f"must be one of {', '.join(PDF_ENGINES)}, not {engine!r}"))

    chronology = _chronology_setting(values.get("chronology", {}), problems)
    map_table = values.get("map", {})
    tiles = map_table.get("tiles", "")
    if tiles and not (re.match(r"^https://[^\s/]+/", tiles) and all(f"{{{k}}}" in tiles for k in "zxy")):
        problems.append(
            ConfigProblem(
                "map.tiles",
                f"must be an https URL with {{z}}, {{x}} and {{y}}, such as "
                f"'https://tile.example.org/{{z}}/{{x}}/{{y}}.png', not {tiles!r}",
            )
        )

    if problems:
        raise ConfigError(path, problems)
    return EditionConfig(
        root=root.resolve(),
        config_path=path,
        title=title.strip(),
        subtitle=edition.get("subtitle", ""),
        editors=tuple(edition.get("editors", ())),
        publisher=edition.get("publisher", ""),
        licence=edition.get("licence", ""),
        licence_url=licence_url,
        base_url=base_url,
        language=language,
        version=edition.get("version", "1.0"),
        introduction=edition.get("introduction", ""),
        about=about.resolve() if about is not None else None,
        documents_dir=documents_dir,
        registers_dir=registers_dir,
        schema=schema,
        schematron=schematron,
        split=split,
        output_dir=output_dir,
        templates_dir=templates_dir,
        xslt_dir=xslt_dir,
        extra_css=tuple(extra_css),
        remote_images=output.get("remote_images", False),
        print=PrintConfig(
            enabled=pdf.get("enabled", True),
            paper=paper,
            margins=margins,
            engine=engine,
            volume_pages=pdf.get("volume_pages", PrintConfig.volume_pages),
        ),
        executor=executor,
        jobs=build.get("jobs"),
        rules=rules,
        chronology=chronology,
        map=MapConfig(tiles=tiles, attribution=map_table.get("attribution", "")),
    )


def _chronology_setting(table: dict[str, Any], problems: list[ConfigProblem]) -> ChronologyConfig:
    """[chronology]: the parts of the texts whose dates are not events, and the text types of studies."""
    exclude = []
    for i, item in enumerate(table.get("exclude", DEFAULT_CHRONOLOGY_EXCLUDE)):
        match = _EXCLUDE_RE.match(item.strip())
        if match is None:
            problems.append(
                ConfigProblem(
                    f"chronology.exclude[{i}]",
                    f"must be an element name, optionally with a @type test, such as 'head' or "
                    f"\"note[@type='archival']\", not {item!r}",
                )
            )
            continue
        kind = match.group(2) if match.group(2) is not None else match.group(3)
        exclude.append((match.group(1), kind))
    studies = tuple(t.strip().casefold() for t in table.get("studies", DEFAULT_STUDY_TYPES) if t.strip())
    return ChronologyConfig(exclude=tuple(exclude), studies=studies)


def _parse_margins(value: str | None, problems: list[ConfigProblem]) -> tuple[str, str, str, str]:
    if value is None:
        return PrintConfig().margins
    parts = value.split()
    if not 1 <= len(parts) <= 4 or not all(_LENGTH_RE.match(p) for p in parts):
        problems.append(
            ConfigProblem(
                "pdf.margins",
                f"must be one to four lengths as in CSS, e.g. '20mm' or '22mm 20mm 24mm 20mm', not {value!r}",
            )
        )
        return PrintConfig().margins
    # CSS shorthand: 1 value = all sides; 2 = vertical horizontal; 3 = top horizontal bottom; 4 = clockwise.
    expanded = {1: parts * 4, 2: parts * 2, 3: [*parts, parts[1]], 4: parts}[len(parts)]
    top, right, bottom, left = expanded
    return (top, right, bottom, left)


def built_in_schema(name: str) -> Path:
    """The packaged RELAX NG file of a built-in schema: 'edition' (the strict TEI subset) or 'tei-all' (TEI All)."""
    return Path(str(resources.files("tei_edition") / "schema" / BUILT_IN_SCHEMAS[name]))


def _schema_setting(value: str | None, root: Path, problems: list[ConfigProblem]) -> Path | None:
    """[sources] schema: a built-in schema's name (which wins over a file of that name) or a file of the edition."""
    if not value:
        return None
    if value in BUILT_IN_SCHEMAS:
        return built_in_schema(value)
    resolved = (root / value).resolve()
    if not resolved.is_file():
        names = " or ".join(repr(name) for name in BUILT_IN_SCHEMAS)
        problems.append(
            ConfigProblem(
                "sources.schema",
                f"file {value!r} does not exist (relative to {root}); the built-in schemas are named {names}",
            )
        )
    return resolved


def _split_setting(value: str | bool, problems: list[ConfigProblem]) -> str:
    """[sources] split: true (the default XPath), false (no file is split), or an XPath 1.0 expression."""
    if value is True:
        return DEFAULT_SPLIT
    if value is False or not str(value).strip():
        return ""
    try:
        compile_split(str(value))
    except SplitError as exc:
        problems.append(ConfigProblem("sources.split", f"{exc}; give an XPath such as {DEFAULT_SPLIT!r}, or false"))
    return str(value)


def _if_dir(path: Path) -> Path | None:
    return path.resolve() if path.is_dir() else None


def _bad_keys(problems: list[ConfigProblem], section: str) -> set[str]:
    return {p.key.split(".", 1)[1] for p in problems if p.key.startswith(section + ".")}


def _did_you_mean(word: str, choices: dict[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {', '.join(choices)})"
