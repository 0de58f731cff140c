"""What every page shares: the edition's facts, the navigation, the typed template context and the page writer."""

from __future__ import annotations

import io
import pickle
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from jinja2 import Environment

from tei_edition.output.cache import BuildCache
from tei_edition.output.hashing import hash_bytes, new_digest
from tei_edition.output.paths import document_epub, edition_epub, href_between, page_file, part_folder
from tei_edition.output.writer import OutputWriter
from tei_edition.tei.bibliography import in_sentence
from tei_edition.tei.bibliography import join_names as join_names  # names joined as the PDFs join them
from tei_edition.tei.dates import MONTHS
from tei_edition.tei.edition import EditionData

T = TypeVar("T")

# (navigation key, label, folder)
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("documents", "Documents", ""),
    ("persons", "Persons", "persons/"),
    ("places", "Places", "places/"),
    ("orgs", "Organisations", "orgs/"),
    ("chronology", "Chronology", "chronology/"),
    ("search", "Search", "search/"),
    ("about", "About", "about/"),
)


def navigation(letters: bool, places_map: bool = False, works: bool = False) -> tuple[tuple[str, str, str], ...]:
    """The main menu: the map after the places when some place has coordinates, the bibliography before the search
    when the registers list works, the correspondence index after the chronology when the edition describes
    letters."""
    menu = NAVIGATION
    if works:
        at = [key for key, _label, _folder in menu].index("search")
        menu = (*menu[:at], ("bibliography", "Bibliography", "bibliography/"), *menu[at:])
    if places_map:
        at = [key for key, _label, _folder in menu].index("places") + 1
        menu = (*menu[:at], ("map", "Map", "map/"), *menu[at:])
    if not letters:
        return menu
    at = [key for key, _label, _folder in menu].index("chronology") + 1
    return (*menu[:at], ("letters", "Letters", "letters/"), *menu[at:])


@dataclass(frozen=True)
class SiteInfo:
    """The edition-wide facts every page shows: title, editors, licence, version and build date."""

    title: str
    subtitle: str
    editors: tuple[str, ...]
    publisher: str
    licence: str
    licence_url: str
    base_url: str
    language: str
    version: str
    tool_version: str
    build_date: datetime
    stylesheets: tuple[str, ...]  # relative to the site root
    navigation: tuple[tuple[str, str, str], ...] = NAVIGATION
    epub: bool = False  # the build makes EPUBs: the pages link them

    def epub_href(self, doc_id: str | None = None) -> str:
        """The site path of the edition's EPUB, or of a document's."""
        return document_epub(doc_id) if doc_id else edition_epub()

    @property
    def build_iso(self) -> str:
        return self.build_date.date().isoformat()

    @property
    def build_display(self) -> str:
        d = self.build_date
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    @property
    def editors_display(self) -> str:
        return join_names(self.editors)

    @property
    def editors_in_sentence(self) -> str:
        """The editors after "edited by": 'the tei-edition editors'."""
        return join_names([in_sentence(name) for name in self.editors])

    def absolute(self, path: str) -> str:
        """The public URL of a site path, or '' when the edition has no base_url."""
        if not self.base_url:
            return ""
        return self.base_url.rstrip("/") + "/" + path


class PageContext(TypedDict):
    """The context every template receives."""

    site: SiteInfo
    root: str  # relative path from the page to the site root: './', '../', '../../'
    path: str  # the page's folder below the site root, '' for the home page
    page_title: str
    section: str  # navigation key of the current section
    description: str


@dataclass
class Site:
    """The renderer's state: the gathered edition, the template environment, the writer and the pages written."""

    data: EditionData
    env: Environment
    out: OutputWriter
    pages: list[str] = field(default_factory=list)  # folders of the HTML pages, for the sitemap and search
    cache: dict[str, Any] = field(default_factory=dict)  # views computed once and shared by several pages
    # What the last build's pages were made from (output path -> (deps hash, content hash)) and a hash of every
    # input pages share (tool, templates, configuration, build date): a page whose context is unchanged is
    # carried over from the last build instead of rendered again.
    previous: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    inputs_key: str = ""
    digests: dict[int, tuple[object, bytes]] = field(default_factory=dict)  # id -> (value, digest), see below
    store: BuildCache | None = None  # the build cache: what is kept between builds (None: nothing is)
    info: SiteInfo = field(init=False)

    def __post_init__(self) -> None:
        config = self.data.config
        self.info = SiteInfo(
            title=config.title,
            subtitle=config.subtitle,
            editors=config.editors,
            publisher=config.publisher,
            licence=config.licence,
            licence_url=safe_url(config.licence_url),
            base_url=config.base_url,
            language=config.language,
            version=config.version,
            tool_version=self.data.tool_version,
            build_date=self.data.build_date,
            stylesheets=(),
            navigation=navigation(bool(self.data.letters), works=bool(self.data.works)),
            epub=self.data.epub,
        )

    def base(self, path: str, page_title: str, section: str, description: str = "") -> PageContext:
        """The shared part of a page's context for the page in folder `path` ('' or 'a/b/')."""
        return PageContext(
            site=self.info,
            root=href_between(path, ""),
            path=path,
            page_title=page_title,
            section=section,
            description=description or self.info.subtitle or self.info.title,
        )

    def page(self, template: str, context: PageContext | Any) -> None:
        """Render a template into `<path>index.html`."""
        self.page_from(template, context["path"], self._page_deps(template, context), lambda: context)

    def page_from(self, template: str, path: str, deps: str, make: Callable[[], Any]) -> bool:
        """Render a template into `<path>index.html` with the context `make()` returns, unless the last build's page
        was made from the same `deps` (carried over then, and `make` never called); True when carried over."""
        rel = page_file(path)
        carried = self.carry_over(rel, deps)
        if not carried:
            self.out.write_chunks(rel, self.env.get_template(template).generate(**make()))
        self.pages.append(path)
        return carried

    def file_from(self, rel: str, deps: str, make: Callable[[], str]) -> None:
        """Write the text `make()` returns to `rel`, or carry the last build's file over when made from `deps`."""
        if not self.carry_over(rel, deps):
            self.out.write_text(rel, make())

    def carry_over(self, rel: str, deps: str) -> bool:
        """Take `rel` from the last build when it was made from `deps` (and record `deps` for the next build)."""
        if not deps:
            return False
        self.out.deps[rel] = deps
        earlier = self.previous.get(rel)
        return bool(earlier and earlier[0] == deps and self.out.carry_over(rel, earlier[1]))

    def inputs_hash(self, name: str, inputs: Any) -> str:
        """A hash of what an output is made from, given as picklable values; '' when it cannot be told."""
        return self._page_deps(name, {"inputs": inputs})

    def _page_deps(self, template: str, context: PageContext | Any) -> str:
        """A hash of everything a page is made from, or '' when it cannot be told (the page is always rendered)."""
        if not self.inputs_key:
            return ""
        buffer = io.BytesIO()
        try:
            _ContextPickler(buffer, self.digests).dump(dict(context))
        except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
            return ""
        return hash_bytes(self.inputs_key.encode() + b"\0" + template.encode() + b"\0" + buffer.getvalue())


# Values many pages share (a document's view appears on every register page that lists it, the site's description
# on every page) are hashed once and stand for themselves in the pages' hashes by their digest.
DIGESTED_TYPES: set[type] = {SiteInfo}


def _digested(digest: bytes) -> bytes:
    """Stands for a shared value in a page hash (never called: page hashes are never unpickled)."""
    return digest


class _ContextPickler(pickle.Pickler):
    """Pickles a page context for hashing: without the memo, shared values replaced by their digests."""

    def __init__(self, file: io.BytesIO, digests: dict[int, tuple[object, bytes]]):
        super().__init__(file, protocol=5)
        # Without the memo the bytes do not depend on which equal objects happen to be shared (results from the
        # cache and from the workers share differently). Equal pickles mean equal contexts; unequal ones (set
        # order) only cost a render.
        self.fast = True
        self.digests = digests

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) not in DIGESTED_TYPES:
            return NotImplemented
        return (_digested, (shared_digest(self.digests, obj),))


def shared_digest(digests: dict[int, tuple[object, bytes]], value: object) -> bytes:
    """The digest of a shared value, from `digests` (id -> (value, digest)) or made and kept there."""
    known = digests.get(id(value))
    if known is None or known[0] is not value:
        known = (value, value_digest(value))
        digests[id(value)] = known  # the object is kept alive with its digest, so its id stays its own
    return known[1]


def value_digest(value: object) -> bytes:
    """The digest that stands for a shared value in page hashes (see _ContextPickler)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    digest = new_digest()
    digest.update(buffer.getvalue())
    return digest.digest()


# Whitespace, control and invisible format characters a browser drops from a URL before reading its scheme.
_URL_NOISE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")
SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(url: str | None) -> str:
    """The URL when its scheme is http, https or mailto or it has none (relative); else '' (as ed:safe-url)."""
    probe = _URL_NOISE.sub("", url or "").lower()
    if not probe:
        return ""
    scheme = _SCHEME.match(probe)
    if scheme and scheme.group(0)[:-1] not in SAFE_SCHEMES:
        return ""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "", url or "").strip()


@dataclass(frozen=True)
class PageLink:
    """A link to one page of a paged list, relative to the page it is on."""

    number: int
    href: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    """Where one page of a list too long for one page stands: which items it shows and links to the others."""

    number: int  # this page's number, from 1
    count: int  # how many pages the list takes
    first: int  # the number of the first item on this page, from 1
    last: int  # the number of the last item on this page
    total: int  # items in the list
    links: tuple[PageLink, ...]  # the first and last pages and those near this one, in order
    previous: str = ""  # href of the page before, '' on the first
    next: str = ""  # href of the page after, '' on the last


def paged(items: list[T], per_page: int, base: str) -> Iterator[tuple[str, list[T], Pagination | None]]:
    """A list cut into pages of `per_page` items: each page's folder (the first in `base`), its items and its
    pagination (None when the list fits on one page, which is then the only one, even when empty)."""
    count = max(1, -(-len(items) // per_page))
    for number in range(1, count + 1):
        yield (
            part_folder(base, number),
            items[(number - 1) * per_page : number * per_page],
            pagination(number, count, per_page, len(items)) if count > 1 else None,
        )


def pagination(number: int, count: int, per_page: int, total: int) -> Pagination:
    """The pagination of page `number` of `count` (pages in folders base/, base/2/, base/3/...)."""

    def href(target: int) -> str:
        if target == number:
            return "./"
        if number == 1:
            return f"{target}/"
        return "../" if target == 1 else f"../{target}/"

    shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    return Pagination(
        number=number,
        count=count,
        first=(number - 1) * per_page + 1,
        last=min(total, number * per_page),
        total=total,
        links=tuple(PageLink(n, href(n), n == number) for n in shown),
        previous=href(number - 1) if number > 1 else "",
        next=href(number + 1) if number < count else "",
    )
