"""The map of places: every place of the registers with coordinates (place/location/geo), as a marker sized by the
number of times the texts mention it and linked to the place's page, on a page of its own and on each place's page.

Leaflet comes from the PyPI package xstatic-leaflet and is copied into the site's assets when the edition has a map.
Without a tile server ([map] tiles), the base layer is the land of the world from Natural Earth, shipped with the
package (templates/map/land-110m.js, see SOURCE.md there): the map works offline and from file://.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tei_edition.errors import BuildError
from tei_edition.output.paths import asset_path, folder
from tei_edition.tei.edition import EditionData
from tei_edition.transform.jinja import package_templates
from tei_edition.web.context import PageContext, Site, navigation

MAP_DATA = "map/places.js"  # the places and the map's settings, shared by the map page and the place pages
LAND = "land-110m.js"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")


@dataclass(frozen=True)
class MapPlace:
    """A place on the map: where it is, how often the texts mention it, and its page (from the site's root)."""

    id: str
    name: str
    lat: float
    lon: float
    mentions: int
    documents: int
    folder: str


class MapPage(PageContext):
    """The context of the map page."""

    places: list[MapPlace]  # by number of mentions, most first
    unmapped: int  # places of the register without coordinates
    tiles_origin: str  # the tile server's origin, for the page's Content-Security-Policy ('' without tiles)


def mapped_places(data: EditionData) -> list[MapPlace]:
    """The places of the registers that have coordinates, most mentioned first (then by name)."""
    places = []
    for entity in data.entities.values():
        if entity.kind != "place" or entity.geo is None:
            continue
        lat, lon = entity.geo
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        groups = data.groups.get(entity.id, [])
        places.append(
            MapPlace(
                id=entity.id,
                name=entity.name,
                lat=lat,
                lon=lon,
                mentions=sum(g.count for g in groups),
                documents=len(groups),
                folder=folder(entity.section, entity.id),
            )
        )
    places.sort(key=lambda p: (-p.mentions, p.name.casefold(), p.id))
    return places


def add_to_navigation(site: Site) -> None:
    """Put the map in the main menu, after the places, when some place is on it (before any page is rendered)."""
    if mapped_places(site.data):
        keys = {key for key, _label, _folder in site.info.navigation}
        menu = navigation("letters" in keys, places_map=True, works="bibliography" in keys)
        site.info = dataclasses.replace(site.info, navigation=menu)


def tiles_origin(tiles: str) -> str:
    """The origin of a tile URL template, for the pages' Content-Security-Policy: 'https://tile.example.org', or
    'https://*.tile.example.org' for Leaflet's subdomains ('{s}.tile.example.org'); '' without tiles."""
    if not tiles:
        return ""
    parts = urlsplit(tiles)
    host = parts.netloc
    if "{s}" in host:
        if not host.startswith("{s}."):
            return f"{parts.scheme}:"  # a subdomain inside a name: only the scheme can stand for them all
        host = "*" + host[3:]
    return f"{parts.scheme}://{host}"


def leaflet_folder() -> Path:
    """The folder of Leaflet's files in the xstatic-leaflet package."""
    try:
        from xstatic.pkg import leaflet
    except ImportError:
        raise BuildError(
            "the map of places needs Leaflet, which is not installed: install it with `pip install xstatic-leaflet`"
        ) from None
    return Path(leaflet.BASE_DIR)


def render_map(site: Site) -> None:
    """Write the map page, its data and Leaflet's files, when some place has coordinates (else nothing)."""
    places = mapped_places(site.data)
    if not places:
        return
    leaflet = leaflet_folder()
    for name in LEAFLET_FILES:
        site.out.copy_file(asset_path(name), leaflet / name)
    for image in sorted((leaflet / "images").glob("*.png")):  # leaflet.css refers to images/
        site.out.copy_file(f"assets/images/{image.name}", image)
    site.out.copy_file(asset_path(LAND), package_templates() / "map" / LAND)
    settings = site.data.config.map
    data = {
        "tiles": settings.tiles,
        "attribution": settings.attribution or ("" if settings.tiles else "Coastlines: Natural Earth (public domain)"),
        "places": [
            {
                "id": p.id,
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "mentions": p.mentions,
                "documents": p.documents,
                "href": p.folder,
            }
            for p in places
        ],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # A script, not a JSON file: pages opened from file:// cannot fetch() one.
    site.out.write_text(MAP_DATA, f"window.TEI_EDITION_MAP = {text};\n")
    places_total = sum(1 for e in site.data.entities.values() if e.kind == "place")
    site.page(
        "map.html",
        MapPage(
            **site.base(folder("map"), "Map of places", "map", f"The places of {site.info.title} on a map"),
            places=places,
            unmapped=places_total - len(places),
            tiles_origin=tiles_origin(settings.tiles),
        ),
    )
