(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var catalog = JSON.parse(doc.getElementById("linkaudit-i18n").textContent);
  var table = doc.getElementById("reference-table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = new WeakMap();
  var positions = new WeakMap();  // document order is number order
  rows.forEach(function (row, index) {
    texts.set(row, row.textContent.toLowerCase());
    positions.set(row, index);
  });
  var field = function (id) { return doc.getElementById(id); };
  var filters = { status: field("filter-status"), domain: field("filter-domain"), kind: field("filter-kind"),
                  lang: field("filter-lang") };
  var search = field("search");
  var sortSelect = field("sort");
  var shown = field("shown");
  var noResults = field("no-results");
  var hint = field("filter-hint");
  var language = root.lang in catalog ? root.lang : "en";
  // Translated texts carry only the other languages (data-<code>): keep the one they are written in too.
  Array.prototype.forEach.call(doc.querySelectorAll("[data-tr]"), function (element) {
    element.setAttribute("data-" + language, element.textContent);
  });
  var sortKey = "number";
  var sortDirection = 1;
  var SORT_ATTRIBUTES = { date: "date", status: "severity", findings: "findings" };
  var DEFAULT_DIRECTION = { number: 1, date: 1, status: 1, findings: -1 };

  function has(list, value) {
    return !value || (" " + list + " ").indexOf(" " + value + " ") !== -1;
  }

  function label(key) {
    return catalog[language].labels[key];
  }

  // Group filters: the value of an option and what a row must carry to pass it.
  var GROUPS = { "@attention": "attention", "@broken": "broken", "@archived": "archived" };

  function statusPasses(data, status) {
    if (GROUPS[status]) { return data[GROUPS[status]] === "1"; }
    return has(data.status, status);
  }

  function kindPasses(data, kind) {
    if (kind === "@any") { return Boolean(data.kind); }
    return has(data.kind || "", kind);
  }

  function applyFilters() {
    var status = filters.status.value;
    var query = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var data = row.dataset;
      var visible = statusPasses(data, status) &&
        has(data.domain, filters.domain.value) && kindPasses(data, filters.kind.value) &&
        has(data.lang, filters.lang.value) && (!query || texts.get(row).indexOf(query) !== -1);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = label("count_shown").replace("{shown}", count).replace("{total}", rows.length);
    noResults.hidden = count > 0;
    hint.hidden = status !== "@attention";
    each("[data-filter]", function (button) {
      var select = filters[button.getAttribute("data-filter")];
      var value = fromFragment(button.getAttribute("data-filter"), button.getAttribute("data-value"));
      var others = Object.keys(filters).every(function (key) {
        return filters[key] === select || filters[key].value === "";
      });
      button.setAttribute("aria-pressed", String(select.value === value && value !== "" && others));
    });
  }

  // ---- the view in the URL fragment (#lang=ru&status=broken) and remembered in localStorage ----------

  var STORAGE_KEY = "linkaudit-view:" + window.location.pathname;
  var FRAGMENT_KEYS = ["lang", "status", "domain", "kind", "half", "q", "sort"];
  var defaultStatus = optionExists(filters.status, "@attention") ? "@attention" : "";

  function optionExists(select, value) {
    return Array.prototype.some.call(select.options, function (option) { return option.value === value; });
  }

  function toFragment(value) {  // "@broken" -> "broken", "" -> "all"
    return value === "" ? "all" : value.charAt(0) === "@" ? value.slice(1) : value;
  }

  function fromFragment(key, value) {
    var select = filters[key];
    if (value === "all" || value === undefined || value === null) { return ""; }
    if (select && optionExists(select, "@" + value)) { return "@" + value; }
    return value;
  }

  function currentState() {
    return {
      lang: language,
      status: filters.status.value,
      domain: filters.domain.value,
      kind: filters.kind.value,
      half: filters.lang.value,
      q: search.value,
      sort: (sortDirection === DEFAULT_DIRECTION[sortKey] ? "" : "-") + sortKey
    };
  }

  function encodeState(state) {
    var parts = ["lang=" + encodeURIComponent(state.lang), "status=" + encodeURIComponent(toFragment(state.status))];
    ["domain", "kind", "half", "q"].forEach(function (key) {
      if (state[key]) { parts.push(key + "=" + encodeURIComponent(key === "kind" ? toFragment(state[key]) : state[key])); }
    });
    if (state.sort !== "number") { parts.push("sort=" + encodeURIComponent(state.sort)); }
    return parts.join("&");
  }

  function decodeState(text) {
    var state = {};
    (text || "").replace(/^#/, "").split("&").forEach(function (pair) {
      var index = pair.indexOf("=");
      if (index < 1) { return; }
      var key = pair.slice(0, index);
      if (FRAGMENT_KEYS.indexOf(key) === -1) { return; }
      try { state[key] = decodeURIComponent(pair.slice(index + 1)); } catch (error) { /* a broken escape */ }
    });
    return Object.keys(state).length ? state : null;
  }

  function selectValue(select, value) {
    select.value = optionExists(select, value) ? value : "";
  }

  function applyState(state) {
    if (state.lang && catalog[state.lang] && state.lang !== language) { setLanguage(state.lang, true); }
    selectValue(filters.status, state.status === undefined ? defaultStatus : fromFragment("status", state.status));
    selectValue(filters.domain, state.domain || "");
    selectValue(filters.kind, fromFragment("kind", state.kind || ""));
    selectValue(filters.lang, state.half || "");
    search.value = state.q || "";
    var sort = state.sort || "number";
    var descending = sort.charAt(0) === "-";
    var key = descending ? sort.slice(1) : sort;
    if (DEFAULT_DIRECTION[key] === undefined) { key = "number"; descending = false; }
    sortRows(key, descending ? -DEFAULT_DIRECTION[key] : DEFAULT_DIRECTION[key]);
    applyFilters();
  }

  function remember() {
    var text = encodeState(currentState());
    try { window.history.replaceState(null, "", "#" + text); } catch (error) { /* file:// in old browsers */ }
    try { window.localStorage.setItem(STORAGE_KEY, text); } catch (error) { /* storage may be off */ }
  }

  function initialState() {
    var fromUrl = decodeState(window.location.hash);
    if (fromUrl) { return fromUrl; }
    try { return decodeState(window.localStorage.getItem(STORAGE_KEY)) || {}; } catch (error) { return {}; }
  }

  function compare(first, second, numeric) {
    if (numeric) { return Number(first) - Number(second); }
    if (first === second) { return 0; }
    if (first === "") { return 1; }
    if (second === "") { return -1; }
    return first < second ? -1 : 1;
  }

  function sortRows(key, direction) {
    var attribute = SORT_ATTRIBUTES[key];
    var numeric = key !== "date";
    sortKey = key;
    sortDirection = direction;
    var indexed = rows.map(function (row, index) { return [row, index]; });
    indexed.sort(function (a, b) {
      var first = attribute ? a[0].dataset[attribute] || (numeric ? "0" : "") : positions.get(a[0]);
      var second = attribute ? b[0].dataset[attribute] || (numeric ? "0" : "") : positions.get(b[0]);
      var blank = (first === "") - (second === "");
      return blank || compare(first, second, numeric) * direction || a[1] - b[1];
    });
    rows = indexed.map(function (pair) { return pair[0]; });
    var fragment = doc.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      if (cell.dataset.sortKey === key) {
        cell.setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
      } else {
        cell.removeAttribute("aria-sort");
      }
    });
    sortSelect.value = key;
  }

  function formatDate(value, entry) {
    var match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value || "");
    if (!match) { return value; }
    if (!match[2]) { return match[1]; }
    var month = Number(match[2]);
    if (month < 1 || month > 12) { return value; }
    if (!match[3]) { return entry.months_nominative[month - 1] + " " + match[1]; }
    return Number(match[3]) + " " + entry.months[month - 1] + " " + match[1];
  }

  function formatDatetime(value, entry) {
    var match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value || "");
    if (!match) { return formatDate(value, entry); }
    var zone = match[4];
    var suffix = !zone || zone === "Z" || zone === "+00:00" || zone === "+0000" ? " UTC" : " " + zone;
    return formatDate(match[1], entry) + ", " + match[2] + ":" + match[3] + suffix;
  }

  function each(selector, action) {
    Array.prototype.forEach.call(doc.querySelectorAll(selector), action);
  }

  function setLanguage(code, quiet) {
    var entry = catalog[code];
    if (!entry) { return; }
    language = code;
    root.lang = code;
    root.style.setProperty("--fix-label", JSON.stringify(entry.labels.fix_inserts));
    var documents = doc.title.indexOf(" — ");
    doc.title = entry.labels.title + (documents === -1 ? "" : doc.title.slice(documents));
    each("[data-i18n]", function (element) {
      var text = entry.labels[element.getAttribute("data-i18n")];
      if (text !== undefined) { element.textContent = text; }
    });
    each("[data-i18n-status]", function (element) {
      element.textContent = entry.status[element.getAttribute("data-i18n-status")];
    });
    each("[data-i18n-finding]", function (element) {
      var text = entry.findings[element.getAttribute("data-i18n-finding")];
      if (text !== undefined) { element.textContent = text; }
    });
    each("[data-i18n-placeholder]", function (element) {
      element.placeholder = entry.labels[element.getAttribute("data-i18n-placeholder")];
    });
    each("[data-i18n-aria]", function (element) {
      element.setAttribute("aria-label", entry.labels[element.getAttribute("data-i18n-aria")]);
    });
    each("time[datetime]", function (element) {
      var value = element.getAttribute("datetime");
      element.textContent = element.hasAttribute("data-datetime") ? formatDatetime(value, entry)
        : formatDate(value, entry);
    });
    each("text[data-date]", function (element) {
      var time = element.getAttribute("data-time");
      element.textContent = formatDate(element.getAttribute("data-date"), entry) + (time ? ", " + time : "");
    });
    each("[data-" + code + "]", function (element) {
      element.textContent = element.getAttribute("data-" + code);
    });
    each("[data-set-lang]", function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === code));
    });
    applyFilters();
    if (!quiet) { remember(); }
  }

  function changed() { applyFilters(); remember(); }

  Object.keys(filters).forEach(function (key) { filters[key].addEventListener("change", changed); });
  search.addEventListener("input", changed);
  sortSelect.addEventListener("change", function () {
    sortRows(sortSelect.value, DEFAULT_DIRECTION[sortSelect.value]);
    remember();
  });
  each("[data-sort]", function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-sort");
      sortRows(key, key === sortKey ? -sortDirection : DEFAULT_DIRECTION[key]);
      remember();
    });
  });
  field("controls").addEventListener("reset", function () {
    window.setTimeout(function () { applyState({ lang: language }); remember(); }, 0);
  });
  each("[data-filter]", function (button) {  // the cards and status chips
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-filter");
      var state = { lang: language, status: "all" };
      state[key] = button.getAttribute("data-value");
      applyState(state);
      remember();
      field("references").scrollIntoView({ block: "start" });
    });
  });
  field("show-all").addEventListener("click", function () {
    filters.status.value = "";
    changed();
  });
  each("a[href^='#ref-']", function (link) {  // a note hidden by the filters is shown before going to it
    link.addEventListener("click", function () {
      var target = doc.getElementById(link.getAttribute("href").slice(1));
      if (target && target.hidden) { applyState({ lang: language, status: "all" }); }
    });
  });
  function revealLinked() {  // a link to one note (#ref-3): show it even if the filters would hide it
    if (window.location.hash.indexOf("#ref-") !== 0) { return false; }
    var linked = doc.getElementById(window.location.hash.slice(1));
    if (linked && linked.hidden) { applyState({ lang: language, status: "all" }); }
    if (linked) { linked.scrollIntoView(); }
    return true;
  }
  window.addEventListener("hashchange", function () {
    var state = decodeState(window.location.hash);
    if (state) {
      applyState(state);
      remember();
    } else {
      revealLinked();
    }
  });
  field("controls").addEventListener("submit", function (event) { event.preventDefault(); });
  each("[data-set-lang]", function (button) {
    button.addEventListener("click", function () { setLanguage(button.getAttribute("data-set-lang")); });
  });
  var opened = [];
  window.addEventListener("beforeprint", function () {
    each("details:not([open])", function (element) { element.open = true; opened.push(element); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (element) { element.open = false; });
    opened = [];
  });
  each("[data-needs-script]", function (element) { element.hidden = false; });
  root.classList.add("js");
  applyState(initialState());
  if (!revealLinked()) { remember(); }
})();
