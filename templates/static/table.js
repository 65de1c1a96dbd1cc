// Sort, filter and page through the papers table.
//
// On the home page the rows come from static/library-data.js (window.PAPERNOTES_LIBRARY, one
// array per note, written by src/papernotes/search/table.py): index.html carries only the
// newest rows, for readers without JavaScript, and this script shows a page of rows at a time
// over all of them, so a 50,000-note library keeps 100 rows in the DOM. library-data.js holds
// the first rows only; the rest come in parts (static/library/<n>.js, added as <script> tags
// once the first page is shown, which works from file:// too). On tag, author and
// year pages the table is complete in the HTML and its rows are sorted and filtered in place.
// Without JavaScript the controls stay hidden.
(function () {
  "use strict";
  var table = document.querySelector("table.papers[data-sortable]");
  if (!table) return;
  var STATUS_ORDER = { "reading": 0, "to-read": 1, "read": 2, "": 3 };
  var PAGE = 100;
  var NON_ASCII = /[^\x00-\x7f]/;
  // Where the library's parts are: beside this script (static/).
  var BASE = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : "static/";

  function fold(s) {
    s = s || "";
    // Most text is ASCII: skip Unicode normalisation for it (50,000 rows fold at load).
    if (!NON_ASCII.test(s)) return s.toLowerCase();
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function compareText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // Header buttons; onSort(key, sign) reorders, and aria-sort tells which column is sorted.
  function sortButtons(onSort) {
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      if (!th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        setSorted(th.getAttribute("data-sort"), dir);
        onSort(th.getAttribute("data-sort"), dir === "ascending" ? 1 : -1);
      });
    });
  }

  function setSorted(key, dir) {
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === key ? dir : "none");
    });
  }

  function countText(shown, total) {
    return shown === total ? total + " papers." : "Showing " + shown + " of " + total + " papers.";
  }

  function controls() {
    var form = document.getElementById("paper-filters");
    if (!form) return null;
    return {
      form: form,
      text: document.getElementById("filter-text"),
      tag: document.getElementById("filter-tag"),
      status: document.getElementById("filter-status"),
      from: document.getElementById("filter-from"),
      to: document.getElementById("filter-to"),
      count: document.getElementById("result-count"),
      inText: document.getElementById("filter-in-text"),
    };
  }

  // The way from the filter's words to the same words in the notes' text (the search page).
  function offerTextSearch(c) {
    if (!c || !c.inText) return;
    var words = c.text.value.trim();
    c.inText.hidden = !words;
    if (!words) return;
    var link = c.inText.querySelector("a");
    link.href = link.getAttribute("data-search") + "?q=" + encodeURIComponent(words);
    link.querySelector("span").textContent = words;
  }

  // ---- rows in the HTML (tag, author and year pages) -----------------------------------------

  function domTable() {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.forEach(function (row) {
      var d = row.dataset;
      row._search = fold([d.title, d.authors, d.tags, d.venue, d.year].join(" "));
    });

    function value(row, key) {
      var d = row.dataset;
      if (key === "year") return Number(d.year);
      if (key === "status") return STATUS_ORDER[d.status] !== undefined ? STATUS_ORDER[d.status] : 3;
      return fold(key === "author" ? d.author : d.title);
    }

    sortButtons(function (key, sign) {
      rows.sort(function (a, b) {
        var va = value(a, key), vb = value(b, key);
        if (va < vb) return -sign;
        if (va > vb) return sign;
        return fold(a.dataset.title) < fold(b.dataset.title) ? -1 : 1;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });

    var c = controls();
    if (!c) return;
    c.form.hidden = false;
    function apply() {
      var terms = fold(c.text.value).split(/\s+/).filter(Boolean);
      var t = c.tag.value, s = c.status.value;
      var lo = c.from.value ? Number(c.from.value) : -Infinity;
      var hi = c.to.value ? Number(c.to.value) : Infinity;
      var shown = 0;
      rows.forEach(function (row) {
        var d = row.dataset;
        var year = Number(d.year);
        var ok = terms.every(function (term) { return row._search.indexOf(term) !== -1; }) &&
          (!t || (";" + d.tags + ";").indexOf(";" + t + ";") !== -1) &&
          (!s || d.status === s) && year >= lo && year <= hi;
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      c.count.textContent = countText(shown, rows.length);
    }
    c.form.addEventListener("input", apply);
    c.form.addEventListener("change", apply);
    c.form.addEventListener("reset", function () { setTimeout(apply, 0); });
    var params = new URLSearchParams(window.location.search);
    if (params.get("tag")) c.tag.value = params.get("tag");
    apply();
  }

  // ---- rows from static/library-data.js (the home page) --------------------------------------

  function dataTable(data) {
    var F = {};
    data.fields.forEach(function (name, i) { F[name] = i; });
    var rows = data.rows.slice(), tags = data.tags, people = data.people || [];
    var total = data.count, parts = data.parts || 0;
    var tbody = table.tBodies[0];
    var root = document.documentElement;
    var nav = document.getElementById("table-pages");
    var more = document.getElementById("table-more");
    var c = controls();

    // Lower-cased text of every row, made once (just after the table is shown, so it does not
    // delay it, or by the first keystroke): a keystroke is then one scan of strings.
    var haystack = [];
    function haystacks() {
      for (var i = haystack.length; i < rows.length; i++) {
        var r = rows[i];
        var names = r[F.tags].map(function (t) { return tags[t][0]; }).join(" ");
        haystack[i] = fold([r[F.title], r[F.authors], r[F.more], names, r[F.venue], r[F.label]].join(" "));
      }
      return haystack;
    }
    var foldedTitles = null;

    function sortValues(key) {
      var out = new Array(rows.length);
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        if (key === "year") out[i] = r[F.year] === null ? 0 : r[F.year];
        else if (key === "status") out[i] = STATUS_ORDER[r[F.status]] !== undefined ? STATUS_ORDER[r[F.status]] : 3;
        else out[i] = fold(key === "author" ? r[F.author] : r[F.title]);
      }
      return out;
    }

    // Every loaded row's index in the current sort order; the data comes newest first.
    var order = [];
    for (var k = 0; k < rows.length; k++) order.push(k);
    var sortKey = "year", sortDir = "descending";
    var matches = order, page = 0, renders = 0;
    // The last text filter and its matches: a keystroke that only adds to the text narrows
    // those instead of scanning every row again.
    var last = null;
    var orders = 0; // bumped when `order` changes: sorted again, or rows added

    function sortBy(key, sign) {
      orders += 1;
      var values = sortValues(key);
      if (!foldedTitles || foldedTitles.length < rows.length) foldedTitles = key === "title" ? values : sortValues("title");
      order.sort(function (a, b) {
        var va = values[a], vb = values[b];
        if (va < vb) return -sign;
        if (va > vb) return sign;
        return compareText(foldedTitles[a], foldedTitles[b]) || a - b;
      });
    }

    function cell(className, text) {
      var td = document.createElement("td");
      if (className) td.className = className;
      if (text) td.textContent = text;
      return td;
    }

    // The same markup as _macros.html's paper_table rows.
    function rowElement(r) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("year", r[F.label]));
      var title = cell("title");
      var link = document.createElement("a");
      link.href = r[F.href];
      link.textContent = r[F.title];
      title.appendChild(link);
      tr.appendChild(title);
      tr.appendChild(authorsCell(r));
      tr.appendChild(cell("col-venue", r[F.venue]));
      var tagCell = cell("col-tags");
      r[F.tags].forEach(function (t) {
        var a = document.createElement("a");
        a.className = "tag";
        a.href = tags[t][2];
        a.textContent = tags[t][0];
        tagCell.appendChild(a);
      });
      tr.appendChild(tagCell);
      var status = cell("");
      if (r[F.status]) {
        var badge = document.createElement("span");
        badge.className = "status status-" + r[F.status];
        badge.textContent = r[F.status];
        status.appendChild(badge);
      }
      tr.appendChild(status);
      return tr;
    }

    // Authors with pages of their own are links, as in _macros.html's author_link.
    function authorsCell(r) {
      var td = cell("col-authors"), text = r[F.authors], links = r[F.links] || [], at = 0;
      links.forEach(function (l) {
        if (l[0] > at) td.append(text.slice(at, l[0]));
        var a = document.createElement("a");
        a.href = people[l[2]];
        a.textContent = text.slice(l[0], l[1]);
        td.appendChild(a);
        at = l[1];
      });
      if (at < text.length) td.append(text.slice(at));
      return td;
    }

    function pageButton(label, target, disabled) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.disabled = disabled;
      b.addEventListener("click", function () {
        page = target;
        render();
        table.scrollIntoView({ block: "start" });
      });
      return b;
    }

    // Rows shown by the current filters: all of them while the parts are loading.
    function shownCount() {
      return matches === order ? total : matches.length;
    }

    function render() {
      var pages = Math.max(1, Math.ceil(shownCount() / PAGE));
      page = Math.min(Math.max(0, page), pages - 1);
      var fragment = document.createDocumentFragment();
      var end = Math.min(matches.length, (page + 1) * PAGE);
      if (page * PAGE >= matches.length && rows.length < total) return; // its rows are loading
      for (var i = page * PAGE; i < end; i++) fragment.appendChild(rowElement(rows[matches[i]]));
      tbody.replaceChildren(fragment);
      if (c) c.count.textContent = countText(shownCount(), total);
      offerTextSearch(c);
      if (nav) {
        nav.hidden = pages < 2;
        var where = document.createElement("span");
        where.textContent = "Page " + (page + 1) + " of " + pages;
        nav.replaceChildren(
          pageButton("Previous", page - 1, page === 0), where, pageButton("Next", page + 1, page + 1 >= pages)
        );
      }
      remember();
      facets();
      renders += 1;
      root.dataset.pnTableRendered = String(renders);
    }

    function filter() {
      var previous = last;
      last = null;
      if (!c) {
        matches = order;
        return;
      }
      var text = fold(c.text.value);
      var terms = text.split(/\s+/).filter(Boolean);
      var t = c.tag.value, s = c.status.value;
      var lo = c.from.value ? Number(c.from.value) : -Infinity;
      var hi = c.to.value ? Number(c.to.value) : Infinity;
      if (!terms.length && !t && !s && lo === -Infinity && hi === Infinity) {
        matches = order;
        return;
      }
      var others = [t, s, lo, hi, orders].join("\u0000");
      // Every term of "transf" contains one of "trans": its matches are among the last ones.
      var pool = previous && previous.others === others && text.indexOf(previous.text) === 0 ? previous.matches : order;
      var wanted = null;
      if (t) {
        wanted = new Set();
        tags.forEach(function (tag, i) { if (tag[1] === t) wanted.add(i); });
      }
      var out = [], haystack = haystacks();
      for (var n = 0; n < pool.length; n++) {
        var i = pool[n], r = rows[i];
        var year = r[F.year] === null ? 0 : r[F.year];
        if (year < lo || year > hi || (s && r[F.status] !== s)) continue;
        if (wanted && !r[F.tags].some(function (id) { return wanted.has(id); })) continue;
        var h = haystack[i], ok = true;
        for (var j = 0; j < terms.length && ok; j++) ok = h.indexOf(terms[j]) !== -1;
        if (ok) out.push(i);
      }
      matches = out;
      last = { text: text, others: others, matches: out };
    }

    // Facet counts follow the other filters: a tag's count is of the rows the text, status and
    // years let through, a status's of those the text, tag and years let through. A value that
    // would empty the table reads (0) and is disabled (the chosen one stays, to be unchosen).
    // Counted once every row is here; until then the counts are the whole library's.
    var facetState = null, facetNames = null;
    function facetLabel(option) {
      return option.textContent.replace(/ \([\d,]+\)$/, "");
    }
    function facets() {
      if (!c || rows.length < total) return;
      var text = fold(c.text.value), t = c.tag.value, s = c.status.value;
      var lo = c.from.value ? Number(c.from.value) : -Infinity;
      var hi = c.to.value ? Number(c.to.value) : Infinity;
      var state = [text, t, s, lo, hi].join("\u0000");
      if (state === facetState) return;
      facetState = state;
      var selects = [c.tag, c.status];
      if (!facetNames) {
        facetNames = selects.map(function (select) {
          return Array.prototype.map.call(select.options, facetLabel);
        });
      }
      var terms = text.split(/\s+/).filter(Boolean), haystack = terms.length ? haystacks() : null;
      var byTag = Object.create(null), byStatus = Object.create(null);
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i], year = r[F.year] === null ? 0 : r[F.year];
        if (year < lo || year > hi) continue;
        var ok = true;
        for (var j = 0; j < terms.length && ok; j++) ok = haystack[i].indexOf(terms[j]) !== -1;
        if (!ok) continue;
        var seen = Object.create(null), hasTag = !t;
        for (var k = 0; k < r[F.tags].length; k++) {
          var folded = tags[r[F.tags][k]][1];
          if (folded === t) hasTag = true;
          seen[folded] = true;
        }
        if (hasTag) byStatus[r[F.status]] = (byStatus[r[F.status]] || 0) + 1;
        if (!s || r[F.status] === s) {
          for (var name in seen) byTag[name] = (byTag[name] || 0) + 1;
        }
      }
      [byTag, byStatus].forEach(function (counts, n) {
        var select = selects[n];
        Array.prototype.forEach.call(select.options, function (option, i) {
          if (!option.value) return;
          var count = counts[option.value] || 0;
          option.textContent = facetNames[n][i] + " (" + count + ")";
          option.disabled = count === 0 && option.value !== select.value;
          option.classList.toggle("facet-empty", count === 0);
        });
      });
    }

    // The filters live in the URL (?q=&tag=&status=&from=&to=&sort=&page=), so a filtered
    // view can be linked to and survives a reload.
    function remember() {
      if (!c) return;
      var url = new URL(window.location.href);
      var p = url.searchParams;
      [["q", c.text.value.trim()], ["tag", c.tag.value], ["status", c.status.value], ["from", c.from.value],
        ["to", c.to.value], ["sort", sortKey === "year" && sortDir === "descending" ? "" : sortKey + "-" + sortDir],
        ["page", page ? String(page + 1) : ""]].forEach(function (kv) {
        if (kv[1]) p.set(kv[0], kv[1]);
        else p.delete(kv[0]);
      });
      if (url.href === window.location.href) return;
      try {
        history.replaceState(null, "", url.href);
      } catch (e) {
        // A file:// page has an opaque origin: some browsers refuse to rewrite its URL.
      }
    }

    sortButtons(function (key, sign) {
      sortKey = key;
      sortDir = sign > 0 ? "ascending" : "descending";
      sortBy(key, sign);
      filter();
      render();
    });

    var params = new URLSearchParams(window.location.search);
    if (c) {
      c.form.hidden = false;
      if (params.get("q")) c.text.value = params.get("q");
      if (params.get("tag")) c.tag.value = params.get("tag");
      if (params.get("status")) c.status.value = params.get("status");
      if (params.get("from")) c.from.value = params.get("from");
      if (params.get("to")) c.to.value = params.get("to");
      var update = function () {
        page = 0;
        filter();
        render();
      };
      c.form.addEventListener("input", update);
      c.form.addEventListener("change", update);
      c.form.addEventListener("reset", function () { setTimeout(update, 0); });
    }
    var sort = /^(year|title|author|status)-(ascending|descending)$/.exec(params.get("sort") || "");
    if (sort) {
      sortKey = sort[1];
      sortDir = sort[2];
      setSorted(sortKey, sortDir);
      sortBy(sortKey, sortDir === "ascending" ? 1 : -1);
    }
    page = Math.max(0, (parseInt(params.get("page"), 10) || 1) - 1);
    if (more) more.hidden = true;
    // A view named in the URL (filtered, sorted, a later page) is only right over every row.
    var partial = !!sort || page * PAGE >= rows.length ||
      (c && [c.text, c.tag, c.status, c.from, c.to].some(function (e) { return e.value; }));
    filter();
    render();

    function complete() {
      for (var k = order.length; k < rows.length; k++) order.push(k);
      if (sortKey !== "year" || sortDir !== "descending") sortBy(sortKey, sortDir === "ascending" ? 1 : -1);
      else orders += 1;
      filter();
      render();
      root.dataset.pnTableRows = "all";
      root.dataset.pnTable = "ready";
      setTimeout(haystacks, 0);
    }

    // The other parts, in order; each calls PAPERNOTES_LIBRARY_PART(n, rows, people) as it
    // runs, people being the authors' pages its rows are the first to link to.
    function loadParts() {
      var arrived = {}, next = 1;
      window.PAPERNOTES_LIBRARY_PART = function (n, part, more) {
        arrived[n] = [part, more || []];
        while (arrived[next]) {
          Array.prototype.push.apply(rows, arrived[next][0]);
          Array.prototype.push.apply(people, arrived[next][1]);
          delete arrived[next];
          next += 1;
        }
        if (next > parts) complete();
      };
      for (var n = 1; n <= parts; n++) {
        var tag = document.createElement("script");
        tag.src = BASE + "library/" + n + ".js";
        tag.async = false; // fetched together, run in order
        tag.onerror = function () {
          if (c) c.count.textContent = "Part of the table (" + this.src + ") is missing: rebuild the site.";
          root.dataset.pnTable = "ready";
        };
        document.head.appendChild(tag);
      }
    }

    if (rows.length >= total) {
      root.dataset.pnTableRows = "all";
      root.dataset.pnTable = "ready";
      setTimeout(haystacks, 0);
      return;
    }
    if (!partial) root.dataset.pnTable = "ready";
    // After the first page is painted: the rows it shows are already here.
    setTimeout(loadParts, 0);
  }

  var data = window.PAPERNOTES_LIBRARY;
  var host = document.getElementById("library-table");
  if (host && host.contains(table) && data && data.format === 2) dataTable(data);
  else domTable();
})();
