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

  // Name cards: pointing at a name in the text, or moving the keyboard focus to it, shows who or what it is.
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
    var card = document.createElement("div");
    card.className = "entity-card";
    card.id = "entity-card";
    card.setAttribute("role", "tooltip");
    card.hidden = true;
    document.body.appendChild(card);
    var current = null;
    var hideTimer = null;

    function line(className, text) {
      var p = document.createElement("p");
      p.className = className;
      p.textContent = text;
      return p;
    }

    function show(link) {
      var entry = data[link.getAttribute("data-ref")];
      if (!entry) return;
      window.clearTimeout(hideTimer);
      if (current && current !== link) current.removeAttribute("aria-describedby");
      card.replaceChildren(line("card-kind", KIND_LABELS[entry.kind] || entry.kind), line("card-name", entry.name));
      if (entry.dates) card.appendChild(line("card-dates", entry.dates));
      if (entry.description) card.appendChild(line("card-description", entry.description));
      card.hidden = false;
      var box = link.getBoundingClientRect();
      var left = Math.max(8, Math.min(box.left + window.scrollX,
        window.scrollX + document.documentElement.clientWidth - card.offsetWidth - 8));
      card.style.left = left + "px";
      card.style.top = (box.bottom + window.scrollY + 6) + "px";
      link.setAttribute("aria-describedby", "entity-card");
      current = link;
    }

    function hide() {
      card.hidden = true;
      if (current) current.removeAttribute("aria-describedby");
      current = null;
    }

    function hideSoon() {
      window.clearTimeout(hideTimer);
      hideTimer = window.setTimeout(hide, 150);
    }

    document.querySelectorAll("a.entity[data-ref]").forEach(function (link) {
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("blur", hide);
    });
    card.addEventListener("mouseenter", function () { window.clearTimeout(hideTimer); });
    card.addEventListener("mouseleave", hideSoon);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !card.hidden) hide();
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
    setUpEntityCards();
    setUpSortableTables();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
