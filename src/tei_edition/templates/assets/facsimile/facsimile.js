/* The page image beside a document's text: a small pan and zoom viewer over static IIIF Image API level-0 tiles
   (iiif/<image>/{region}/{size}/0/default.jpg, made by the build), which follows the reader: it shows the image
   of the page whose page break was last passed, and outlines the zone of the line or word under the pointer or
   the focus. The viewer's data (each image's size, tiles and zones, the text's pointers) is in the page itself,
   so it works from file:// as well as from a server. Loaded only on pages with page images. */
(function () {
  "use strict";

  var panel = document.querySelector(".facsimile-panel");
  var text = document.querySelector(".document-text");
  if (!panel || !text) return;
  var data;
  try {
    data = JSON.parse(panel.querySelector(".facsimile-data").textContent);
  } catch (e) {
    return;
  }
  var surfaces = data.surfaces || [];
  var targets = data.targets || {};
  if (!surfaces.length) return;

  var viewer = panel.querySelector(".facsimile-viewer");
  var caption = panel.querySelector(".facsimile-caption");
  var SVG = "http://www.w3.org/2000/svg";
  var state = { index: -1, image: null, k: 1, tx: 0, ty: 0, fit: 1, fitted: true, zone: null };
  var stage, tilesLayer, overlay, shape, message;
  var levels = {}; // scale factor -> {layer, imgs: {url: img}}
  var frame = 0;

  // ---- Where the text points ------------------------------------------------------------------------------------

  function targetOf(el) {
    // The first pointer of an element's data-facs that leads somewhere: [surface index, zone id].
    var tokens = (el.getAttribute("data-facs") || "").split(/\s+/);
    for (var i = 0; i < tokens.length; i++) {
      if (Object.prototype.hasOwnProperty.call(targets, tokens[i])) return targets[tokens[i]];
    }
    return null;
  }

  var pointing = Array.prototype.slice.call(text.querySelectorAll("[data-facs]"));
  var pageMarkers = []; // elements that point to a whole page (pb, a div), in document order
  var lineMarkers = []; // empty elements that point to a zone (lb): the zone of the text after them
  pointing.forEach(function (el) {
    var target = targetOf(el);
    if (!target) return;
    if (!target[1]) pageMarkers.push(el);
    else if (el.tagName === "BR" || !el.textContent.trim()) lineMarkers.push(el);
  });

  // ---- The image ------------------------------------------------------------------------------------------------

  function tilePath(image, x, y, w, h, tw, th) {
    var whole = x === 0 && y === 0 && w === image.width && h === image.height;
    var region = whole ? "full" : x + "," + y + "," + w + "," + h;
    var size;
    if (image.version === 2) size = whole && tw === image.width ? "full" : tw + ",";
    else size = whole && tw === image.width && th === image.height ? "max" : tw + "," + th;
    return region + "/" + size + "/0/default.jpg";
  }

  function viewSize() {
    return { w: viewer.clientWidth || 1, h: viewer.clientHeight || 1 };
  }

  function build(index) {
    viewer.textContent = "";
    levels = {};
    state.image = null;
    state.zone = null;
    var surface = surfaces[index];
    var image = surface.image;
    if (image && image.tiles !== undefined) {
      start(surface, {
        base: image.tiles,
        width: image.width,
        height: image.height,
        tile: image.tile,
        factors: image.scaleFactors,
        version: 3
      });
    } else if (image && image.service) {
      note("Loading the page image…");
      fetch(image.service + "/info.json")
        .then(function (r) { return r.json(); })
        .then(function (info) {
          if (state.index !== index) return;
          var tiles = (info.tiles && info.tiles[0]) || { width: 512, scaleFactors: [1] };
          var v2 = String(info["@context"] || "").indexOf("/image/2") >= 0;
          viewer.textContent = "";
          start(surface, {
            base: image.service + "/",
            width: info.width,
            height: info.height,
            tile: tiles.width,
            factors: tiles.scaleFactors || [1],
            version: v2 ? 2 : 3
          });
        })
        .catch(function () {
          if (state.index === index) note("The page image could not be loaded from " + image.service + ".");
        });
    } else if (image && image.link) {
      note("This page image is held elsewhere and is not loaded: the edition reaches no other server. ", image.link);
    } else {
      note("No image of this page is available.");
    }
  }

  function note(words, link) {
    // A message instead of an image: no longer an image for assistive technology, so that its link can be used.
    viewer.removeAttribute("role");
    viewer.removeAttribute("aria-label");
    message = document.createElement("p");
    message.className = "facsimile-message";
    message.textContent = words;
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = "Open it";
      a.rel = "noopener";
      message.appendChild(a);
    }
    viewer.appendChild(message);
  }

  function start(surface, image) {
    state.image = image;
    viewer.setAttribute("role", "img");
    viewer.setAttribute("aria-label", "Image of " + pageName(surface) + "; drag to move, + and − to zoom");
    stage = document.createElement("div");
    stage.className = "facsimile-stage";
    stage.style.width = image.width + "px";
    stage.style.height = image.height + "px";
    tilesLayer = document.createElement("div");
    tilesLayer.className = "facsimile-tiles";
    stage.appendChild(tilesLayer);
    overlay = document.createElementNS(SVG, "svg");
    overlay.setAttribute("class", "facsimile-overlay");
    overlay.setAttribute("viewBox", "0 0 " + image.width + " " + image.height);
    overlay.setAttribute("width", image.width);
    overlay.setAttribute("height", image.height);
    overlay.setAttribute("aria-hidden", "true");
    stage.appendChild(overlay);
    viewer.appendChild(stage);
    fit();
  }

  function fit() {
    var image = state.image;
    if (!image) return;
    var size = viewSize();
    state.fit = Math.min(size.w / image.width, size.h / image.height);
    state.k = state.fit;
    state.tx = (size.w - image.width * state.k) / 2;
    state.ty = (size.h - image.height * state.k) / 2;
    state.fitted = true;
    draw();
  }

  function clampView() {
    // Keep some of the image in view whatever the pan.
    var image = state.image;
    var size = viewSize();
    var w = image.width * state.k;
    var h = image.height * state.k;
    var margin = 0.25;
    state.tx = Math.min(Math.max(state.tx, -w + size.w * margin), size.w * (1 - margin));
    state.ty = Math.min(Math.max(state.ty, -h + size.h * margin), size.h * (1 - margin));
  }

  function zoomAt(factor, px, py) {
    if (!state.image) return;
    var k = Math.min(Math.max(state.k * factor, state.fit * 0.5), Math.max(4, state.fit * 2));
    state.tx = px - ((px - state.tx) * k) / state.k;
    state.ty = py - ((py - state.ty) * k) / state.k;
    state.k = k;
    state.fitted = false;
    draw();
  }

  function pan(dx, dy) {
    state.tx += dx;
    state.ty += dy;
    state.fitted = false;
    draw();
  }

  function draw() {
    if (!state.image || frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      clampView();
      stage.style.transform = "translate(" + state.tx + "px," + state.ty + "px) scale(" + state.k + ")";
      loadTiles();
      outlineZone();
    });
  }

  function levelFor(factors, k) {
    // The coarsest level whose pixels are no larger than the screen's.
    var wanted = 1 / (k * (window.devicePixelRatio || 1));
    var best = factors[0];
    factors.forEach(function (f) {
      if (f <= wanted && f > best) best = f;
    });
    return best;
  }

  function layerFor(factor) {
    if (!levels[factor]) {
      var layer = document.createElement("div");
      layer.className = "facsimile-level";
      layer.style.zIndex = String(1000 - factor); // finer levels above coarser ones
      tilesLayer.appendChild(layer);
      levels[factor] = { layer: layer, imgs: {} };
    }
    return levels[factor];
  }

  function loadTiles() {
    var image = state.image;
    var factors = image.factors.slice().sort(function (a, b) { return a - b; });
    var size = viewSize();
    // The coarsest level (the whole image in one tile) always, beneath the level the zoom asks for.
    var wanted = [factors[factors.length - 1], levelFor(factors, state.k)];
    var x0 = Math.max(0, -state.tx / state.k);
    var y0 = Math.max(0, -state.ty / state.k);
    var x1 = Math.min(image.width, (size.w - state.tx) / state.k);
    var y1 = Math.min(image.height, (size.h - state.ty) / state.k);
    wanted.forEach(function (f) {
      var span = image.tile * f;
      var levelW = Math.ceil(image.width / f);
      var levelH = Math.ceil(image.height / f);
      var level = layerFor(f);
      for (var row = Math.floor(y0 / span); row * span < y1; row++) {
        for (var col = Math.floor(x0 / span); col * span < x1; col++) {
          var x = col * span;
          var y = row * span;
          var w = Math.min(span, image.width - x);
          var h = Math.min(span, image.height - y);
          var tw = Math.min(image.tile, levelW - col * image.tile);
          var th = Math.min(image.tile, levelH - row * image.tile);
          var url = image.base + tilePath(image, x, y, w, h, tw, th);
          if (level.imgs[url]) continue;
          var img = document.createElement("img");
          img.alt = "";
          img.decoding = "async";
          img.draggable = false;
          img.style.left = x + "px";
          img.style.top = y + "px";
          img.style.width = w + "px";
          img.style.height = h + "px";
          img.src = url;
          level.imgs[url] = img;
          level.layer.appendChild(img);
        }
      }
    });
  }

  // ---- Zones ----------------------------------------------------------------------------------------------------

  function toPixels(surface, x, y) {
    var box = surface.box;
    var image = state.image;
    if (!box) return [x, y];
    return [((x - box[0]) * image.width) / (box[2] - box[0]), ((y - box[1]) * image.height) / (box[3] - box[1])];
  }

  function outlineZone() {
    if (shape) {
      shape.remove();
      shape = null;
    }
    var zone = state.zone && surfaces[state.index].zones[state.zone];
    if (!zone || !state.image) {
      viewer.removeAttribute("data-zone");
      return;
    }
    var surface = surfaces[state.index];
    var points = zone.box
      ? [[zone.box[0], zone.box[1]], [zone.box[2], zone.box[1]], [zone.box[2], zone.box[3]], [zone.box[0], zone.box[3]]]
      : zone.points;
    shape = document.createElementNS(SVG, "polygon");
    shape.setAttribute("class", "facsimile-zone");
    shape.setAttribute(
      "points",
      points.map(function (p) { return toPixels(surface, p[0], p[1]).join(","); }).join(" ")
    );
    overlay.appendChild(shape);
    viewer.setAttribute("data-zone", state.zone);
  }

  function showZone(target) {
    if (!target) {
      if (state.zone) {
        state.zone = null;
        outlineZone();
      }
      return;
    }
    if (target[0] !== state.index) show(target[0]);
    if (state.zone === target[1]) return;
    state.zone = target[1];
    outlineZone();
    revealZone();
  }

  function revealZone() {
    // Pan (not zoom) so that an outlined zone out of view comes into it.
    if (!shape || !state.image) return;
    var box = shape.getBBox();
    var size = viewSize();
    var left = state.tx + box.x * state.k;
    var top = state.ty + box.y * state.k;
    var right = left + box.width * state.k;
    var bottom = top + box.height * state.k;
    if (left >= 0 && top >= 0 && right <= size.w && bottom <= size.h) return;
    state.tx += size.w / 2 - (left + right) / 2;
    state.ty += size.h / 2 - (top + bottom) / 2;
    draw();
  }

  // ---- Showing a page -------------------------------------------------------------------------------------------

  function pageName(surface) {
    return surface.label ? "page " + surface.label : "the page";
  }

  function show(index) {
    if (index === state.index || index < 0 || index >= surfaces.length) return;
    state.index = index;
    var surface = surfaces[index];
    var label = surface.label ? "Page " + surface.label : "Page image";
    caption.textContent = label + " (" + (index + 1) + " of " + surfaces.length + ")";
    panel.setAttribute("data-surface", surface.id);
    panel.querySelector(".facsimile-prev").disabled = index === 0;
    panel.querySelector(".facsimile-next").disabled = index === surfaces.length - 1;
    build(index);
  }

  function readingLine() {
    // A third down the window; below the panel when it is held above the text (narrow screens).
    var line = window.innerHeight / 3;
    var rect = panel.getBoundingClientRect();
    var stacked = rect.left < text.getBoundingClientRect().right && rect.top <= line;
    return stacked ? rect.bottom + (window.innerHeight - rect.bottom) / 4 : line;
  }

  function follow() {
    // The page whose marker the reading line has passed last; the first before any.
    if (!pageMarkers.length) return;
    var line = readingLine();
    var chosen = pageMarkers[0];
    for (var i = 0; i < pageMarkers.length; i++) {
      if (pageMarkers[i].getBoundingClientRect().top <= line) chosen = pageMarkers[i];
      else break;
    }
    var target = targetOf(chosen);
    if (target) show(target[0]);
  }

  // ---- Events ---------------------------------------------------------------------------------------------------

  panel.querySelector(".facsimile-prev").addEventListener("click", function () { show(state.index - 1); });
  panel.querySelector(".facsimile-next").addEventListener("click", function () { show(state.index + 1); });
  panel.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var size = viewSize();
      var how = button.getAttribute("data-zoom");
      if (how === "fit") fit();
      else zoomAt(how === "in" ? 1.5 : 1 / 1.5, size.w / 2, size.h / 2);
    });
  });

  viewer.addEventListener(
    "wheel",
    function (event) {
      if (!state.image) return;
      event.preventDefault();
      var rect = viewer.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    },
    { passive: false }
  );

  var pointers = {};
  var pinch = null;
  viewer.addEventListener("pointerdown", function (event) {
    if (!state.image) return;
    viewer.setPointerCapture(event.pointerId);
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
    viewer.classList.add("is-dragging");
  });
  viewer.addEventListener("pointermove", function (event) {
    var last = pointers[event.pointerId];
    if (!last) return;
    var ids = Object.keys(pointers);
    if (ids.length === 2) {
      var other = pointers[ids[0] === String(event.pointerId) ? ids[1] : ids[0]];
      var distance = Math.hypot(event.clientX - other.x, event.clientY - other.y);
      var rect = viewer.getBoundingClientRect();
      if (pinch) zoomAt(distance / pinch, (event.clientX + other.x) / 2 - rect.left, (event.clientY + other.y) / 2 - rect.top);
      pinch = distance;
    } else {
      pan(event.clientX - last.x, event.clientY - last.y);
    }
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
  });
  function release(event) {
    delete pointers[event.pointerId];
    pinch = null;
    if (!Object.keys(pointers).length) viewer.classList.remove("is-dragging");
  }
  viewer.addEventListener("pointerup", release);
  viewer.addEventListener("pointercancel", release);
  viewer.addEventListener("dblclick", function (event) {
    var rect = viewer.getBoundingClientRect();
    zoomAt(2, event.clientX - rect.left, event.clientY - rect.top);
  });
  viewer.addEventListener("keydown", function (event) {
    var size = viewSize();
    var step = 60;
    var keys = {
      "+": function () { zoomAt(1.5, size.w / 2, size.h / 2); },
      "=": function () { zoomAt(1.5, size.w / 2, size.h / 2); },
      "-": function () { zoomAt(1 / 1.5, size.w / 2, size.h / 2); },
      "0": fit,
      ArrowLeft: function () { pan(step, 0); },
      ArrowRight: function () { pan(-step, 0); },
      ArrowUp: function () { pan(0, step); },
      ArrowDown: function () { pan(0, -step); }
    };
    if (keys[event.key] && state.image) {
      event.preventDefault();
      keys[event.key]();
    }
  });

  function lineMarkerBefore(node) {
    // The last lb with a zone before `node` in the text, unless a page break stands between them.
    var lo = 0;
    var hi = lineMarkers.length - 1;
    var found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      var marker = lineMarkers[mid];
      if (marker === node || marker.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    var marker = lineMarkers[found];
    var block = marker.parentElement && marker.parentElement.closest("p, div, li, td, blockquote");
    if (block && !block.contains(node)) return null;
    return marker;
  }

  function zoneAt(node) {
    // What an element of the text (or a point in it) stands for on the image: the innermost element with a zone,
    // else the line it stands in.
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    for (; el && el !== text; el = el.parentElement) {
      if (el.hasAttribute("data-facs")) {
        var target = targetOf(el);
        if (target && target[1] && lineMarkers.indexOf(el) < 0) return target;
      }
    }
    var marker = node && lineMarkerBefore(node);
    return marker ? targetOf(marker) : null;
  }

  function caretNode(x, y) {
    // The node at a point of the text: where a caret would go there (in an element, the child after it).
    var node = null;
    var offset = 0;
    if (document.caretPositionFromPoint) {
      var position = document.caretPositionFromPoint(x, y);
      if (position) {
        node = position.offsetNode;
        offset = position.offset;
      }
    } else if (document.caretRangeFromPoint) {
      var range = document.caretRangeFromPoint(x, y);
      if (range) {
        node = range.startContainer;
        offset = range.startOffset;
      }
    }
    if (node && node.nodeType === 1 && offset < node.childNodes.length) return node.childNodes[offset];
    return node;
  }

  var hoverFrame = 0;
  text.addEventListener("mousemove", function (event) {
    if (hoverFrame) return;
    var x = event.clientX;
    var y = event.clientY;
    var over = event.target;
    hoverFrame = requestAnimationFrame(function () {
      hoverFrame = 0;
      var target = zoneAt(over);
      if (!target && lineMarkers.length) target = zoneAt(caretNode(x, y));
      showZone(target);
    });
  });
  text.addEventListener("mouseleave", function () { showZone(null); });
  text.addEventListener("focusin", function (event) { showZone(zoneAt(event.target)); });
  document.addEventListener("selectionchange", function () {
    var selection = document.getSelection();
    var node = selection && selection.rangeCount ? selection.anchorNode : null;
    if (node && text.contains(node)) showZone(zoneAt(node));
  });

  if ("IntersectionObserver" in window && pageMarkers.length) {
    // Told when a page marker enters or leaves the upper part of the window; a scroll that moves the reading line
    // past one in between (narrow screens hold the panel above it) is caught by the throttled scroll listener.
    var observer = new IntersectionObserver(follow, { rootMargin: "0px 0px -50% 0px", threshold: [0, 1] });
    pageMarkers.forEach(function (el) { observer.observe(el); });
    var scrolled = 0;
    window.addEventListener(
      "scroll",
      function () {
        if (!scrolled) scrolled = requestAnimationFrame(function () { scrolled = 0; follow(); });
      },
      { passive: true }
    );
  }
  window.addEventListener("resize", function () {
    // A page shown whole stays whole; a zoomed one keeps its zoom (a phone's toolbar coming and going resizes).
    if (state.image && state.fitted) fit();
    else draw();
  });

  // A keyboard path to the zones: the lines and words that point to one are focusable, unless there are so many
  // (every word of a long text) that tabbing through them would stand in the way: then only lines (blocks) are.
  var zoned = pointing.filter(function (el) {
    var target = targetOf(el);
    return target && target[1] && lineMarkers.indexOf(el) < 0 && !el.hasAttribute("tabindex");
  });
  if (zoned.length > 300) {
    zoned = zoned.filter(function (el) { return getComputedStyle(el).display === "block"; });
  }
  zoned.forEach(function (el) { el.tabIndex = 0; });

  show(pageMarkers.length ? targetOf(pageMarkers[0])[0] : 0);
  follow();
})();
