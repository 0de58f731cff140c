"""IIIF Presentation manifests (versions 2 and 3) that a TEI facsimile refers to (facsimile/@sameAs or @facs): the
canvases in order, each with its size, label and image (a file next to the manifest, or an IIIF image service).
Only manifest files kept with the edition are read, at build time; a manifest elsewhere is never fetched."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Canvas:
    """One canvas of a manifest: a page and its image."""

    id: str
    label: str
    width: int
    height: int
    image: str  # the image resource's URL as the manifest gives it ('' when none)
    service: str  # the base URL of the image's IIIF image service ('' when none)


class ManifestError(ValueError):
    """A manifest that cannot be read: what is wrong with it."""


def read_manifest(path: Path) -> list[Canvas]:
    """The canvases of the manifest file at `path`; ManifestError when it is not a IIIF manifest."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ManifestError(f"is not JSON that can be read ({exc})") from None
    if not isinstance(data, dict):
        raise ManifestError("is not a IIIF manifest (not a JSON object)")
    return canvases(data)


def canvases(data: dict[str, Any]) -> list[Canvas]:
    """The canvases of a manifest of version 3 (items) or 2 (sequences/canvases)."""
    if isinstance(data.get("items"), list):
        return [c for item in data["items"] if isinstance(item, dict) and (c := _canvas_v3(item))]
    sequences = data.get("sequences")
    if isinstance(sequences, list) and sequences and isinstance(sequences[0], dict):
        found = sequences[0].get("canvases")
        if isinstance(found, list):
            return [c for item in found if isinstance(item, dict) and (c := _canvas_v2(item))]
    raise ManifestError("is not a IIIF manifest (it has neither items nor sequences of canvases)")


def _canvas_v3(item: dict[str, Any]) -> Canvas | None:
    body: Any = None
    for page in _list(item.get("items")):
        for annotation in _list(page.get("items") if isinstance(page, dict) else None):
            if isinstance(annotation, dict):
                body = (_list(annotation.get("body")) or [None])[0]
                break
        if body is not None:
            break
    body = body if isinstance(body, dict) else {}
    service = (_list(body.get("service")) or [{}])[0]
    return Canvas(
        id=str(item.get("id", "")),
        label=_label(item.get("label")),
        width=_number(item.get("width")),
        height=_number(item.get("height")),
        image=str(body.get("id", "")),
        service=str(service.get("id") or service.get("@id") or "") if isinstance(service, dict) else "",
    )


def _canvas_v2(item: dict[str, Any]) -> Canvas | None:
    image = (_list(item.get("images")) or [{}])[0]
    resource = image.get("resource", {}) if isinstance(image, dict) else {}
    resource = resource if isinstance(resource, dict) else {}
    service = (_list(resource.get("service")) or [{}])[0]
    return Canvas(
        id=str(item.get("@id", "")),
        label=_label(item.get("label")),
        width=_number(item.get("width")),
        height=_number(item.get("height")),
        image=str(resource.get("@id", "")),
        service=str(service.get("@id") or service.get("id") or "") if isinstance(service, dict) else "",
    )


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _label(value: Any) -> str:
    """A label as text: a string (version 2) or the first language's first value (version 3)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for values in value.values():
            if isinstance(values, list) and values:
                return str(values[0])
    return ""


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
