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
  var language = root.lang in catalog ? root.lang : "en";
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

  function applyFilters() {
    var status = filters.status.value;
    var query = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var data = row.dataset;
      var visible = (status === "@broken" ? data.broken === "1" : has(data.status, status)) &&
        has(data.domain, filters.domain.value) && has(data.kind || "", filters.kind.value) &&
        has(data.lang, filters.lang.value) && (!query || texts.get(row).indexOf(query) !== -1);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = label("count_shown").replace("{shown}", count).replace("{total}", rows.length);
    noResults.hidden = count > 0;
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

  function setLanguage(code) {
    var entry = catalog[code];
    if (!entry) { return; }
    language = code;
    root.lang = code;
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
      element.textContent = formatDate(element.getAttribute("data-date"), entry);
    });
    each("[data-" + code + "]", function (element) {
      element.textContent = element.getAttribute("data-" + code);
    });
    each("[data-set-lang]", function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === code));
    });
    applyFilters();
  }

  Object.keys(filters).forEach(function (key) { filters[key].addEventListener("change", applyFilters); });
  search.addEventListener("input", applyFilters);
  sortSelect.addEventListener("change", function () {
    sortRows(sortSelect.value, DEFAULT_DIRECTION[sortSelect.value]);
  });
  each("[data-sort]", function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-sort");
      sortRows(key, key === sortKey ? -sortDirection : DEFAULT_DIRECTION[key]);
    });
  });
  field("controls").addEventListener("reset", function () {
    window.setTimeout(function () { sortRows("number", 1); applyFilters(); }, 0);
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
  applyFilters();
})();
