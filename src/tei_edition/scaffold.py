"""`edition new`: write a new edition that validates and builds as it is; `edition schema`: write the schema in
force where XML editors find it, through <?xml-model?> instructions in the edition's files."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from lxml import etree

from tei_edition import __version__
from tei_edition.config import EditionConfig
from tei_edition.errors import UsageError

# Where the hook definition (.pre-commit-hooks.yaml) and the package live.
REPO_URL = "https://github.com/tei-edition/tei-edition"

# template (under templates/scaffold) -> path in the new edition. Dot files are stored without their dot so that
# packaging tools do not leave them out.
FILES: dict[str, str] = {
    "edition.toml": "edition.toml",
    "README.md": "README.md",
    "about.md": "about.md",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github/workflows/edition.yml": ".github/workflows/edition.yml",
    "tei/documents/example-letter.xml": "tei/documents/example-letter.xml",
    "tei/registers/persons.xml": "tei/registers/persons.xml",
    "tei/registers/places.xml": "tei/registers/places.xml",
    "tei/registers/orgs.xml": "tei/registers/orgs.xml",
}
# The schema folder of an edition, which its files' <?xml-model?> instructions point to; `edition new` writes the
# strict subset and its rules there (the scaffold's TEI files point to them as ../../schema/edition.rng, .sch).
SCHEMA_FOLDER = "schema"
NEW_EDITION_SCHEMAS = ("edition.rng", "edition.sch")


@dataclass
class ScaffoldResult:
    """What `new_edition` wrote and what it left alone."""

    root: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def title_from_folder(folder: Path) -> str:
    """A readable title from a folder name: 'letters-of-ada' -> 'Letters of ada'."""
    words = re.sub(r"[-_]+", " ", folder.name).strip()
    return (words[:1].upper() + words[1:]) if words else "A new edition"


@dataclass(frozen=True)
class Installation:
    """How the workflow of a new edition installs tei-edition: as it was installed where `edition new` ran."""

    requirement: str  # what `pip install` is given
    note: str  # where it comes from, for the workflow's comment


def installed_from() -> Installation:
    """How tei-edition was installed here, read from the distribution's PEP 610 direct_url.json: from a version
    control URL (at its commit), from a local folder (at the commit of its git checkout, when it has a remote the
    runner can fetch), else the released version from PyPI."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        text = distribution("tei-edition").read_text("direct_url.json")
    except PackageNotFoundError:
        text = None
    released = Installation(f"tei-edition=={__version__}", f"the released version {__version__}, from PyPI")
    if not text:
        return released
    try:
        data = json.loads(text)
    except ValueError:
        return released
    url = data.get("url", "") if isinstance(data, dict) else ""
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and url:
        commit = vcs.get("commit_id") or vcs.get("requested_revision") or ""
        at = f"@{commit}" if commit else ""
        return Installation(f"tei-edition @ git+{url}{at}", f"{url} at commit {commit or 'its default branch'}")
    if url.startswith("file://") and isinstance(data.get("dir_info"), dict):
        folder = Path(unquote(url[len("file://") :]))
        remote, commit = _git_origin(folder)
        if remote and commit:
            return Installation(
                f"tei-edition @ git+{remote}@{commit}",
                f"the local checkout {folder}, whose commit {commit} is fetched from {remote}",
            )
        return Installation(
            str(folder),
            f"the local folder {folder}: a runner without that folder cannot install it; publish the checkout and "
            "give its git URL here",
        )
    return released


def _git_origin(folder: Path) -> tuple[str, str]:
    """The https URL of a git checkout's origin remote and its HEAD commit; ('', '') when there are none."""
    import subprocess

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    remote = git("config", "--get", "remote.origin.url")
    if remote.startswith("git@github.com:"):
        remote = "https://github.com/" + remote[len("git@github.com:") :]
    if not remote.startswith("https://"):
        return "", ""
    return remote, git("rev-parse", "HEAD")


def render_template(name: str, title: str, install: Installation | None = None) -> str:
    """The text of one scaffold file with the edition's title filled in, escaped for the file's format."""
    text = (resources.files("tei_edition") / "templates" / "scaffold" / name).read_text(encoding="utf-8")
    install = install or installed_from()
    replacements = {
        "__INSTALL__": json.dumps(install.requirement),  # a YAML double-quoted string escapes like JSON
        "__INSTALL_NOTE__": install.note,
        "__TITLE_TOML__": json.dumps(title, ensure_ascii=False)[1:-1],  # a TOML basic string escapes like JSON
        "__TITLE_XML__": escape(title),
        "__TITLE_MD__": title,
        "__REPO_URL__": REPO_URL,
        "__VERSION__": __version__,
    }
    for token, value in replacements.items():
        text = text.replace(token, value)
    return text


def new_edition(target: Path, title: str | None = None, force: bool = False) -> ScaffoldResult:
    """Write a new edition into `target`; refuse a non-empty folder unless `force` (which only adds missing files)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(
            f"{target} is not empty; choose a new folder, or pass --force to add only the files that "
            "are missing (existing files are never overwritten)"
        )
    title = (title or title_from_folder(target.resolve())).strip()
    install = installed_from()
    result = ScaffoldResult(target)
    for template, rel in FILES.items():
        out = target / rel
        if out.exists():
            result.kept.append(out)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_template(template, title, install), encoding="utf-8")
        result.written.append(out)
    for name in NEW_EDITION_SCHEMAS:
        out = target / SCHEMA_FOLDER / name
        if out.exists():
            result.kept.append(out)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes((resources.files("tei_edition") / "schema" / name).read_bytes())
        result.written.append(out)
    return result


# --- the schema for XML editors -------------------------------------------------------------------------------

RELAXNG_NS = "http://relaxng.org/ns/structure/1.0"
SCHEMATRON_NS = "http://purl.oclc.org/dsdl/schematron"
_DESCRIBED = {
    "edition.rng": "the edition's strict TEI subset (RELAX NG)",
    "tei_all.rng": "TEI All, P5 4.12.0 (RELAX NG)",
    "edition.sch": "the rules every edition follows (Schematron)",
}
_PSEUDO_ATTR = re.compile(rb'([A-Za-z_:][-A-Za-z0-9._:]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
# What may stand before the root element: the XML declaration, white space, comments, processing instructions.
_PROLOG_ITEM = re.compile(rb"\s+|<!--.*?-->|<\?.*?\?>", re.S)
_ENCODING = re.compile(rb"""^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ASCII_BASED = re.compile(r"^(utf-?8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d|cp125\d)$", re.I)


@dataclass(frozen=True)
class SchemaFile:
    """One schema in force and its copy in the schema folder (the file itself when it is already there)."""

    source: Path
    copy: Path
    kind: str  # "rng" or "sch"

    @property
    def namespace(self) -> str:
        return RELAXNG_NS if self.kind == "rng" else SCHEMATRON_NS


@dataclass
class EditorSchemas:
    """What `write_editor_schemas` did: the schema folder's files, and the <?xml-model?> lines of each source."""

    root: Path
    folder: Path
    files: list[SchemaFile]
    sources: tuple[Path, ...]
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)  # files whose instructions were added or replaced
    current: list[Path] = field(default_factory=list)  # files whose instructions already were these
    left: list[tuple[Path, str]] = field(default_factory=list)  # files left as they were, and why

    def lines_for(self, source: Path) -> list[str]:
        """The <?xml-model?> instructions that point a file in this folder to the schema folder's files."""
        return xml_model_lines(source, self.files)

    def as_text(self, add_pi: bool) -> str:
        """What was written, and how editors pick it up."""
        shown = [f"  {_shown(f.copy, self.root)}: {_describe(f)}" for f in self.files]
        state = [f"  wrote {_shown(p, self.root)}" for p in self.written]
        state += [f"  {_shown(p, self.root)} is up to date" for p in self.unchanged]
        out = [f"The schema in force, in {_shown(self.folder, self.root)}/:", *shown, *state, ""]
        folders: dict[Path, Path] = {}
        for source in self.sources:
            folders.setdefault(source.parent, source)
        out.append(
            "XML editors find it through <?xml-model?> instructions before the root element of each TEI file "
            "(paths relative to the file):"
        )
        for parent, example in folders.items():
            out.append(f"  in {_shown(parent, self.root)}/:")
            out.extend(f"    {line}" for line in self.lines_for(example))
        out += [
            "",
            "oXygen XML Editor validates against both as you type (RELAX NG and Schematron), and completes elements "
            "and attributes from the RELAX NG schema.",
            "VS Code with the XML extension (redhat.vscode-xml) validates against the RELAX NG schema as you type "
            "and completes from it; it does not run Schematron, whose rules `edition validate` checks.",
        ]
        if add_pi:
            out.append("")
            out += [f"  added or updated the instructions in {_shown(p, self.root)}" for p in self.updated]
            if self.current:
                out.append(f"  {len(self.current)} file(s) already had these instructions")
            out += [f"  left {_shown(p, self.root)} as it was: {why}" for p, why in self.left]
            if self.left:
                out.append("  (paste the lines above into those files by hand)")
        else:
            out += ["", "`edition schema --add-pi` adds these lines to the files (nothing else in them changes)."]
        return "\n".join(out) + "\n"


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _describe(file: SchemaFile) -> str:
    if file.source.parent == Path(str(resources.files("tei_edition") / "schema")).resolve():
        return _DESCRIBED.get(file.source.name, file.source.name)
    return "the edition's own schema (RELAX NG)" if file.kind == "rng" else "the edition's own rules (Schematron)"


def xml_model_lines(source: Path, files: list[SchemaFile]) -> list[str]:
    """<?xml-model?> instructions for a TEI file, pointing to each schema file by a path relative to it."""
    lines = []
    for file in files:
        href = quote(Path(os.path.relpath(file.copy, source.parent)).as_posix(), safe="/._-~")
        lines.append(f'<?xml-model href="{href}" type="application/xml" schematypens="{file.namespace}"?>')
    return lines


def write_editor_schemas(
    config: EditionConfig, folder: Path | None = None, add_pi: bool = False, force: bool = False
) -> EditorSchemas:
    """Copy the RELAX NG schema in force and the Schematron rules into `folder` (default: schema/ in the edition),
    and with `add_pi` point the edition's files to them; a copy that differs from a file already there is only
    written with `force` (every such file is named before anything is written)."""
    from tei_edition.tei.discover import discover_sources
    from tei_edition.validate import edition_schemas

    folder = (folder or config.root / SCHEMA_FOLDER).resolve()
    rng, schematrons = edition_schemas(config)
    files: list[SchemaFile] = []
    taken: set[str] = set()
    for kind, schema in (("rng", rng), *(("sch", s) for s in schematrons)):
        schema = schema.resolve()
        if schema.parent == folder:
            copy = schema
        else:
            name, number = schema.name, 1
            while name in taken:
                number += 1
                name = f"{schema.stem}-{number}{schema.suffix}"
            copy = folder / name
        taken.add(copy.name)
        files.append(SchemaFile(schema, copy, kind))
    sources = discover_sources(config).all
    result = EditorSchemas(config.root, folder, files, sources)
    differing = [f.copy for f in files if f.copy != f.source and f.copy.exists() and not _same(f.source, f.copy)]
    if differing and not force:
        names = ", ".join(_shown(p, config.root) for p in differing)
        raise UsageError(
            f"{names} already there and different from the schema in force; pass --force to replace "
            f"{'them' if len(differing) > 1 else 'it'}"
        )
    for file in files:
        if file.copy == file.source or (file.copy.exists() and _same(file.source, file.copy)):
            result.unchanged.append(file.copy)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        _replace_bytes(file.copy, file.source.read_bytes())
        result.written.append(file.copy)
    if add_pi:
        from tei_edition.validate import FileValidator

        yields = FileValidator(rng, schematrons).yields
        for source in sources:
            status = set_xml_model(source, result.lines_for(source), files, keep_own_grammar=yields)
            if status == "updated":
                result.updated.append(source)
            elif status == "current":
                result.current.append(source)
            else:
                result.left.append((source, status))
    return result


def _same(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


def _replace_bytes(path: Path, data: bytes) -> None:
    """Write a file; one that exists is replaced in one step (a temporary file renamed over the file a link points
    to, with its permissions)."""
    path = path.resolve()
    if not path.exists():
        path.write_bytes(data)
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def set_xml_model(source: Path, lines: list[str], files: list[SchemaFile], keep_own_grammar: bool = False) -> str:
    """Put these <?xml-model?> lines before the root element of a file, in place of the RELAX NG and Schematron
    instructions that point into the schema folder, to a copy of a schema in force or shipped with the package, or to
    nothing, changing no other byte.

    Returns "updated", "current", or why the file was left as it was (a document type declaration, an encoding
    that is not ASCII-based, an instruction naming a grammar of its own when `keep_own_grammar`)."""
    from tei_edition.validate import schema_key

    data = source.read_bytes()
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        return "it is in UTF-16"
    declared = _ENCODING.match(data, start)
    if declared and not _ASCII_BASED.match(declared.group(1).decode("ascii")):
        return f"its encoding ({declared.group(1).decode('ascii')}) is not one this command edits"
    newline = b"\r\n" if b"\r\n" in data[: data.find(b"\n") + 1 or len(data)] else b"\n"
    # Instructions to be replaced: those naming the schema folder, or a copy of a schema in force or shipped.
    folders = {f.copy.parent for f in files}
    shipped = Path(str(resources.files("tei_edition") / "schema"))
    ours = {schema_key(p) for f in files for p in (f.copy, f.source)}
    ours |= {schema_key(shipped / name) for name in ("edition.rng", "tei_all.rng", "edition.sch")}
    position, insert_at = start, None
    removed: list[tuple[int, int]] = []
    existing: list[bytes] = []
    while True:
        item = _PROLOG_ITEM.match(data, position)
        if item is None:
            break
        text = item.group(0)
        if text.startswith(b"<?xml") and text[5:6].isspace() and item.start() == start:
            insert_at = item.end() + (len(newline) if data.startswith(newline, item.end()) else 0)
        elif text.startswith(b"<?xml-model") and text[11:12].isspace():
            attrs = {
                m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _PSEUDO_ATTR.finditer(text)
            }
            target = _local_target(source, (attrs.get(b"href") or b"").decode("utf-8", "replace"))
            grammar = attrs.get(b"schematypens") == RELAXNG_NS.encode() or text.find(b".rng") > 0
            rules = (attrs.get(b"schematypens") or b"").endswith(b"schematron") or text.find(b".sch") > 0
            if target is not None and (grammar or rules):
                if target.is_file() and target.parent not in folders and schema_key(target) not in ours:
                    if keep_own_grammar and grammar:
                        href = (attrs.get(b"href") or b"").decode("utf-8", "replace")
                        return f"it names a grammar of its own ({href}), which it is checked against"
                else:
                    end = item.end() + (len(newline) if data.startswith(newline, item.end()) else 0)
                    removed.append((item.start(), end))
                    existing.append(data[item.start() : item.end()])
                    if insert_at is None or len(removed) == 1:
                        insert_at = item.start()
        position = item.end()
    if not data.startswith(b"<", position) or data.startswith(b"<!", position):
        return "it has a document type declaration or no root element where one was expected"
    wanted = [line.encode("ascii") for line in lines]
    if existing == wanted:
        return "current"
    insert_at = start if insert_at is None else insert_at
    block = b"".join(line + newline for line in wanted)
    pieces, cursor = [], 0
    for begin, end in sorted(removed):
        if cursor <= insert_at <= begin:
            pieces += [data[cursor:insert_at], block, data[insert_at:begin]]
            insert_at = -1  # inserted
        else:
            pieces.append(data[cursor:begin])
        cursor = end
    if insert_at >= 0:
        pieces += [data[cursor:insert_at], block]
        cursor = insert_at
    pieces.append(data[cursor:])
    updated = b"".join(pieces)
    try:  # the same document, only its instructions changed
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
        before, after = etree.fromstring(data, parser), etree.fromstring(updated, parser)
    except etree.XMLSyntaxError:
        return "it is not well-formed XML"
    if etree.tostring(before) != etree.tostring(after):
        return "its content would have changed"
    _replace_bytes(source, updated)
    return "updated"


def _local_target(source: Path, href: str) -> Path | None:
    """The local file an href names, relative to the file it is in; None for a remote URL."""
    if not href or (re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href) and not href.startswith("file:")):
        return None
    return (source.parent / unquote(href.removeprefix("file://"))).resolve()
