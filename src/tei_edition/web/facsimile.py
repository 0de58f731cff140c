"""Page images beside the text: every local image a document's facsimile shows is cut into static IIIF Image API
3.0 level-0 tiles (iiif/<image id>/info.json and {region}/{size}/0/default.jpg, 512 pixels wide, at scale factors
1, 2, 4...), so that the page viewer (assets/facsimile.js) can zoom deep into it offline and from file://.

Tiles are made once per image content: the build cache keeps them under a hash of the image's bytes, and the tiles
of an image that did not change are carried over from the last build without being read. An IIIF image service
elsewhere (graphic/@url ending in info.json, or a manifest's) is only linked, unless the edition asks for it to be
shown ([output] remote_images = true): by default the site reaches no other server.
"""

from __future__ import annotations

import io
import json
import math
import re
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup
from PIL import Image, ImageOps

from tei_edition.output.cache import dumps
from tei_edition.output.hashing import content_key, hash_bytes
from tei_edition.output.paths import (
    asset_path,
    href_between,
    iiif_folder,
    iiif_image_id,
    iiif_tile,
    local_media,
    media_source,
)
from tei_edition.tei.facsimile import Box, Surface, Zone
from tei_edition.tei.model import Document
from tei_edition.web.context import Site, safe_url
from tei_edition.web.manifests import Canvas, ManifestError, read_manifest
from tei_edition.web.pages import package_assets

TILE_SIZE = 512
JPEG_QUALITY = 85
_FORMAT = "1"
VIEWER_ASSETS = ("facsimile.js", "facsimile.css")  # changes when the tiles of the same image would come out differently


@dataclass(frozen=True)
class TiledImage:
    """A page image as the site serves it: its folder below iiif/ and its size."""

    id: str
    width: int
    height: int
    scale_factors: tuple[int, ...]


@dataclass(frozen=True)
class TileTiming:
    """What making one image's tiles took (for the build's report and bench/tiles.py)."""

    source: Path
    seconds: float
    tiles: int
    reused: bool


@dataclass(frozen=True)
class FacsimileView:
    """What a document page shows of its facsimile: the viewer's data as JSON, and the number of images."""

    data: Markup
    images: int
    missing: int
    origins: tuple[str, ...] = ()  # the IIIF image services' servers the viewer loads from ([output] remote_images)
    zones: bool = False  # whether the text points to zones on the images


def scale_factors(width: int, height: int, size: int = TILE_SIZE) -> tuple[int, ...]:
    """1, 2, 4... up to the first factor at which the whole image fits in one tile."""
    factors = [1]
    while max(math.ceil(width / factors[-1]), math.ceil(height / factors[-1])) > size:
        factors.append(factors[-1] * 2)
    return tuple(factors)


Tiles = list[tuple[str, bytes]]  # (path below the image's folder, JPEG bytes)


def make_tiles(data: bytes, size: int = TILE_SIZE, quality: int = JPEG_QUALITY) -> tuple[int, int, Tiles]:
    """The image's width, height and level-0 tiles (path below the image's folder, JPEG bytes); raises OSError or
    ValueError for bytes Pillow cannot read as an image."""
    with warnings.catch_warnings():
        # The edition's own scans may be large (Pillow warns beyond 89 million pixels, and refuses twice that).
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)  # as a browser shows the file
            image = image.convert("L" if image.mode in ("1", "L", "I;16", "I") else "RGB")
    width, height = image.size
    tiles: Tiles = []
    level = image
    for factor in scale_factors(width, height, size):
        if factor > 1:
            level = level.reduce(2)  # ceil(width / factor) wide, as the Image API's sizes are
        level_w, level_h = level.size
        for y in range(0, level_h, size):
            for x in range(0, level_w, size):
                tile = level.crop((x, y, min(x + size, level_w), min(y + size, level_h)))
                rx, ry = x * factor, y * factor
                rw, rh = min(size * factor, width - rx), min(size * factor, height - ry)
                out = io.BytesIO()
                tile.save(out, "JPEG", quality=quality, optimize=False)
                tiles.append((iiif_tile(rx, ry, rw, rh, tile.width, tile.height, width, height), out.getvalue()))
    return width, height, tiles


def info_json(image: TiledImage, service_id: str, size: int = TILE_SIZE) -> str:
    """The image's info.json (IIIF Image API 3.0, level 0)."""
    sizes = [
        {"width": math.ceil(image.width / f), "height": math.ceil(image.height / f)}
        for f in image.scale_factors
        if max(math.ceil(image.width / f), math.ceil(image.height / f)) <= size
    ]
    info = {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": image.width,
        "height": image.height,
        "sizes": sizes,
        "tiles": [{"width": size, "scaleFactors": list(image.scale_factors)}],
    }
    return json.dumps(info, indent=2) + "\n"


@dataclass
class PageImages:
    """What tiling the page images did: the time each took, the images that could not be read, and the signature
    of every image file the pages show (or 'missing'), by path, for the build to notice an image edited alone."""

    timings: list[TileTiming] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files that could not be read, with why
    signatures: dict[str, str] = field(default_factory=dict)


def file_signature(path: Path) -> str:
    """A file's size, modification time and inode ('missing' when there is none): what says it is unchanged
    without reading it."""
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def page_images_changed(signatures: Mapping[str, str]) -> bool:
    """Whether any of the image files a build recorded (see PageImages) is no longer as it was."""
    return any(file_signature(Path(name)) != signature for name, signature in signatures.items())


def write_page_images(site: Site) -> PageImages:
    """Tile every local page image the documents' facsimiles show into the site (once per image content); the
    images are recorded for facsimile_view()."""
    tiled: dict[Path, TiledImage | None] = site.cache.setdefault("page-images", {})
    done = PageImages()
    if any(doc.facsimile is not None for doc in site.data.documents):
        copy_viewer(site)
    for doc in site.data.documents:
        if doc.facsimile is None:
            continue
        pages, _targets = document_pages(site, doc)
        for page in pages:
            for path in page.watched:
                done.signatures[str(path)] = file_signature(path)
            for source in page.files:
                if source in tiled:
                    continue
                start = time.perf_counter()
                image, count, reused = _tile_into_site(site, source, done.signatures[str(source)])
                tiled[source] = image
                if image is None:
                    why = site.cache.get("page-image-problems", {}).get(source, "not an image that can be read")
                    done.unreadable.append(f"{source}: {why}: the page shows no image")
                else:
                    done.timings.append(TileTiming(source, time.perf_counter() - start, count, reused))
    done.unreadable.extend(f"{path}: {problem}" for path, problem in site.cache.get("manifest-problems", {}).items())
    return done


@dataclass(frozen=True)
class Page:
    """A page image as the site can show it: the local files found for it (in order of preference), IIIF image
    services elsewhere, or a link to follow; and the files watched for changes (found or not)."""

    id: str
    label: str
    box: Box | None
    zones: tuple[Zone, ...]
    files: tuple[Path, ...] = ()
    services: tuple[str, ...] = ()
    link: str = ""
    watched: tuple[Path, ...] = ()


def document_pages(site: Site, doc: Document) -> tuple[list[Page], dict[str, tuple[int, str]]]:
    """A document's page images, with the files and services each may be shown from, and the text's pointers to
    them (pointer -> page index, zone id): its facsimile's surfaces, else the canvases of its IIIF manifest."""
    facsimile = doc.facsimile
    if facsimile is None:
        return [], {}
    root = site.data.config.root
    pages = [_surface_page(surface, doc.path, root) for surface in facsimile.surfaces]
    targets = {token: (n, zone) for token, (n, zone) in facsimile.target_map().items() if n >= 0}
    if not facsimile.manifest:
        return pages, targets
    rel = local_media(facsimile.manifest)
    if rel is None:  # a manifest elsewhere: never fetched, linked when it is a web address
        link = facsimile.manifest if facsimile.manifest.startswith(("http://", "https://")) else ""
        if not pages and link:
            pages = [Page("manifest", "", None, (), link=safe_url(link))]
        return pages, targets
    manifest, _problem = media_source(doc.path, rel, root)
    watched = (manifest if manifest is not None else doc.path.parent / Path(*rel.parts),)
    canvases = _manifest_canvases(site, manifest) if manifest is not None else []
    from_canvases = [_canvas_page(canvas, manifest, root) for canvas in canvases] if manifest else []
    if not pages:
        pages = from_canvases
    else:  # a surface without an image of its own shows the canvas in its place
        pages = [
            replace(
                page,
                label=page.label or extra.label,
                files=extra.files,
                services=extra.services,
                watched=page.watched + extra.watched,
            )
            if not page.files and not page.services and n < len(from_canvases) and (extra := from_canvases[n])
            else page
            for n, page in enumerate(pages)
        ]
    # A pointer to a canvas leads to its page (the n-th surface stands for the n-th canvas).
    by_canvas = {canvas.id: n for n, canvas in enumerate(canvases) if n < len(pages)}
    targets.update({token: (by_canvas[token], "") for token in facsimile.target_map() if token in by_canvas})
    if pages:
        pages[0] = replace(pages[0], watched=pages[0].watched + watched)
    return pages, targets


def _surface_page(surface: Surface, document: Path, root: Path) -> Page:
    files: list[Path] = []
    services: list[str] = []
    watched: list[Path] = []
    for url, _line in surface.images:
        rel = local_media(url)
        if rel is None:
            if service := iiif_service(url):
                services.append(service)
            continue
        source, _problem = media_source(document, rel, root)
        if source is not None:
            files.append(source)
            watched.append(source)
        else:
            watched.extend((document.parent / Path(*rel.parts), root / Path(*rel.parts)))  # it may come
    return Page(
        surface.id, surface.label, surface.box, surface.zones, tuple(files), tuple(services), "", tuple(watched)
    )


def _manifest_canvases(site: Site, manifest: Path) -> list[Canvas]:
    """A manifest's canvases, read once per build; a manifest that cannot be read is told once, and shows none."""
    read: dict[Path, list[Canvas]] = site.cache.setdefault("manifests", {})
    if manifest not in read:
        try:
            read[manifest] = read_manifest(manifest)
        except ManifestError as exc:
            site.cache.setdefault("manifest-problems", {})[manifest] = f"the IIIF manifest {exc}"
            read[manifest] = []
    return read[manifest]


def _canvas_page(canvas: Canvas, manifest: Path, root: Path) -> Page:
    files: tuple[Path, ...] = ()
    watched: tuple[Path, ...] = ()
    rel = local_media(canvas.image) if canvas.image else None
    if rel is not None:  # an image file beside the manifest
        source, _problem = media_source(manifest, rel, root)
        files = (source,) if source is not None else ()
        watched = (source if source is not None else manifest.parent / Path(*rel.parts),)
    services = (canvas.service.rstrip("/"),) if canvas.service.startswith(("http://", "https://")) else ()
    return Page(canvas.id, canvas.label, None, (), files, services, "", watched)


def copy_viewer(site: Site) -> None:
    """Copy the viewer's script and stylesheet into the site's assets (only editions with page images get them);
    files of the same name in the edition's templates/assets/facsimile/ win."""
    own = site.data.config.templates_dir
    for name in VIEWER_ASSETS:
        path = package_assets() / "facsimile" / name
        if own is not None and (own / "assets" / "facsimile" / name).is_file():
            path = own / "assets" / "facsimile" / name
        site.out.copy_file(asset_path(name), path)


def _tile_into_site(site: Site, source: Path, signature: str) -> tuple[TiledImage | None, int, bool]:
    """Write one image's tiles and info.json into the site: carried over when the last build made them from the
    same bytes, else from the build cache, else made now (the file is read only then, or when its size or time
    changed). None for a file that is not an image Pillow reads."""
    store = site.store
    seen_key = content_key("page-image-file", str(source), signature)
    seen = store.get(seen_key) if store is not None else None
    data: bytes | None = None
    if seen is None:
        data = source.read_bytes()
        digest = hash_bytes(data)
        if store is not None:
            store.put_many([(seen_key, digest.encode("ascii"))])
    else:
        digest = seen.decode("ascii")
    image_id = iiif_image_id(source.name, digest)
    base = iiif_folder(image_id)
    key = content_key("page-image-tiles", _FORMAT, str(TILE_SIZE), str(JPEG_QUALITY), digest)
    known = store.get_objects([key + ":meta"]).get(key + ":meta") if store is not None else None
    tiles: Tiles | None = None
    reused = True
    if known is None:
        try:
            width, height, tiles = make_tiles(data if data is not None else source.read_bytes())
        except Image.DecompressionBombError as exc:
            site.cache.setdefault("page-image-problems", {})[source] = str(exc)
            return None, 0, False
        except (OSError, ValueError):
            return None, 0, False
        reused = False
        known = (width, height, [path for path, _ in tiles])
        if store is not None:
            store.put_many([(key + ":meta", dumps(known)), (key, dumps(tiles))])
    width, height, paths = known
    image = TiledImage(image_id, width, height, scale_factors(width, height))
    deps = key
    waiting = [path for path in paths if not site.carry_over(f"{base}{path}", deps)]
    if waiting:
        if tiles is None:
            tiles = store.get_objects([key]).get(key) if store is not None else None
            if tiles is None:  # the cache lost them: make them again
                _w, _h, tiles = make_tiles(source.read_bytes())
                reused = False
                if store is not None:
                    store.put_many([(key, dumps(tiles))])
        elif store is not None:
            store.keep(key)
        by_path = dict(tiles)
        for path in waiting:
            site.out.write_bytes(f"{base}{path}", by_path[path])
    elif store is not None:
        store.keep(key)
    service = site.info.absolute(base.rstrip("/")) or base.rstrip("/")
    site.file_from(
        f"{base}info.json", site.inputs_hash("info.json", (deps, service)), lambda: info_json(image, service)
    )
    return image, len(paths), reused


def facsimile_view(site: Site, doc: Document, page_folder: str) -> FacsimileView | None:
    """The viewer's data for a document page (None when the document has no page image to show): each page with its
    tiles' folder relative to the page, its size, its zones, and the text's pointers to them."""
    if doc.facsimile is None:
        return None
    pages, targets = document_pages(site, doc)
    if not pages:
        return None
    tiled: dict[Path, TiledImage | None] = site.cache.get("page-images", {})
    remote_allowed = site.data.config.remote_images
    surfaces: list[dict[str, Any]] = []
    missing = 0
    for page in pages:
        image = _page_image(page, tiled, page_folder, remote_allowed)
        missing += image is None
        surfaces.append(
            {
                "id": page.id,
                "label": page.label,
                "image": image,
                "box": list(page.box) if page.box else None,
                "zones": {
                    zone.id: {"box": list(zone.box)} if zone.box else {"points": [list(p) for p in zone.points]}
                    for zone in page.zones
                },
            }
        )
    if missing == len(surfaces):  # no image to show (none found, or all on servers the edition does not load from)
        return None
    data = {"surfaces": surfaces, "targets": {token: [n, zone] for token, (n, zone) in targets.items()}}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # '<', '>' and '&' escaped so the data can never close the <script> element it sits in.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    origins = sorted({_origin(s["image"]["service"]) for s in surfaces if s["image"] and "service" in s["image"]})
    zoned = any(zone for _n, zone in targets.values())
    return FacsimileView(Markup(text), len(surfaces) - missing, missing, tuple(origins), zoned)


def _origin(url: str) -> str:
    """A URL's scheme, host and port, as a Content-Security-Policy source names a server."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _page_image(
    page: Page, tiled: dict[Path, TiledImage | None], page_folder: str, remote_allowed: bool
) -> dict[str, Any] | None:
    """What the viewer shows of a page: the tiles this build made of its first readable file, else (when allowed)
    an IIIF image service elsewhere, else a link to the service or manifest; None when there is nothing."""
    for source in page.files:
        image = tiled.get(source)
        if image is not None:
            return {
                "tiles": href_between(page_folder, iiif_folder(image.id)),
                "width": image.width,
                "height": image.height,
                "tile": TILE_SIZE,
                "scaleFactors": list(image.scale_factors),
            }
    if page.services:
        return {"service": page.services[0]} if remote_allowed else {"link": page.services[0] + "/info.json"}
    return {"link": page.link} if page.link else None


def iiif_service(url: str) -> str:
    """The base URL of an IIIF image service a graphic/@url names (its info.json, or the service itself), or ''
    for a URL that is not one (a plain image file on the web)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    path = parts.path.rstrip("/")
    if path.endswith("/info.json"):
        return url.strip()[: url.strip().rfind("/info.json")]
    request = _IIIF_REQUEST.search(path)
    if request is not None:  # an image request of the service: {service}/full/max/0/default.jpg
        return f"{parts.scheme}://{parts.netloc}{path[: request.start()]}"
    last = path.rsplit("/", 1)[-1]
    return "" if "." in last else url.strip().rstrip("/")


# The end of an IIIF Image API request (region/size/rotation/quality.format), after the service's base URL.
_IIIF_REQUEST = re.compile(
    r"/(?:full|square|\d+,\d+,\d+,\d+|pct:[\d.]+,[\d.]+,[\d.]+,[\d.]+)"
    r"/(?:full|max|\^?!?\d*,\d*|\^?pct:[\d.]+|\^max)/!?\d+(?:\.\d+)?/(?:default|color|gray|bitonal|native)"
    r"\.(?:jpg|jpeg|png|tif|tiff|gif|webp|jp2|pdf)$"
)
