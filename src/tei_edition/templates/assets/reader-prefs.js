// The reader's choices on a document page (site.js stores them): the text view and highlighted names. Loaded
// without "defer" just before the text, so that the text is first drawn as the reader left it.
(function () {
  "use strict";
  var root = document.documentElement;
  var view = null;
  var highlight = null;
  try {
    view = window.localStorage.getItem("tei-edition.text-view");
    highlight = window.localStorage.getItem("tei-edition.highlight-names");
  } catch (e) { /* storage refused (some browsers from file://): the defaults */ }
  root.setAttribute("data-text-view", view === "diplomatic" ? "diplomatic" : "reading");
  if (highlight === "on") root.setAttribute("data-highlight", "names");
})();
