/* The critical apparatus and parallel texts on a document page.
   - An apparatus entry is an HTML popover opened by its mark (click, tap, Enter or Space) and closed by Esc or a
     click elsewhere without any script; this script only places it next to its mark.
   - Parallel texts: shows the switch between the versions (written hidden, so that without scripts both show) and
     remembers the reader's choice in localStorage (which works from file:// too; if it is refused the choice
     lasts for the page only). */
(function () {
  "use strict";

  function place(entry) {
    var mark = document.querySelector('[popovertarget="' + entry.id + '"]');
    if (!mark) return;
    var box = mark.getBoundingClientRect();
    var width = Math.min(entry.offsetWidth, window.innerWidth - 16);
    var left = Math.max(8, Math.min(box.left - 12, window.innerWidth - width - 8));
    var top = box.bottom + 6;
    if (top + entry.offsetHeight > window.innerHeight - 8 && box.top - entry.offsetHeight - 6 > 8) {
      top = box.top - entry.offsetHeight - 6;
    }
    entry.style.inset = "auto";
    entry.style.margin = "0";
    entry.style.left = left + "px";
    entry.style.top = top + "px";
  }

  function setUpApparatus() {
    var entries = document.querySelectorAll(".app-entry[popover]");
    entries.forEach(function (entry) {
      var mark = document.querySelector('[popovertarget="' + entry.id + '"]');
      entry.addEventListener("toggle", function (event) {
        var open = event.newState === "open";
        if (mark) mark.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) place(entry);
      });
    });
    window.addEventListener("resize", function () {
      document.querySelectorAll(".app-entry:popover-open").forEach(place);
    });
  }

  function storageKey(block) {
    var labels = Array.prototype.map.call(block.querySelectorAll(".parallel-show"), function (b) {
      return b.getAttribute("data-show") === "all" ? "" : b.textContent.trim();
    });
    return "tei-edition:versions:" + labels.filter(Boolean).join("|");
  }

  function remembered(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function remember(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* storage refused: the choice lasts for this page */
    }
  }

  function show(block, which) {
    var buttons = block.querySelectorAll(".parallel-show");
    var known = Array.prototype.some.call(buttons, function (b) {
      return b.getAttribute("data-show") === which;
    });
    if (!known) which = "all";
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-show") === which ? "true" : "false");
    });
    block.querySelectorAll("[data-column]").forEach(function (el) {
      el.hidden = which !== "all" && el.getAttribute("data-column") !== which;
    });
    block.classList.toggle("parallel-single", which !== "all");
  }

  function setUpParallel() {
    document.querySelectorAll(".parallel[data-ed-parallel]").forEach(function (block) {
      var bar = block.querySelector(".parallel-switch");
      if (!bar) return;
      var key = storageKey(block);
      bar.hidden = false;
      show(block, remembered(key) || "all");
      bar.addEventListener("click", function (event) {
        var button = event.target.closest(".parallel-show");
        if (!button) return;
        var which = button.getAttribute("data-show");
        show(block, which);
        remember(key, which);
      });
    });
  }

  function start() {
    setUpApparatus();
    setUpParallel();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
