"""A document's facsimile: the page images of its source (facsimile/surface/graphic), the zones marked on them
(zone with @ulx/@uly/@lrx/@lry or @points) and what the text points to with @facs (pb, lb, l, w, seg...).

The facsimile is read where the tree is parsed (in the per-source stage) into plain data; the site's page shows the
images beside the text (web/facsimile.py). A @facs value is a pointer to a surface, zone or graphic ('#p1'), or the
URL of an image ('scans/p1.jpg'); a bare token such as FRUS's facs="0002" names an image in a project's own system
and is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree

from tei_edition.tei.parse import line_of
from tei_edition.tei.text import XML_ID, T

if TYPE_CHECKING:
    from tei_edition.tei.model import Document
    from tei_edition.tei.parts import Part

# The file names a @facs URL or a graphic/@url may end in to be taken as a page image.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".gif", ".bmp", ".jp2"})

Box = tuple[float, float, float, float]  # ulx, uly, lrx, lry


@dataclass(frozen=True)
class Zone:
    """A region of a surface, in the surface's coordinates: a rectangle, or a polygon of points."""

    id: str
    box: Box | None
    points: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Surface:
    """One page (or side) of the source and its image."""

    id: str  # its xml:id, or the image's URL when the text points to an image directly
    label: str  # its @n (or the page break's), for the viewer's caption
    images: tuple[tuple[str, int], ...]  # (graphic/@url, line), in order of preference
    box: Box | None  # the surface's own coordinates (@ulx...), which its zones use; None: the image's pixels
    zones: tuple[Zone, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Facsimile:
    """The page images a document shows and what its text points to on them."""

    surfaces: tuple[Surface, ...]
    # Every @facs pointer of the text that leads to a surface: (the pointer as written, surface index, zone id or
    # ''); a URL that may name a canvas of the manifest has the index -1.
    targets: tuple[tuple[str, int, str], ...] = ()
    manifest: str = ""  # a IIIF Presentation manifest the facsimile refers to (@sameAs or @facs), a file or a URL
    manifest_line: int = 0

    def target_map(self) -> dict[str, tuple[int, str]]:
        """The pointers as a mapping: pointer -> (surface index, zone id)."""
        return {token: (index, zone) for token, index, zone in self.targets}


def is_image_url(value: str) -> bool:
    """Whether a @facs or @url value names an image file (by its ending) rather than an id in some other system."""
    path = urlsplit(value.strip()).path
    return PurePosixPath(path).suffix.lower() in IMAGE_SUFFIXES


# A file's <facsimile> as read once: its surfaces in order, the index of their ids (xml:id of a surface, graphic or
# zone -> (surface index, zone id)), and the manifest it names with its line.
_Surfaces = tuple[tuple[Surface, ...], dict[str, tuple[int, str]], str, int]


def read_facsimile(
    root: etree._Element, scope: etree._Element | None = None, read: _Surfaces | None = None
) -> Facsimile | None:
    """The facsimile of the file whose TEI element is `root`, restricted to what `scope` (a part of a volume)
    points to when given; None when there are no page images. `read` is what _read_surfaces(root) gave, when
    the caller reads the facsimile of several parts of one volume."""
    found, index, manifest, manifest_line = _read_surfaces(root) if read is None else read
    surfaces = list(found)
    text_scope = scope if scope is not None else root
    targets: list[tuple[str, int, str]] = []
    known: set[str] = set()
    used: list[int] = []
    for block in text_scope.iter(f"{T}text") if scope is None else [scope]:
        for pointing in block.iter():
            facs = pointing.get("facs") if isinstance(pointing.tag, str) else None
            if not facs:
                continue
            for token in facs.split():
                if token in known:
                    continue
                if token.startswith("#") and token[1:] in index:
                    number, zone = index[token[1:]]
                    label = (pointing.get("n") or "").strip()
                    if not zone and label and not surfaces[number].label:  # a page break names its page
                        surfaces[number] = replace(surfaces[number], label=label)
                elif is_image_url(token):
                    label = (pointing.get("n") or "").strip()
                    number, zone = len(surfaces), ""
                    surfaces.append(Surface(token, label, ((token, line_of(pointing)),), None, (), line_of(pointing)))
                elif manifest and token.startswith(("http://", "https://")):  # a canvas of the manifest, maybe
                    known.add(token)
                    targets.append((token, -1, ""))
                    continue
                else:
                    continue
                known.add(token)
                targets.append((token, number, zone))
                used.append(number)
    # The pages in the order the text reaches them (an image named by @facs comes where its page break stands),
    # then those it never points to; a part of a volume shows only the pages its text points to.
    keep = list(dict.fromkeys(used))
    if scope is None:
        keep += [i for i in range(len(surfaces)) if i not in set(keep)]
    if keep != list(range(len(surfaces))):
        renumber = {old: new for new, old in enumerate(keep)}
        surfaces = [surfaces[i] for i in keep]
        targets = [(token, renumber.get(number, -1), zone) for token, number, zone in targets]
    if not surfaces and not manifest:
        return None
    return Facsimile(tuple(surfaces), tuple(targets), manifest, manifest_line)


def _read_surfaces(root: etree._Element) -> _Surfaces:
    """The surfaces of a file's <facsimile> elements, their ids and the manifest they name (see _Surfaces)."""
    surfaces: list[Surface] = []
    index: dict[str, tuple[int, str]] = {}
    manifest, manifest_line = "", 0
    for facsimile in root.iter(f"{T}facsimile"):
        for attribute in ("sameAs", "facs"):
            value = (facsimile.get(attribute) or "").strip()
            if value and not manifest and not value.startswith("#"):
                manifest, manifest_line = value, line_of(facsimile)
        for el in facsimile.iter(f"{T}surface", f"{T}graphic"):
            if el.tag == f"{T}graphic" and _ancestor_in(el, ("surface", "zone")):
                continue
            surface = _read_surface(el, len(surfaces))
            number = len(surfaces)
            surfaces.append(surface)
            index[surface.id] = (number, "")
            for graphic in el.iter(f"{T}graphic"):
                if graphic.get(XML_ID):
                    index[str(graphic.get(XML_ID))] = (number, "")
            for marked in surface.zones:
                index[marked.id] = (number, marked.id)
    return tuple(surfaces), index, manifest, manifest_line


def _ancestor_in(el: etree._Element, names: tuple[str, ...]) -> bool:
    return any(a.tag in {f"{T}{n}" for n in names} for a in el.iterancestors())


def _read_surface(el: etree._Element, number: int) -> Surface:
    """A surface (or a graphic that stands for one directly in <facsimile>)."""
    own_id = el.get(XML_ID) or f"surface-{number + 1}"
    if el.tag == f"{T}graphic":
        url = (el.get("url") or "").strip()
        return Surface(own_id, (el.get("n") or "").strip(), ((url, line_of(el)),) if url else (), None, (), line_of(el))
    images = tuple(
        ((g.get("url") or "").strip(), line_of(g))
        for g in el.iterchildren(f"{T}graphic")
        if (g.get("url") or "").strip()
    )
    zones = tuple(z for zone in el.iter(f"{T}zone") if (z := _read_zone(zone)) is not None)
    labels = (" ".join(str(t) for t in lab.itertext()) for lab in el.iterchildren(f"{T}label"))
    label = (el.get("n") or "").strip() or " ".join(" ".join(labels).split())
    return Surface(own_id, label, images, _box(el), zones, line_of(el))


def _read_zone(el: etree._Element) -> Zone | None:
    """A zone with an id (only those can be pointed to) and a place on its surface."""
    zone_id = el.get(XML_ID)
    if not zone_id:
        return None
    points = _points(el.get("points") or "")
    box = _box(el)
    if box is None and not points:
        return None
    return Zone(str(zone_id), box, points)


def _box(el: etree._Element) -> Box | None:
    """@ulx, @uly, @lrx, @lry as numbers, when all four are there and valid."""
    try:
        ulx, uly, lrx, lry = (float(el.get(name) or "") for name in ("ulx", "uly", "lrx", "lry"))
    except ValueError:
        return None
    if lrx <= ulx or lry <= uly:
        return None
    return (ulx, uly, lrx, lry)


def _points(value: str) -> tuple[tuple[float, float], ...]:
    """@points ('220,100 300,210 170,250') as pairs; () unless there are at least three valid ones."""
    out = []
    for pair in value.split():
        x, _, y = pair.partition(",")
        try:
            out.append((float(x), float(y)))
        except ValueError:
            return ()
    return tuple(out) if len(out) >= 3 else ()


def with_part_facsimiles(documents: list[Document], tree: etree._ElementTree, parts: list[Part]) -> list[Document]:
    """A volume's documents (the volume's own first, which shows every page image, then its parts) with each part's
    facsimile: the pages its text points to."""
    root = tree.getroot()
    out = documents[:1]
    read = _read_surfaces(root)  # once for the volume, not once for each of its parts
    for doc, part in zip(documents[1:], parts, strict=True):
        found = read_facsimile(root, part.element, read)
        out.append(doc if found is None else replace(doc, facsimile=found))
    return out


def page_image_urls(root: etree._Element) -> tuple[tuple[str, int], ...]:
    """The page images of a file, with their lines, for the image check: the facsimile's graphics, the IIIF
    manifest files it names, and the images the text names directly (@facs="scans/p1.jpg")."""
    out: list[tuple[str, int]] = []
    for facsimile in root.iter(f"{T}facsimile"):
        out.extend((g.get("url") or "", line_of(g)) for g in facsimile.iter(f"{T}graphic"))
        for attribute in ("sameAs", "facs"):
            value = (facsimile.get(attribute) or "").strip()
            if value and not value.startswith("#") and not urlsplit(value).scheme:
                out.append((value, line_of(facsimile)))
    for el in root.iter():
        facs = el.get("facs") if isinstance(el.tag, str) and el.tag != f"{T}facsimile" else None
        if facs:
            out.extend((token, line_of(el)) for token in facs.split() if is_image_url(token))
    return tuple(out)
