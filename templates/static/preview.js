// papernotes link previews. Hovering (after a short delay) or focusing any link to a paper page —
// an inline citation, a wikilink, the Cites and Cited by lists, a graph node, a search result —
// shows a card: title, authors, venue and year, reading status, and the first paragraph of the
// note, or of the section a link to note#heading names. On touch, the first tap shows the card
// (with an "Open" link), the second follows the link. Escape closes it; focus never moves into it.
//
// One delegated set of listeners on the document, so links added later (search results, the
// graph) have previews too. The data is static/preview/index.js (how many shards) and
// static/preview/N.js (the cards of the pages whose path hashes to N, gzipped; see preview.py), loaded by
// <script> the first time a card needs them: that works from file://, where fetch() does not.
// Progressive enhancement only; no innerHTML with note text.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !me.src) return;
  var staticDir = me.src.replace(/[^\/]*$/, "");
  var root = staticDir.replace(/static\/$/, "");
  // ms of hovering before a card shows (and its data loads): passing over a link, or pointing
  // at it to click at once, shows and loads nothing.
  var SHOW_DELAY = 500;
  var HIDE_DELAY = 200; // ms to move the pointer from the link onto the card
  var PAPER = /^papers\/[^\/?#]+\.html$/;

  var shardCount = null;
  var indexQueue = null;
  var cards = {}; // shard number -> {page path: card data}
  var shardQueue = {}; // shard number -> callbacks waiting for it

  window.PAPERNOTES_PREVIEW = function (data) {
    if (typeof data.shards === "number") {
      shardCount = data.shards;
      var queue = indexQueue || [];
      indexQueue = null;
      queue.forEach(function (fn) { fn(); });
    } else {
      unpack(data, function (shardCards) {
        cards[data.shard] = shardCards;
        var waiting = shardQueue[data.shard] || [];
        delete shardQueue[data.shard];
        waiting.forEach(function (fn) { fn(); });
      });
    }
  };

  // A shard's cards come gzipped, in base64 (preview.py, as search.js's doc shards): mostly
  // prose, a quarter of the bytes. A browser without DecompressionStream (or a shard it cannot
  // read) gets no cards, so links stay plain links; plain `cards` are read as they are.
  function unpack(data, done) {
    if (data.cards) return done(data.cards);
    if (typeof DecompressionStream === "undefined" || typeof data.z !== "string") return done({});
    try {
      var bytes = Uint8Array.from(atob(data.z), function (c) { return c.charCodeAt(0); });
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      new Response(stream).text().then(JSON.parse).then(done, function () { done({}); });
    } catch (e) {
      done({});
    }
  }

  function load(src) {
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }

  // FNV-1a over UTF-16 code units: the same shard as preview.shard_of in Python.
  function shardOf(path, count) {
    var h = 0x811c9dc5;
    for (var i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619) >>> 0;
    return h & (count - 1);
  }

  // Calls done(card) with the card of a page path, or done(null): once its shard has loaded.
  function cardOf(path, done) {
    if (shardCount === null) {
      if (indexQueue === null) {
        indexQueue = [];
        load(staticDir + "preview/index.js");
      }
      indexQueue.push(function () { cardOf(path, done); });
      return;
    }
    var n = shardOf(path, shardCount);
    if (cards[n]) return done(cards[n][path] || null);
    if (!shardQueue[n]) {
      shardQueue[n] = [];
      load(staticDir + "preview/" + n + ".js");
    }
    shardQueue[n].push(function () { done(cards[n][path] || null); });
  }

  // The page path (relative to the site root) and fragment a link leads to, if it is a paper page
  // other than this one.
  function target(link) {
    var raw = link.getAttribute("href") || link.getAttribute("xlink:href");
    // A heading's own "#" anchor (papernotes.js) points at where the reader already is.
    if (!raw || link.classList.contains("anchor")) return null;
    var url;
    try { url = new URL(raw, document.baseURI); } catch (e) { return null; }
    var hash = url.hash.replace(/^#/, "");
    url.hash = "";
    url.search = "";
    var href = url.href;
    if (href.indexOf(root) !== 0) return null;
    var path = href.slice(root.length);
    if (!PAPER.test(path)) return null;
    var here = location.href.split("#")[0].split("?")[0];
    if (href === here && !hash) return null;
    try { hash = decodeURIComponent(hash); } catch (e) { /* keep it as written */ }
    return { path: path, hash: hash };
  }

  var card = null; // the card shown
  var owner = null; // the link it describes
  var pending = null; // the link a card is being made for
  var showTimer = null;
  var armed = null;  // the link a hover card is on its way for
  var hideTimer = null;
  var lastPointer = ""; // the pointer type between a press and its click ("" for keyboard)

  function linkOf(node) {
    var el = node && node.nodeType === 1 ? node : node && node.parentNode;
    if (!el || !el.closest) return null;
    var link = el.closest("a[href]");
    if (!link || (card && card.contains(link))) return null;
    return link;
  }

  function hide() {
    disarm();
    clearTimeout(hideTimer);
    pending = null;
    if (card) { card.remove(); card = null; }
    if (owner) { owner.removeAttribute("aria-describedby"); owner = null; }
  }

  function line(cls, text) {
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    return span;
  }

  function make(data, where, link, touch) {
    var el = document.createElement("div");
    el.className = "cite-popover preview-card";
    el.id = "cite-popover";
    // A tooltip holds no controls; the touch card holds its "Open" link, so it is a plain group.
    if (touch) { el.setAttribute("role", "group"); el.setAttribute("aria-label", "Preview"); }
    else el.setAttribute("role", "tooltip");
    el.appendChild(line("pop-title", data.t));
    var meta = [data.a, data.y, data.v].filter(function (x) { return x !== undefined && x !== ""; });
    el.appendChild(line("pop-meta", meta.join(" · ")));
    if (data.s) el.appendChild(line("pop-status", "Status: " + data.s));
    // A heading's id is "h-" + its slug; a Markdown link may name it by the slug alone.
    var h = data.h || {};
    var text = (where.hash && (h[where.hash] || h["h-" + where.hash])) || data.p;
    if (text) el.appendChild(line("pop-text", text));
    if (touch) {
      var open = document.createElement("a");
      open.className = "pop-open";
      open.href = link.getAttribute("href") || link.getAttribute("xlink:href");
      open.textContent = "Open";
      var p = document.createElement("span");
      p.className = "pop-actions";
      p.appendChild(open);
      el.appendChild(p);
    }
    el.addEventListener("pointerenter", function () { clearTimeout(hideTimer); });
    el.addEventListener("pointerleave", function (e) { if (e.pointerType !== "touch") scheduleHide(); });
    return el;
  }

  function place(el, link) {
    // Inside <main>, so it is in a landmark like the rest of the page (main is not positioned:
    // top and left stay document coordinates).
    (document.querySelector("main") || document.body).appendChild(el);
    var r = link.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + width - el.offsetWidth - 8));
    el.style.top = window.scrollY + r.bottom + 6 + "px";
    el.style.left = left + "px";
  }

  function show(link, touch) {
    var where = target(link);
    if (!where) return;
    disarm();
    clearTimeout(hideTimer);
    pending = link;
    cardOf(where.path, function (data) {
      if (pending !== link) return; // the reader moved on while the shard loaded
      pending = null;
      if (!data) return;
      if (card) card.remove();
      if (owner && owner !== link) owner.removeAttribute("aria-describedby");
      card = make(data, where, link, touch);
      owner = link;
      place(card, link);
      link.setAttribute("aria-describedby", card.id);
    });
  }

  function disarm() {
    clearTimeout(showTimer);
    armed = null;
  }

  function scheduleHide() {
    disarm();
    clearTimeout(hideTimer);
    pending = null;
    hideTimer = setTimeout(hide, HIDE_DELAY);
  }

  document.addEventListener("pointerdown", function (e) {
    lastPointer = e.pointerType;
    // A press on a link is a click on its way: no card is coming for it now.
    disarm();
    if (pending && pending.contains(e.target)) pending = null;
    if (card && !card.contains(e.target) && !(owner && owner.contains(e.target))) hide();
  }, true);

  // A card comes for a pointer that moves onto a link, not for content that moves under a
  // resting pointer (a table redrawn, a page scrolled): pointermove, not pointerover.
  document.addEventListener("pointermove", function (e) {
    if (e.pointerType === "touch") return;
    var link = linkOf(e.target);
    if (!link) {
      if (card && card.contains(e.target)) clearTimeout(hideTimer);
      return;
    }
    if (link === owner) { clearTimeout(hideTimer); return; }
    if (link === armed || !target(link)) return;
    disarm();
    armed = link;
    showTimer = setTimeout(function () { armed = null; show(link, false); }, SHOW_DELAY);
  });

  document.addEventListener("pointerout", function (e) {
    if (e.pointerType === "touch") return;
    var link = linkOf(e.target);
    if (!link || link.contains(e.relatedTarget)) return;
    if (link === owner || link === pending) scheduleHide();
    else disarm();
  });

  document.addEventListener("focusin", function (e) {
    // A press focuses the link too: a click follows it at once and a tap decides by itself;
    // only focus by keyboard shows a card at once.
    if (lastPointer) return;
    var link = linkOf(e.target);
    if (link && link !== owner && target(link)) show(link, false);
  });

  document.addEventListener("focusout", function (e) {
    var link = linkOf(e.target);
    if (link && link === owner && !(card && card.contains(e.relatedTarget))) scheduleHide();
  });

  // Touch: the first tap on a link shows its card, a second tap on it follows it.
  document.addEventListener("click", function (e) {
    var touch = lastPointer === "touch";
    lastPointer = "";
    if (!touch || e.defaultPrevented || e.button !== 0) return;
    var link = linkOf(e.target);
    if (!link || link === owner || !target(link)) return;
    e.preventDefault();
    show(link, true);
  }, true);

  document.addEventListener("keydown", function (e) {
    lastPointer = ""; // focus moved from here on is the keyboard's
    if (e.key === "Escape" && (card || pending)) hide();
  });
})();
