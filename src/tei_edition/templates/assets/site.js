// The edition's page behaviour. Everything here is an enhancement: without JavaScript every page still reads
// and every link still works (from a web server; from file:// folder links need the fix below).
(function () {
  "use strict";

  // Opened from the file system, a link to "folder/" shows a directory listing: point such links at index.html.
  function fixFolderLinks() {
    if (window.location.protocol !== "file:") return;
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.charAt(0) === "#") return;
      var hash = href.indexOf("#");
      var path = hash < 0 ? href : href.slice(0, hash);
      var fragment = hash < 0 ? "" : href.slice(hash);
      if (path === "" ) return;
      if (path.slice(-1) === "/") a.setAttribute("href", path + "index.html" + fragment);
      else if (path === "." || path === "..") a.setAttribute("href", path + "/index.html" + fragment);
    });
  }

  // The reader's choices (text view, highlighted names), kept across pages; from file:// too, where the browser
  // allows it. reader-prefs.js applies them before the text is drawn; without storage the page still switches.
  var PREFS = { view: "tei-edition.text-view", highlight: "tei-edition.highlight-names" };

  function savePref(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage refused: nothing to remember */ }
  }

  function setUpReadingTools() {
    var tools = document.getElementById("reading-tools");
    var text = document.querySelector(".document-text .tei-text");
    if (!tools || !text) return;
    var root = document.documentElement;
    var views = tools.querySelector(".view-switch");
    // The views differ only where the text has editorial interventions.
    if (!text.querySelector(".choice, .dipl-only, del, .add")) views.hidden = true;
    tools.querySelectorAll("input[name='text-view']").forEach(function (radio) {
      radio.checked = radio.value === (root.getAttribute("data-text-view") || "reading");
      radio.addEventListener("change", function () {
        if (!radio.checked) return;
        root.setAttribute("data-text-view", radio.value);
        savePref(PREFS.view, radio.value);
      });
    });
    var highlight = document.getElementById("highlight-names");
    highlight.checked = root.getAttribute("data-highlight") === "names";
    highlight.addEventListener("change", function () {
      if (highlight.checked) root.setAttribute("data-highlight", "names");
      else root.removeAttribute("data-highlight");
      savePref(PREFS.highlight, highlight.checked ? "on" : "off");
    });
    tools.hidden = false;
  }

  // Pop-overs (a name's card, a note): opened by a click, a tap, Enter or Space on their link; Escape, a click
  // elsewhere or the close button closes them and gives the focus back to the link.
  function makePopover(className, id) {
    var box = document.createElement("div");
    box.className = className;
    box.id = id;
    box.hidden = true;
    document.body.appendChild(box);
    var state = { owner: null, pinned: false };

    function place(link) {
      var rect = link.getBoundingClientRect();
      var width = document.documentElement.clientWidth;
      box.style.maxWidth = Math.min(352, width - 16) + "px";
      var left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + width - box.offsetWidth - 8));
      box.style.left = left + "px";
      box.style.top = (rect.bottom + window.scrollY + 6) + "px";
    }

    function closeButton(label) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "popover-close";
      button.setAttribute("aria-label", label);
      button.textContent = "\u00D7";
      button.addEventListener("click", function () { close(true); });
      return button;
    }

    function show(link, nodes, pinned, label) {
      if (pinned && state.pinned && state.owner === link) {
        close(true);  // a second click on the same link closes its pop-over
        return;
      }
      if (state.owner && state.owner !== link) close(false);
      box.replaceChildren.apply(box, nodes);
      state.owner = link;
      state.pinned = pinned;
      if (pinned) {
        box.setAttribute("role", "dialog");
        box.setAttribute("aria-label", label);
        box.setAttribute("tabindex", "-1");
        box.insertBefore(closeButton("Close"), box.firstChild);
        link.setAttribute("aria-expanded", "true");
        link.removeAttribute("aria-describedby");
      } else {
        box.setAttribute("role", "tooltip");
        box.removeAttribute("aria-label");
        box.removeAttribute("tabindex");
        link.setAttribute("aria-describedby", box.id);
      }
      box.hidden = false;
      place(link);
      if (pinned) box.focus();
    }

    function close(restoreFocus) {
      var owner = state.owner;
      box.hidden = true;
      state.owner = null;
      state.pinned = false;
      if (!owner) return;
      owner.removeAttribute("aria-describedby");
      if (owner.hasAttribute("aria-expanded")) owner.setAttribute("aria-expanded", "false");
      if (restoreFocus) {
        state.restoring = true;
        owner.focus();
        state.restoring = false;
      }
    }

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !box.hidden) {
        var pinned = state.pinned;
        close(pinned);
        if (pinned) event.preventDefault();
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.hidden && state.pinned && !box.contains(event.target) && event.target !== state.owner
          && !(state.owner && state.owner.contains(event.target))) close(false);
    });
    box.addEventListener("focusout", function (event) {
      if (state.pinned && event.relatedTarget && !box.contains(event.relatedTarget)
          && event.relatedTarget !== state.owner) close(false);
    });
    return { box: box, state: state, show: show, close: close };
  }

  // A plain click (no modifier key, main button) opens the pop-over; other clicks follow the link.
  function isPlainClick(event) {
    return !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button > 0);
  }

  function onActivate(link, open) {
    link.addEventListener("click", function (event) {
      if (!isPlainClick(event)) return;
      event.preventDefault();
      open();
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        open();
      }
    });
  }

  // Name cards: pointing at a name or moving the keyboard focus to it shows who or what it is; a click, a tap,
  // Enter or Space opens the card with a link to the register entry.
  var KIND_LABELS = { person: "Person", place: "Place", org: "Organisation" };

  function setUpEntityCards() {
    var store = document.getElementById("entity-cards");
    if (!store) return;
    var data = {};
    store.querySelectorAll("[data-entity]").forEach(function (el) {
      data[el.getAttribute("data-entity")] = {
        kind: el.getAttribute("data-kind") || "",
        name: el.getAttribute("data-name") || "",
        dates: el.getAttribute("data-dates") || "",
        description: el.getAttribute("data-description") || ""
      };
    });
    var card = makePopover("entity-card", "entity-card");
    var hideTimer = null;

    function line(className, text) {
      var p = document.createElement("p");
      p.className = className;
      p.textContent = text;
      return p;
    }

    function content(entry, link, pinned) {
      var nodes = [line("card-kind", KIND_LABELS[entry.kind] || entry.kind), line("card-name", entry.name)];
      if (entry.dates) nodes.push(line("card-dates", entry.dates));
      if (entry.description) nodes.push(line("card-description", entry.description));
      if (pinned) {
        var more = document.createElement("a");
        more.className = "card-link";
        more.setAttribute("href", link.getAttribute("href"));
        more.textContent = "All about " + entry.name + " in the edition";
        var p = document.createElement("p");
        p.className = "card-more";
        p.appendChild(more);
        nodes.push(p);
      }
      return nodes;
    }

    function preview(link) {
      var entry = data[link.getAttribute("data-ref")];
      if (!entry || card.state.pinned || card.state.restoring) return;
      window.clearTimeout(hideTimer);
      card.show(link, content(entry, link, false), false);
    }

    function hideSoon() {
      window.clearTimeout(hideTimer);
      hideTimer = window.setTimeout(function () { if (!card.state.pinned) card.close(false); }, 150);
    }

    document.querySelectorAll("a.entity[data-ref]").forEach(function (link) {
      var entry = data[link.getAttribute("data-ref")];
      if (!entry) return;
      link.setAttribute("aria-haspopup", "dialog");
      link.setAttribute("aria-expanded", "false");
      link.addEventListener("mouseenter", function () { preview(link); });
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", function () { preview(link); });
      link.addEventListener("blur", function () { if (!card.state.pinned) card.close(false); });
      onActivate(link, function () {
        window.clearTimeout(hideTimer);
        card.show(link, content(entry, link, true), true, KIND_LABELS[entry.kind] ? KIND_LABELS[entry.kind] + ": " + entry.name : entry.name);
      });
    });
    card.box.addEventListener("mouseenter", function () { window.clearTimeout(hideTimer); });
    card.box.addEventListener("mouseleave", function () { if (!card.state.pinned) hideSoon(); });
  }

  // Notes: the note's text in a pop-over at its number; the list at the end stays, for reading and printing.
  function setUpNotePopovers() {
    var text = document.querySelector(".tei-text");
    if (!text) return;
    var popover = makePopover("note-popover", "note-popover");
    var SKIP = ".noteback, .notebacks, .anchor, .note-label";
    text.querySelectorAll("a.noteref[href^='#note-']").forEach(function (link) {
      var item = document.getElementById(link.getAttribute("href").slice(1));
      if (!item) return;
      var li = item.closest("li") || item;
      link.setAttribute("aria-haspopup", "dialog");
      link.setAttribute("aria-expanded", "false");
      var label = "Note " + link.textContent.trim();
      onActivate(link, function () {
        var copy = li.cloneNode(true);
        copy.querySelectorAll(SKIP).forEach(function (el) { el.remove(); });
        copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
        copy.querySelectorAll("[data-one]").forEach(function (el) { el.textContent = el.getAttribute("data-one"); });
        var head = document.createElement("p");
        head.className = "note-popover-head";
        head.textContent = label;
        var body = document.createElement("div");
        body.className = "note-popover-body";
        while (copy.firstChild) body.appendChild(copy.firstChild);
        var more = document.createElement("a");
        more.className = "note-popover-list";
        more.href = "#" + item.id;
        more.textContent = "In the list of notes";
        more.addEventListener("click", function () { popover.close(false); });
        var foot = document.createElement("p");
        foot.className = "note-popover-foot";
        foot.appendChild(more);
        popover.show(link, [head, body, foot], true, label);
      });
    });
  }

  // Paragraph numbers: following one puts the paragraph's address in the address bar; it is also copied.
  function setUpParagraphLinks() {
    var status = null;
    document.querySelectorAll(".tei-text a.para-n").forEach(function (link) {
      link.addEventListener("click", function () {
        if (!navigator.clipboard || !window.isSecureContext) return;
        var url = window.location.href.split("#")[0] + link.getAttribute("href");
        navigator.clipboard.writeText(url).then(function () {
          if (!status) {
            status = document.createElement("p");
            status.className = "visually-hidden";
            status.setAttribute("role", "status");
            document.body.appendChild(status);
          }
          status.textContent = "Link to " + link.getAttribute("aria-label").toLowerCase() + " copied.";
          link.setAttribute("data-copied", "");
          window.setTimeout(function () { link.removeAttribute("data-copied"); }, 1500);
        }, function () { /* no permission: the address bar has the link */ });
      });
    });
  }

  // Sortable tables: the column headers become buttons.
  function setUpSortableTables() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var body = table.tBodies[0];
      if (!body) return;
      table.querySelectorAll("th[data-sort-key]").forEach(function (th) {
        var key = th.getAttribute("data-sort-key");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.getAttribute("data-" + key) || "";
            var y = b.getAttribute("data-" + key) || "";
            var order = x < y ? -1 : x > y ? 1 : 0;
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }

  function start() {
    fixFolderLinks();
    setUpReadingTools();
    setUpEntityCards();
    setUpNotePopovers();
    setUpParagraphLinks();
    setUpSortableTables();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
