// The search page: loads the Pagefind index built with the site (the first shard, merged with the others listed in
// shards.json) and shows results with filter checkboxes.
// A classic script (module scripts do not run from file://, where it must still explain why search is missing).
(function () {
"use strict";
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const filtersBox = document.getElementById("search-filters");
const resultsList = document.getElementById("search-results");

const FILTER_LABELS = { year: "Year", type: "Type of document", persons: "Persons", places: "Places",
                        organisations: "Organisations" };
const FILTER_ORDER = ["year", "type", "persons", "places", "organisations"];
const OPEN_FILTERS = ["year", "type"]; // the long lists of names start folded
const PAGE_SIZE = 20;

function say(message, isError = false) {
  status.textContent = message;
  status.classList.toggle("is-error", isError);
}

// Pagefind's excerpts are HTML with <mark> around the hits: keep the text and the marks, nothing else, from the first
// hit on (an ellipsis stands for the words before it), so that every excerpt begins where the search word is.
function excerptNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const nodes = Array.from(doc.body.firstChild.childNodes);
  const first = nodes.findIndex((node) => node.nodeName === "MARK");
  const out = [];
  if (first > 0 && nodes.slice(0, first).some((node) => node.textContent.trim())) {
    out.push(document.createTextNode("…"));
  }
  nodes.slice(Math.max(first, 0)).forEach((node) => {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else out.push(document.createTextNode(node.textContent));
  });
  return out;
}

function selectedFilters() {
  const chosen = {};
  filtersBox.querySelectorAll("input[type=checkbox]:checked").forEach((box) => {
    (chosen[box.name] ||= []).push(box.value);
  });
  return chosen;
}

function renderFilters(available) {
  filtersBox.replaceChildren();
  const keys = Object.keys(available).sort((a, b) => {
    const ia = FILTER_ORDER.indexOf(a), ib = FILTER_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  for (const key of keys) {
    const values = Object.keys(available[key]).sort();
    if (!values.length) continue;
    const details = document.createElement("details");
    details.open = OPEN_FILTERS.includes(key);
    const summary = document.createElement("summary");
    summary.textContent = `${FILTER_LABELS[key] || key} (${values.length})`;
    details.appendChild(summary);
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = FILTER_LABELS[key] || key;
    fieldset.appendChild(legend);
    details.appendChild(fieldset);
    for (const value of values) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = key;
      box.value = value;
      box.addEventListener("change", () => runSearch());
      const text = document.createElement("span");
      text.textContent = value;
      const count = document.createElement("span");
      count.className = "filter-count";
      count.dataset.filter = key;
      count.dataset.value = value;
      count.textContent = available[key][value];
      label.append(box, text, count);
      fieldset.appendChild(label);
    }
    filtersBox.appendChild(details);
  }
  filtersBox.hidden = !filtersBox.childElementCount;
}

let pagefind = null;
let searchCounter = 0;

async function runSearch() {
  if (!pagefind) return;
  const query = input.value.trim();
  const filters = selectedFilters();
  const url = new URL(window.location.href);
  if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
  window.history.replaceState(null, "", url);
  if (!query && !Object.keys(filters).length) {
    resultsList.replaceChildren();
    say("Type a word or name, or choose a filter.");
    return;
  }
  const ticket = ++searchCounter;
  const search = await pagefind.search(query || null, { filters });
  if (ticket !== searchCounter) return; // a newer search has started
  const results = await Promise.all(search.results.slice(0, PAGE_SIZE).map((r) => r.data()));
  if (ticket !== searchCounter) return;
  resultsList.replaceChildren(...results.map(renderResult));
  // The counts beside the filters tell how many results each would leave.
  filtersBox.querySelectorAll(".filter-count").forEach((count) => {
    const counts = (search.filters || {})[count.dataset.filter] || {};
    count.textContent = counts[count.dataset.value] ?? 0;
  });
  const n = search.results.length;
  say(n ? `${n} ${n === 1 ? "document" : "documents"} found${n > PAGE_SIZE ? `; the first ${PAGE_SIZE} are shown` : ""}.`
        : "No document matches.");
}

function renderResult(data) {
  const item = document.createElement("li");
  const title = document.createElement("a");
  title.className = "result-title";
  title.href = data.url;
  title.textContent = data.meta.title || data.url;
  item.appendChild(title);
  // The date as the site writes it ("2 June 1967"); the ISO date for an index made before it was recorded.
  const details = [data.meta.when || data.meta.date, data.meta.type].filter(Boolean).join(" · ");
  if (details) {
    const meta = document.createElement("p");
    meta.className = "result-meta";
    meta.textContent = details;
    item.appendChild(meta);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "result-excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  item.appendChild(excerpt);
  const sections = sectionHits(data);
  if (sections) item.appendChild(sections);
  return item;
}

// A long document (a novel, a volume) is one result; its chapters that hold the hits are listed under it, each
// leading to its heading (Pagefind's sub-results: the headings with an id).
const SECTIONS_SHOWN = 3;
function sectionHits(data) {
  const subs = (data.sub_results || []).filter((sub) => sub.url && sub.url.includes("#") && sub.title);
  if (subs.length < 1 || (data.anchors || []).length < 2) return null; // only where the document has sections
  const list = document.createElement("ul");
  list.className = "result-sections";
  for (const sub of subs.slice(0, SECTIONS_SHOWN)) {
    const entry = document.createElement("li");
    const link = document.createElement("a");
    link.href = sub.url;
    link.textContent = sub.title;
    const text = document.createElement("span");
    text.className = "result-excerpt";
    text.append(...excerptNodes(sub.excerpt || ""));
    entry.append(link, " ", text);
    list.appendChild(entry);
  }
  if (subs.length > SECTIONS_SHOWN) {
    const more = document.createElement("li");
    more.className = "result-more";
    more.textContent = `and ${subs.length - SECTIONS_SHOWN} more ${subs.length - SECTIONS_SHOWN === 1 ? "section" : "sections"}`;
    list.appendChild(more);
  }
  return list;
}

async function start() {
  if (window.location.protocol === "file:") {
    say("Search works only when the edition is served from a web server (it cannot load its index from files " +
        "opened directly). Every document is also listed on the home page and in the registers.", true);
    return;
  }
  const bundle = new URL(form.getAttribute("data-bundle"), window.location.href);
  try {
    pagefind = await import(new URL("pagefind.js", bundle).href);
    // Result links are made relative to the site's folder, wherever the site is published.
    const baseUrl = new URL("../", bundle).pathname;
    await pagefind.options({ baseUrl });
    await pagefind.init();
    // The index comes in shards (bundles of their own), listed beside the first one: searched as one index.
    const response = await fetch(new URL("shards.json", bundle));
    if (!response.ok) throw new Error(`shards.json: HTTP ${response.status}`);
    const { shards } = await response.json();
    await Promise.all(shards.map((shard) => pagefind.mergeIndex(new URL(shard, bundle).href, { baseUrl })));
    renderFilters(await pagefind.filters());
  } catch (error) {
    pagefind = null;
    say("The search index could not be loaded, so search is unavailable here.", true);
    return;
  }
  say("Ready to search.");
  form.addEventListener("submit", (event) => { event.preventDefault(); runSearch(); });
  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(runSearch, 250); });
  const initial = new URL(window.location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    runSearch();
  }
}

start();
})();
