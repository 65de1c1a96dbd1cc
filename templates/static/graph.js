// papernotes citation graph. The build writes the whole graph once, as static/graph-data.js
// (window.PAPERNOTES_GRAPH; see papernotes/graph/payload.py); this script picks what a page
// shows from it — a paper's two-step neighbourhood, or on graph.html the papers a filter
// leaves — lays it out by year and draws it as SVG, with the same rules, geometry and markup
// as papernotes/graph/{data,layout,svg}.py (tests hold the two to each other). Then it adds
// pan/zoom, neighbour highlighting and a tag filter. No network beyond one <script src> (it
// must work from file://, where fetch cannot), no innerHTML with note text.
//
// One plain script (no modules, for file://): each drawn graph is one object `g` made by
// readGraph, holding what was drawn and the current view; the small functions below each do
// one thing to it.
(function () {
  "use strict";
  // Below this zoom labels are hidden (less to paint; a hover, focus or tap shows a paper's tip
  // instead). Above it a label never reads smaller than MIN_LABEL_PX on screen: its font grows
  // as the graph shrinks, by at most 9 / (11 * 0.65) = 1.26, so the longest label (100 of the
  // node's 112 units) overflows its pill by 7 units a side, half the gap to the next column.
  var LABEL_SCALE = 0.65;
  var MIN_LABEL_PX = 9;
  var MIN_SCALE = 0.05;
  var MAX_SCALE = 4;
  var DRAG_SLOP = 4; // px a pointer may move and still count as a click on a paper
  var ZOOM_STEP = 1.4; // the + and − buttons and keys
  var PAN_STEP = 60; // px per arrow key
  var KEEP = 60; // px of the graph kept on screen, however far the reader drags

  function num(el, name) { return parseFloat(el.getAttribute(name)) || 0; }

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  // --- What the build drew -------------------------------------------------------------------

  // Where each paper sits: the translate() the build gave its node.
  function readPositions(nodes) {
    return nodes.map(function (n) {
      var m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(n.getAttribute("transform") || "");
      return m ? { x: parseFloat(m[1]), y: parseFloat(m[2]) } : { x: 0, y: 0 };
    });
  }

  function readTags(nodes) {
    return nodes.map(function (n) {
      var t = n.getAttribute("data-tags");
      return t ? t.split(" ").map(Number) : [];
    });
  }

  function readTagNames(svg) {
    try { return JSON.parse(svg.getAttribute("data-tag-names") || "[]"); } catch (e) { return []; }
  }

  // Each edge's ends, and for each paper its neighbours, its edges and its citation counts.
  function readLinks(nodes, edges) {
    var links = {
      cites: nodes.map(function () { return 0; }),
      citedBy: nodes.map(function () { return 0; }),
      near: nodes.map(function () { return []; }),
      touching: nodes.map(function () { return []; })
    };
    links.ends = edges.map(function (e) {
      var p = (e.getAttribute("data-e") || "").split(" ");
      var s = +p[0], t = +p[1];
      if (links.near[s] && links.near[t]) {
        links.near[s].push(t); links.near[t].push(s);
        links.touching[s].push(e); links.touching[t].push(e);
        links.cites[s] += 1; links.citedBy[t] += 1;
      }
      return [s, t];
    });
    return links;
  }

  // The graph in `frame`: its parts, its geometry and a view showing it at natural size.
  function readGraph(frame, svg, vp) {
    var box = svg.viewBox.baseVal;
    var top = num(svg, "data-top"), margin = num(svg, "data-margin"), ox = num(svg, "data-ox");
    var nodes = all(svg, ".pn-node");
    var edges = all(svg, ".pn-edge");
    return {
      frame: frame, svg: svg, vp: vp,
      margin: margin,
      contentW: box.width - 2 * ox, contentH: box.height - top - margin,
      maxVh: num(frame, "data-max-vh") || 80,
      // Below this scale a fitted view opens at full size instead (on the current paper, or on
      // the newest years); a big graph keeps its fitted overview, the only view that shows its shape.
      minFit: svg.classList.contains("pn-big") ? 0 : num(frame, "data-min-fit"),
      current: svg.hasAttribute("data-current") ? num(svg, "data-current") : -1,
      rows: (svg.getAttribute("data-rows") || "22 26").split(" ").map(Number),
      band: svg.querySelector(".pn-band"),
      keys: all(svg, ".pn-legend > g"),
      keyWidths: null,
      years: all(svg, ".pn-years text"),
      nodes: nodes,
      edges: edges,
      tagNames: readTagNames(svg),
      pos: readPositions(nodes),
      tagsOf: readTags(nodes),
      links: readLinks(nodes, edges),
      hintText: hintText(),
      hint: null, select: null, tip: null, // made by addTools
      // The view: scale, offset and frame size; the header height changes as the legend rewraps.
      s: 1, tx: ox, ty: top, cw: box.width, ch: box.height, top: top,
      moved: false, // whether the reader has panned or zoomed (then resizing keeps the view)
      pending: false, resting: 0,
      lit: [], focused: -1, tipFor: -1, labelPx: 0,
      tapped: -1, // the paper a first tap highlighted: a second tap on it opens it
      pointerType: "", // of the last press, which decides what its click does
      pointers: new Map(), start: null, pinch: null, dragged: false
    };
  }

  // How to zoom, for the reader's kind of pointer: the wheel alone scrolls the page.
  function hintText() {
    if (window.matchMedia && window.matchMedia("(hover: none)").matches) {
      return "Tap a paper to highlight it, tap again to open it; pinch to zoom.";
    }
    var mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
    return (mac ? "\u2318" : "Ctrl") + " + scroll to zoom; drag to pan.";
  }

  // --- Controls (they exist only with JavaScript, so they are made here, not in the page) ----

  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function tagSelect(g) {
    var label = document.createElement("label");
    label.appendChild(document.createTextNode("Tag "));
    var select = document.createElement("select");
    var everyone = document.createElement("option");
    everyone.value = "";
    everyone.textContent = "all papers";
    select.appendChild(everyone);
    g.tagNames.forEach(function (name, i) {
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = name;
      select.appendChild(o);
    });
    select.addEventListener("change", function () { showTag(g, select.value); });
    label.appendChild(select);
    g.select = select;
    return label;
  }

  function addTools(g) {
    g.frame.classList.add("pn-js");
    var tools = document.createElement("div");
    tools.className = "pn-graph-tools";
    tools.appendChild(button("+", "Zoom in", function () { zoomCentre(g, ZOOM_STEP); }));
    tools.appendChild(button("\u2212", "Zoom out", function () { zoomCentre(g, 1 / ZOOM_STEP); }));
    // The accessible name starts with the visible text, so "click Fit" works for voice control.
    tools.appendChild(button("Fit", "Fit: show the whole graph", function () { fit(g); }));
    // graph.html filters by tag before drawing; a neighbourhood highlights one instead.
    if (g.tagNames.length && !g.frame.hasAttribute("data-pn-global")) tools.appendChild(tagSelect(g));
    if (g.svg.querySelector(".pn-mention")) tools.appendChild(mentionToggle(g));
    g.hint = document.createElement("span");
    g.hint.className = "pn-hint";
    g.hint.textContent = g.hintText;
    tools.appendChild(g.hint);
    g.frame.insertBefore(tools, g.frame.firstChild);
    // The lit paper's label and short title at the page's own size, however far the graph is
    // zoomed out. Hidden from assistive technology: the node's name already holds its full title.
    g.tip = document.createElement("div");
    g.tip.className = "pn-tip";
    g.tip.setAttribute("aria-hidden", "true");
    g.tip.hidden = true;
    g.frame.appendChild(g.tip);
  }

  // Whether mention lines show; kept while graph.html redraws for a new filter.
  var showMentions = true;

  function mentionToggle(g) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = showMentions;
    label.appendChild(box);
    label.appendChild(document.createTextNode("Mentions (dashed)"));
    function apply() { g.svg.classList.toggle("pn-no-mentions", !box.checked); }
    box.addEventListener("change", function () { showMentions = box.checked; apply(); });
    apply();
    return label;
  }

  function makeInteractive(svg) {
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight ArrowUp ArrowDown + - 0 Escape");
    svg.setAttribute("width", "100%");
    svg.removeAttribute("height");
  }

  // --- Size and view -------------------------------------------------------------------------

  // The legend was wrapped for the drawing's natural width; wrap it again for the frame's.
  function reflowLegend(g) {
    if (!g.keys.length) return;
    if (!g.keyWidths || !g.keyWidths[0]) {
      g.keyWidths = g.keys.map(function (k) {
        try { return k.getBBox().width + 16; } catch (e) { return 0; } // not rendered yet
      });
    }
    var x = 0, row = 0, margin = g.margin, rows = g.rows;
    g.keys.forEach(function (k, i) {
      if (x && x + g.keyWidths[i] > g.cw - 2 * margin) { x = 0; row += 1; }
      k.setAttribute("transform", "translate(" + (margin + x) + "," + (margin / 2 + (row + 0.5) * rows[0]) + ")");
      x += g.keyWidths[i];
    });
    g.top = margin / 2 + (row + 1) * rows[0] + rows[1];
    if (g.band) g.band.setAttribute("height", g.top);
    g.years.forEach(function (t) { t.setAttribute("y", g.top - rows[1] / 2); });
  }

  function size(g) {
    g.cw = Math.max(160, g.frame.clientWidth);
    reflowLegend(g);
    var fitW = Math.min(1, (g.cw - 2 * g.margin) / g.contentW);
    // Too small to read when fitted: the view will open at full size (initialView).
    if (fitW < g.minFit) fitW = 1;
    var want = g.top + g.margin + g.contentH * fitW;
    g.ch = Math.round(Math.max(220, Math.min(want, window.innerHeight * g.maxVh / 100)));
    g.svg.style.height = g.ch + "px";
    g.svg.setAttribute("viewBox", "0 0 " + g.cw + " " + g.ch);
  }

  function apply(g) {
    g.pending = false;
    g.vp.setAttribute("transform", "translate(" + g.tx.toFixed(1) + "," + g.ty.toFixed(1) + ") scale(" + g.s.toFixed(4) + ")");
    for (var i = 0; i < g.years.length; i++) {
      g.years[i].setAttribute("x", (g.tx + g.s * num(g.years[i], "data-x")).toFixed(1));
    }
    g.svg.classList.toggle("pn-far", g.s < LABEL_SCALE);
    var px = Math.round(Math.max(LABEL_SIZE, MIN_LABEL_PX / g.s) * 4) / 4;
    if (px !== g.labelPx) {
      g.labelPx = px;
      g.svg.style.setProperty("--pn-label", px + "px");
    }
    placeTip(g);
  }

  function schedule(g) {
    if (!g.pending) { g.pending = true; window.requestAnimationFrame(function () { apply(g); }); }
  }

  // Thousands of curves are what make a big graph slow to repaint (Quartz's graph view is
  // the cautionary tale), so while it moves they are hidden (CSS: .pn-big.pn-moving), and
  // drawn again once it rests.
  function moving(g) {
    g.svg.classList.add("pn-moving");
    window.clearTimeout(g.resting);
    g.resting = window.setTimeout(function () { g.svg.classList.remove("pn-moving"); }, 180);
  }

  // Keep some of the graph on screen, however far the reader drags.
  function clampPan(g) {
    g.tx = Math.min(g.cw - KEEP, Math.max(KEEP - g.contentW * g.s, g.tx));
    g.ty = Math.min(g.ch - KEEP, Math.max(g.top + KEEP - g.contentH * g.s, g.ty));
  }

  // The view moved by the reader: keep it on screen, lighten the repaint, draw next frame.
  function readerMoved(g) {
    g.moved = true;
    clampPan(g);
    moving(g);
    schedule(g);
  }

  function zoomAt(g, factor, px, py) {
    var next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, g.s * factor));
    g.tx = px - (px - g.tx) * next / g.s;
    g.ty = py - (py - g.ty) * next / g.s;
    g.s = next;
    readerMoved(g);
  }

  function zoomCentre(g, factor) { zoomAt(g, factor, g.cw / 2, (g.top + g.ch) / 2); }

  function panBy(g, dx, dy) {
    g.tx += dx; g.ty += dy;
    readerMoved(g);
  }

  function fit(g) {
    var availH = g.ch - g.top - g.margin;
    g.s = Math.min(1.25, (g.cw - 2 * g.margin) / g.contentW, availH / g.contentH);
    g.tx = (g.cw - g.contentW * g.s) / 2;
    g.ty = g.top + (availH - g.contentH * g.s) / 2;
    g.moved = false;
    schedule(g);
  }

  // Bring paper i to the middle, along each axis where the graph does not fit whole anyway.
  function centreOn(g, i, scale) {
    g.s = scale;
    var availW = g.cw - 2 * g.margin, availH = g.ch - g.top - g.margin;
    var w = g.contentW * scale, h = g.contentH * scale;
    g.tx = w <= availW ? (g.cw - w) / 2 : g.cw / 2 - g.pos[i].x * scale;
    g.ty = h <= availH ? g.top + (availH - h) / 2 : g.top + availH / 2 - g.pos[i].y * scale;
    clampPan(g);
    schedule(g);
  }

  function initialView(g) {
    fit(g);
    if (g.s >= g.minFit) return;
    if (g.current >= 0) {
      centreOn(g, g.current, 1);
    } else {
      g.s = 1;
      g.tx = g.cw - g.margin - g.contentW; // newest years, at the right, are the likeliest reading
      g.ty = g.top + Math.max(0, (g.ch - g.top - g.margin - g.contentH) / 2);
      clampPan(g);
      schedule(g);
    }
  }

  // A paper reached with Tab is brought into view, and to a readable size.
  function reveal(g, i) {
    var x = g.tx + g.pos[i].x * g.s, y = g.ty + g.pos[i].y * g.s;
    var inside = x > g.margin && x < g.cw - g.margin && y > g.top && y < g.ch - g.margin;
    if (g.s < LABEL_SCALE) centreOn(g, i, 1);
    else if (!inside) centreOn(g, i, g.s);
  }

  // --- Highlighting and the tag filter -------------------------------------------------------

  function clearHighlight(g) {
    g.lit.forEach(function (el) { el.classList.remove("is-hl"); });
    g.lit = [];
    g.svg.classList.remove("pn-hl-on");
    g.hint.textContent = g.hintText;
    g.tipFor = -1;
    g.tip.hidden = true;
  }

  // The tip over paper i: its whole label, and its short title (from graph.js's drawing; an SVG
  // drawn by the build has only its <title>).
  function showTip(g, i) {
    var node = g.nodes[i], title = node.querySelector("title");
    var label = node.getAttribute("data-label");
    g.tip.textContent = "";
    if (label) {
      var b = document.createElement("strong");
      b.textContent = label;
      g.tip.appendChild(b);
    }
    var text = document.createElement("span");
    text.textContent = node.getAttribute("data-short") || (title ? title.textContent : "");
    g.tip.appendChild(text);
    g.tipFor = i;
    g.tip.hidden = false;
    placeTip(g);
  }

  // Above the paper (preview.js puts its card below), inside the frame; hidden while the paper
  // is out of view (off the frame, or under the header band).
  function placeTip(g) {
    if (g.tipFor < 0) return;
    var r = g.nodes[g.tipFor].getBoundingClientRect();
    var f = g.frame.getBoundingClientRect(), s = g.svg.getBoundingClientRect();
    var cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    var bandBottom = s.top + g.top;
    if (cx < s.left || cx > s.right || cy < bandBottom || cy > s.bottom) {
      g.tip.style.visibility = "hidden";
      return;
    }
    g.tip.style.visibility = "";
    var w = g.tip.offsetWidth, h = g.tip.offsetHeight;
    var x = Math.max(4, Math.min(cx - f.left - w / 2, f.width - w - 4));
    // Over the header band and the tools if need be: the frame's whole height is the tip's.
    var y = r.top - f.top - h - 6;
    if (y < 0) y = r.bottom - f.top + 6; // no room above in the frame: below
    g.tip.style.left = x.toFixed(1) + "px";
    g.tip.style.top = y.toFixed(1) + "px";
  }

  // Highlight a paper with its citations both ways; the rest fades.
  function highlight(g, i) {
    clearHighlight(g);
    if (i < 0) return;
    var links = g.links;
    g.lit.push(g.nodes[i]);
    links.near[i].forEach(function (j) { g.lit.push(g.nodes[j]); });
    links.touching[i].forEach(function (e) { g.lit.push(e); });
    g.lit.forEach(function (el) { el.classList.add("is-hl"); });
    g.svg.classList.add("pn-hl-on");
    var title = g.nodes[i].querySelector("title");
    g.hint.textContent = (title ? title.textContent : "") + " \u2014 cites " + links.cites[i] + ", cited by " + links.citedBy[i] + " here";
    showTip(g, i);
  }

  // The paper an event's target belongs to, or -1.
  function nodeIndex(g, target) {
    var a = target && target.closest ? target.closest(".pn-node") : null;
    return a ? g.nodes.indexOf(a) : -1;
  }

  function showTag(g, value) {
    var on = value !== "";
    var t = +value;
    var has = g.nodes.map(function (n, i) { return on && g.tagsOf[i].indexOf(t) >= 0; });
    g.nodes.forEach(function (n, i) { n.classList.toggle("is-tag", has[i]); });
    g.edges.forEach(function (e, k) {
      var ends = g.links.ends[k];
      e.classList.toggle("is-tag", on && has[ends[0]] && has[ends[1]]);
    });
    g.svg.classList.toggle("pn-tag-on", on);
  }

  // --- Input ---------------------------------------------------------------------------------

  function listenHoverAndFocus(g) {
    var svg = g.svg;
    svg.addEventListener("mouseover", function (e) {
      var i = nodeIndex(g, e.target);
      if (i >= 0) highlight(g, i);
    });
    svg.addEventListener("mouseout", function (e) {
      var from = nodeIndex(g, e.target);
      if (from >= 0 && nodeIndex(g, e.relatedTarget) !== from) highlight(g, g.focused >= 0 ? g.focused : g.tapped);
    });
    svg.addEventListener("focusin", function (e) {
      g.focused = nodeIndex(g, e.target);
      highlight(g, g.focused);
      if (g.focused >= 0 && !g.pointers.size) reveal(g, g.focused);
    });
    svg.addEventListener("focusout", function (e) {
      if (nodeIndex(g, e.relatedTarget) < 0) { g.focused = -1; clearHighlight(g); }
    });
  }

  // Two fingers: pan with their midpoint, zoom with their distance.
  function pinchMove(g, rect) {
    var pts = Array.from(g.pointers.values());
    var d = Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y);
    var mx = (pts[0].x + pts[1].x) / 2 - rect.left, my = (pts[0].y + pts[1].y) / 2 - rect.top;
    if (g.pinch && g.pinch.d > 0) {
      panBy(g, mx - g.pinch.x, my - g.pinch.y);
      zoomAt(g, d / g.pinch.d, mx, my);
    }
    g.pinch = { d: d, x: mx, y: my };
    g.dragged = true;
  }

  // One pointer: pan once it has moved further than a click would.
  function dragMove(g, e) {
    var dx = e.clientX - g.start.x, dy = e.clientY - g.start.y;
    if (!g.dragged && Math.hypot(dx, dy) < DRAG_SLOP) return;
    if (!g.dragged) {
      g.dragged = true;
      g.svg.classList.add("pn-dragging");
      try { g.svg.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
    }
    g.tx = g.start.tx + dx; g.ty = g.start.ty + dy;
    readerMoved(g);
  }

  function release(g, e) {
    g.pointers.delete(e.pointerId);
    if (g.pointers.size) return;
    g.svg.classList.remove("pn-dragging");
    g.start = null;
    g.pinch = null;
    // The click that ends a drag comes in this same task; later clicks (Enter on a link) count.
    window.setTimeout(function () { g.dragged = false; }, 0);
  }

  // Drag to pan, two fingers to pinch; a press that barely moves stays a click on a link.
  function listenPointers(g) {
    var svg = g.svg;
    svg.addEventListener("pointerdown", function (e) {
      g.pointerType = e.pointerType;
      if (e.button !== 0) return;
      g.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      g.start = { x: e.clientX, y: e.clientY, tx: g.tx, ty: g.ty };
      g.pinch = null;
      g.dragged = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!g.pointers.has(e.pointerId)) return;
      g.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      var rect = svg.getBoundingClientRect();
      if (g.pointers.size >= 2) pinchMove(g, rect);
      else if (g.start) dragMove(g, e);
    });
    svg.addEventListener("pointerup", function (e) { release(g, e); });
    svg.addEventListener("pointercancel", function (e) { release(g, e); });
    // The click that ends a drag must not follow the link under the pointer.
    svg.addEventListener("click", function (e) {
      if (g.dragged) { e.preventDefault(); e.stopPropagation(); g.dragged = false; return; }
      if (g.pointerType === "touch") tap(g, e);
    }, true);
  }

  // Touch has no hover: the first tap on a paper highlights it with its links and shows its tip,
  // a second tap on it opens it, a tap on empty space clears. preview.js, listening on the
  // document, sees the tap first and agrees: it holds the first tap back to show its card below
  // the paper, and lets the second through. Only when it had no card to show does it hold the
  // second back too; the reader asked to open the paper, so open it here.
  function tap(g, e) {
    var i = nodeIndex(g, e.target);
    if (i < 0) {
      g.tapped = -1;
      clearHighlight(g);
      return;
    }
    if (i !== g.tapped) {
      e.preventDefault();
      g.tapped = i;
      highlight(g, i);
      return;
    }
    if (e.defaultPrevented) {
      window.location.assign(new URL(g.nodes[i].getAttribute("href"), document.baseURI).href);
    }
  }

  function listenWheel(g) {
    g.svg.addEventListener("wheel", function (e) {
      // The wheel alone scrolls the page, as over any other figure, so a reader scrolling past
      // is never caught; Ctrl or \u2318 + wheel zooms, and a touchpad pinch arrives as ctrl + wheel.
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      var rect = g.svg.getBoundingClientRect();
      var step = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.0015;
      zoomAt(g, Math.exp(-e.deltaY * step), e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });
  }

  // What a key does to the graph; false when it is not one of ours.
  function keyAction(g, key) {
    switch (key) {
      case "ArrowLeft": panBy(g, PAN_STEP, 0); return true;
      case "ArrowRight": panBy(g, -PAN_STEP, 0); return true;
      case "ArrowUp": panBy(g, 0, PAN_STEP); return true;
      case "ArrowDown": panBy(g, 0, -PAN_STEP); return true;
      case "+": case "=": zoomCentre(g, ZOOM_STEP); return true;
      case "-": case "_": zoomCentre(g, 1 / ZOOM_STEP); return true;
      case "0": fit(g); return true;
      case "Escape":
        if (g.select) { g.select.value = ""; showTag(g, ""); }
        g.tapped = -1;
        clearHighlight(g);
        return true;
      default: return false;
    }
  }

  function listenKeys(g) {
    g.svg.addEventListener("keydown", function (e) {
      g.pointerType = ""; // Enter on a paper is a click by keyboard, never a second tap
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (keyAction(g, e.key)) e.preventDefault();
    });
  }

  // A frame that changes width gets a new size; an untouched view is laid out afresh.
  function watchResize(g) {
    if (!window.ResizeObserver) return;
    var lastW = g.cw;
    new ResizeObserver(function () {
      if (Math.abs(g.frame.clientWidth - lastW) < 2) return;
      lastW = g.frame.clientWidth;
      size(g);
      if (g.moved) { clampPan(g); schedule(g); } else { initialView(g); }
    }).observe(g.frame);
  }

  // --- Start ---------------------------------------------------------------------------------

  function init(frame) {
    var svg = frame.querySelector("svg.pn-graph");
    var vp = svg && svg.querySelector(".pn-vp");
    // An empty graph has nothing to pan; a frame may also be met twice if the script is too.
    if (!vp || !vp.querySelector(".pn-node") || frame.hasAttribute("data-pn-ready")) return;
    frame.setAttribute("data-pn-ready", "");
    var g = readGraph(frame, svg, vp);
    addTools(g);
    makeInteractive(svg);
    listenHoverAndFocus(g);
    listenPointers(g);
    listenWheel(g);
    listenKeys(g);
    size(g);
    initialView(g);
    apply(g);
    watchResize(g);
  }

  // --- The shared data (graph-data.js) ------------------------------------------------------

  // The same sizes as papernotes.graph.layout.GEOMETRY and papernotes.graph.svg.
  var G = { nodeW: 112, nodeH: 22, pitch: 30, subGap: 14, yearGap: 40, skipGap: 22, aspect: 1.6 };
  var MARGIN = 16, LEGEND_ROW = 22, YEAR_ROW = 26, LABEL_SIZE = 11, BIG = 150;
  var UNDATED = 10000; // the column of papers with no year: after every year a note can hold
  var DEPTH = 2, MAX_NODES = 60; // a neighbourhood, as data.neighbourhood's defaults
  var DIRECTION = "Columns are years, oldest on the left; arrows point from a paper to the papers it cites.";
  // What a paper page's neighbourhood shows, said above it (_graph_local.html's legend).
  var LEGEND = "Papers up to two citation steps away, by year; arrows point from the citing paper to the cited one, dashed outlines are two steps away.";
  var SVG_NS = "http://www.w3.org/2000/svg";

  var model = null; // graph-data.js read once into arrays, shared by every graph on the page
  var waiting = []; // callbacks until graph-data.js has run

  // The data as arrays by node index, with each paper's citing papers and key looked up once.
  function readModel(data) {
    if (model && model.data === data) return model;
    var n = data.nodes.length;
    var m = { data: data, n: n, index: new Map(), citedBy: [], paletteOf: new Map() };
    data.palette.forEach(function (t, i) { m.paletteOf.set(t, i); });
    data.nodes.forEach(function (node, i) { m.index.set(node[0], i); m.citedBy.push([]); });
    data.nodes.forEach(function (node, i) {
      node[6].forEach(function (t) { m.citedBy[t].push(i); });
    });
    model = m;
    return m;
  }

  // Runs done(data) once graph-data.js has run, loading it (once) if no page script did.
  function withData(src, done, failed) {
    if (window.PAPERNOTES_GRAPH) { done(window.PAPERNOTES_GRAPH); return; }
    waiting.push(done);
    if (waiting.length > 1) return;
    var script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = function () {
      var callbacks = waiting;
      waiting = [];
      if (!window.PAPERNOTES_GRAPH) { failed(); return; }
      callbacks.forEach(function (f) { f(window.PAPERNOTES_GRAPH); });
    };
    script.onerror = function () { waiting = []; failed(); };
    document.head.appendChild(script);
  }

  function column(year) { return year || UNDATED; }

  // --- Which papers: data.neighbourhood's rules ----------------------------------------------

  function linked(m, k) { return m.data.nodes[k][6].concat(m.citedBy[k]); }

  // The papers within `depth` steps of `center` (either direction), nearest kept: a ring at a
  // time; when a ring does not fit, most links into the kept rings first, then closest in
  // year, then library order. Returns {kept: Map(index -> distance), total}.
  function neighbourhood(m, center, depth, maxNodes) {
    var year = column(m.data.nodes[center][3]);
    var dist = new Map([[center, 0]]);
    var kept = new Map([[center, 0]]);
    var ring = [center], total = 1;
    for (var step = 1; step <= depth; step++) {
      var found = [];
      ring.forEach(function (k) {
        linked(m, k).forEach(function (j) { if (!dist.has(j)) { dist.set(j, -1); found.push(j); } });
      });
      found.forEach(function (k) { dist.set(k, step); });
      total += found.length;
      var room = maxNodes - kept.size;
      if (room > 0) {
        var ranked = found.map(function (k) {
          var inward = linked(m, k).filter(function (j) { return kept.has(j); }).length;
          return { k: k, inward: inward, dy: Math.abs(column(m.data.nodes[k][3]) - year) };
        });
        ranked.sort(function (a, b) { return b.inward - a.inward || a.dy - b.dy || a.k - b.k; });
        var s = step;
        ranked.slice(0, room).forEach(function (r) { kept.set(r.k, s); });
      }
      ring = found;
    }
    return { kept: kept, total: total };
  }

  // --- Where: layout.py ----------------------------------------------------------------------

  function subcolumns(count, rows) { return Math.max(1, Math.ceil(count / rows)); }
  function span(sc) { return sc * G.nodeW + (sc - 1) * G.subGap; }

  function layoutWidth(years, counts, rows) {
    var w = G.yearGap * (years.length - 1);
    counts.forEach(function (c) { w += span(subcolumns(c, rows)); });
    for (var i = 1; i < years.length; i++) if (years[i] - years[i - 1] > 1) w += G.skipGap;
    return w;
  }

  function layoutHeight(counts, rows) {
    var most = 0;
    counts.forEach(function (c) { most = Math.max(most, Math.ceil(c / subcolumns(c, rows))); });
    return most * G.pitch;
  }

  // How many rows a year may fill before it wraps: the layout closest to G.aspect, and on a
  // tie the one with more rows (fewer sub-columns).
  function chooseRows(years, counts) {
    if (!counts.length) return 1;
    var best = 1, bestMisfit = Infinity, tallest = Math.max.apply(null, counts);
    for (var rows = 1; rows <= tallest; rows++) {
      var ratio = layoutWidth(years, counts, rows) / Math.max(layoutHeight(counts, rows), 1);
      var misfit = Math.abs(Math.log(Math.max(ratio, 1e-9) / G.aspect));
      if (misfit <= bestMisfit) { best = rows; bestMisfit = misfit; }
    }
    return best;
  }

  function setOffsets(y, order, sc) {
    var rows = Math.ceil(order.length / sc);
    order.forEach(function (v, rank) { y[v] = (Math.floor(rank / sc) - (rows - 1) / 2) * G.pitch; });
  }

  // Barycentric sweeps: left to right towards the papers cited, right to left towards the
  // citing ones, then both; ties keep the current order.
  function orderLayers(layers, neighbours, layerOf, subcols) {
    var order = layers.map(function (l) { return l.slice(); });
    var y = [];
    order.forEach(function (layer, i) { setOffsets(y, layer, subcols[i]); });
    function reorder(i, side) {
      var keyed = order[i].map(function (v, rank) {
        var sum = 0, count = 0;
        neighbours[v].forEach(function (u) {
          if (layerOf[u] !== i && (side === 0 || (layerOf[u] - i) * side > 0)) { sum += y[u]; count += 1; }
        });
        return { v: v, rank: rank, at: count ? sum / count : y[v] };
      });
      keyed.sort(function (a, b) { return a.at - b.at || a.rank - b.rank; });
      order[i] = keyed.map(function (o) { return o.v; });
      setOffsets(y, order[i], subcols[i]);
    }
    var count = order.length, i;
    for (var sweep = 0; sweep < 4; sweep++) {
      for (i = 1; i < count; i++) reorder(i, -1);
      for (i = count - 2; i >= 0; i--) reorder(i, 1);
    }
    for (i = 0; i < count; i++) reorder(i, 0);
    return order;
  }

  function layout(years, edges) {
    var present = Array.from(new Set(years)).sort(function (a, b) { return a - b; });
    var layerIndex = new Map(present.map(function (y, i) { return [y, i]; }));
    var layerOf = years.map(function (y) { return layerIndex.get(y); });
    var layers = present.map(function () { return []; });
    layerOf.forEach(function (i, v) { layers[i].push(v); });
    var counts = layers.map(function (l) { return l.length; });
    var rows = chooseRows(present, counts);
    var subcols = counts.map(function (c) { return subcolumns(c, rows); });
    var near = years.map(function () { return new Set(); });
    edges.forEach(function (e) { if (e[0] !== e[1]) { near[e[0]].add(e[1]); near[e[1]].add(e[0]); } });
    var neighbours = near.map(function (set) { return Array.from(set); });
    var ordered = orderLayers(layers, neighbours, layerOf, subcols);
    var height = 0;
    counts.forEach(function (c, i) { height = Math.max(height, Math.ceil(c / subcols[i]) * G.pitch); });
    var points = [], columns = [], x = 0, y = [];
    present.forEach(function (year, i) {
      if (i) x += G.yearGap + (year - present[i - 1] > 1 ? G.skipGap : 0);
      var s = subcols[i];
      setOffsets(y, ordered[i], s);
      ordered[i].forEach(function (v, rank) {
        points[v] = { x: x + G.nodeW / 2 + (rank % s) * (G.nodeW + G.subGap), y: height / 2 + y[v] };
      });
      columns.push({ year: year, x0: x, x1: x + span(s), count: counts[i] });
      x += span(s);
    });
    return { points: points, columns: columns, width: x, height: height };
  }

  // --- How: svg.py ---------------------------------------------------------------------------

  function fmt(x) { var t = x.toFixed(1); return t.slice(-2) === ".0" ? t.slice(0, -2) : t; }

  // East Asian wide characters (cjk.is_wide) and emoji, roughly: one em each.
  var WIDE = /[\u1100-\u115f\u231a-\u23ff\u2600-\u27bf\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;

  function textWidth(text, size) {
    var w = 0;
    Array.from(text).forEach(function (ch) {
      if (WIDE.test(ch)) w += 1;
      else if ((ch !== ch.toLowerCase() && ch === ch.toUpperCase()) || "mwMW@%".indexOf(ch) >= 0) w += 0.68;
      else if (" .,:;'!|iIl()[]".indexOf(ch) >= 0) w += 0.3;
      else w += 0.55;
    });
    return w * (size || LABEL_SIZE);
  }

  function fitText(text, maxWidth) {
    if (textWidth(text) <= maxWidth) return text;
    var chars = Array.from(text);
    while (chars.length && textWidth(chars.join("") + "\u2026") > maxWidth) chars.pop();
    return chars.join("").replace(/\s+$/, "") + "\u2026";
  }

  // --- What a node says: papernotes/graph/labels.py ----------------------------------------

  var YEAR_TAIL = /^(.+?),?\s+(\d{4}[a-z]*|n\.d\.[a-z]*)$/;
  var SHORT_TITLE = 40;
  var JOINERS = ["et", "and", "&"]; // words a cut label must not end on
  var WORD = /[\p{L}\p{N}]+(?:[-'\u2019][\p{L}\p{N}]+)*/gu;
  var SMALL = ["a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at",
    "is", "are", "towards"];

  // "Hu et al., 2022b" -> ["Hu et al.", "2022b"]; a label with no year at its end is all names.
  function nodeParts(label) {
    var m = YEAR_TAIL.exec(label);
    return m ? [m[1], m[2]] : [label, ""];
  }

  // The names are cut before the year is: the year (and its letter) tells an author's papers apart.
  function fitLabel(who, tail, maxWidth) {
    var whole = tail ? who + " " + tail : who;
    if (textWidth(whole) <= maxWidth) return whole;
    if (!tail) return fitText(who, maxWidth);
    // Whole names first ("Dettmers… 2023", not "Dettmers e… 2023"), never ending on a joiner.
    var words = who.split(" ");
    for (var k = words.length - 1; k > 0; k--) {
      if (JOINERS.indexOf(words[k - 1]) >= 0) continue;
      var shorter = words.slice(0, k).join(" ").replace(/,+$/, "") + "\u2026 " + tail;
      if (textWidth(shorter) <= maxWidth) return shorter;
    }
    var chars = Array.from(who);
    while (chars.length && textWidth(chars.join("") + "\u2026 " + tail) > maxWidth) chars.pop();
    var cut = chars.join("").replace(/\s+$/, "");
    return cut ? cut + "\u2026 " + tail : fitText(tail, maxWidth);
  }

  // "LoRA: Low-Rank Adaptation …" -> "LoRA"; else the first words, up to about 40 characters.
  function shortTitle(title) {
    var at = title.indexOf(": ");
    var text = at >= 0 && Array.from(title.slice(0, at)).length >= 2 ? title.slice(0, at) : title;
    var cps = Array.from(text);
    if (cps.length <= SHORT_TITLE) return text;
    var cut = cps.slice(0, SHORT_TITLE).join("").indexOf(" ") >= 0 ?
      cps.slice(0, SHORT_TITLE + 1).join("").replace(/ [^ ]*$/, "") : text;
    return Array.from(cut).slice(0, SHORT_TITLE).join("").replace(/[ ,;:-]+$/, "") + "\u2026";
  }

  function titleWord(title) {
    var words = shortTitle(title).match(WORD) || [];
    for (var i = 0; i < words.length; i++) {
      if (SMALL.indexOf(words[i].toLowerCase()) < 0) return words[i];
    }
    return words.length ? words[0] : "";
  }

  // Each node's visible label, fitted; where two would read the same, a title word is added,
  // and if they still clash a letter, in drawing order.
  function distinctLabels(parts, titles, maxWidth) {
    function counts(list) {
      var c = new Map();
      list.forEach(function (t) { c.set(t, (c.get(t) || 0) + 1); });
      return c;
    }
    function withTail(i, extra) {
      return fitLabel(parts[i][0], (parts[i][1] + " " + extra).trim(), maxWidth);
    }
    var shown = parts.map(function (p) { return fitLabel(p[0], p[1], maxWidth); });
    var count = counts(shown);
    shown = shown.map(function (t, i) { return count.get(t) > 1 ? withTail(i, titleWord(titles[i])) : t; });
    count = counts(shown);
    var seen = new Map();
    return shown.map(function (t, i) {
      if (count.get(t) < 2) return t;
      var n = seen.get(t) || 0;
      seen.set(t, n + 1);
      return withTail(i, (titleWord(titles[i]) + " " + String.fromCharCode(97 + n % 26)).trim());
    });
  }

  function edgePath(s, t) {
    var half = G.nodeW / 2, sx, tx, c1, c2;
    if (Math.abs(s.x - t.x) < 1) {
      sx = s.x - half; tx = t.x - half;
      var bulge = Math.min(G.yearGap * 0.8, 12 + 0.15 * Math.abs(s.y - t.y));
      c1 = sx - bulge; c2 = tx - bulge;
    } else {
      var dir = s.x > t.x ? -1 : 1;
      sx = s.x + dir * half; tx = t.x - dir * half;
      var pull = Math.max(14, Math.abs(tx - sx) * 0.45);
      c1 = sx + dir * pull; c2 = tx - dir * pull;
    }
    return "M" + fmt(sx) + " " + fmt(s.y) + "C" + fmt(c1) + " " + fmt(s.y) + " " + fmt(c2) + " " +
      fmt(t.y) + " " + fmt(tx) + " " + fmt(t.y);
  }

  function el(tag, attrs, children) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  // What to draw for papers `keys` (node indices, library order): data._graph_svg's choices.
  // opts: root and papers (href prefixes of the site and of its papers/ folder, so links read
  // as the build writes them), kept (Map of distances, for a neighbourhood), title,
  // description, note.
  function drawing(m, keys, opts) {
    var data = m.data, nodes = data.nodes;
    var index = new Map(keys.map(function (k, i) { return [k, i]; }));
    var edges = [], mentions = [];
    keys.forEach(function (s) {
      nodes[s][6].forEach(function (t) { if (index.has(t)) edges.push([index.get(s), index.get(t)]); });
      // Mentions (node[7], when any) link papers drawn anyway; they never choose what is drawn.
      (nodes[s][7] || []).forEach(function (t) { if (index.has(t)) mentions.push([index.get(s), index.get(t)]); });
    });
    var tagCount = new Map();
    keys.forEach(function (k) {
      nodes[k][5].forEach(function (t) { tagCount.set(t, (tagCount.get(t) || 0) + 1); });
    });
    // Most common first, then alphabetical: tag indices are alphabetical ranks.
    var tagOrder = Array.from(tagCount.keys()).sort(function (a, b) {
      return tagCount.get(b) - tagCount.get(a) || a - b;
    });
    var tagIndex = new Map(tagOrder.map(function (t, i) { return [t, i]; }));
    var colours = new Map();
    var parts = keys.map(function (k) { return nodeParts(nodes[k][1]); });
    var shown = distinctLabels(parts, keys.map(function (k) { return nodes[k][2]; }), G.nodeW - 12);
    var drawn = keys.map(function (k, at) {
      var node = nodes[k], label = node[1], year = node[3];
      var colour = null;
      for (var i = 0; i < node[5].length && colour === null; i++) {
        if (m.paletteOf.has(node[5][i])) colour = m.paletteOf.get(node[5][i]);
      }
      colours.set(colour, (colours.get(colour) || 0) + 1);
      return {
        href: opts.papers + (node[4] || node[0]) + ".html",
        label: shown[at],
        whole: parts[at][1] ? parts[at][0] + " " + parts[at][1] : parts[at][0],
        short: shortTitle(node[2]),
        tooltip: node[2] + " (" + label + ")",
        year: column(year),
        colour: colour,
        tags: node[5].map(function (t) { return tagIndex.get(t); }),
        current: opts.kept ? opts.kept.get(k) === 0 : false,
        distant: opts.kept ? opts.kept.get(k) > 1 : false
      };
    });
    var legend = [];
    data.palette.forEach(function (t, i) {
      if (colours.get(i)) legend.push({ colour: i, name: data.tags[t], count: colours.get(i) });
    });
    if (colours.get(null) && legend.length) legend.push({ colour: null, name: "other tags", count: colours.get(null) });
    return {
      title: opts.title, description: opts.description, note: opts.note || "",
      nodes: drawn, edges: edges, mentions: mentions, legend: legend,
      tagNames: tagOrder.map(function (t) { return data.tags[t]; }),
      yearHref: function (year) { var p = data.years[String(year)]; return p ? opts.root + p : ""; },
      noDate: data.no_date
    };
  }

  function legendItems(d, width) {
    var items = d.legend.map(function (entry) {
      var text = entry.name + " (" + entry.count + ")";
      return {
        cls: entry.colour === null ? "pn-key" : "pn-key pn-c" + entry.colour,
        parts: function () {
          return [el("rect", { x: 0, y: -5, width: 16, height: 10, rx: 5 }), el("text", { x: 21, dy: ".35em" }, [text])];
        },
        w: 21 + textWidth(text, 12) + 16
      };
    });
    if (d.note) {
      items.push({
        cls: "pn-key",
        parts: function () { return [el("text", { "class": "pn-note", dy: ".35em" }, [d.note])]; },
        w: textWidth(d.note, 12) + 16
      });
    }
    var out = [], x = 0, row = 0;
    items.forEach(function (it) {
      if (x && x + it.w > width) { x = 0; row += 1; }
      var y = MARGIN / 2 + row * LEGEND_ROW + LEGEND_ROW / 2;
      out.push(el("g", { "class": it.cls, transform: "translate(" + fmt(MARGIN + x) + "," + fmt(y) + ")" }, it.parts()));
      x += it.w;
    });
    return { parts: out, height: items.length ? (row + 1) * LEGEND_ROW : 0 };
  }

  // The drawing as an <svg> element shaped like svg.render_svg's, which the rest of this
  // script reads: nodes by column then top to bottom (the Tab order), edges by those positions.
  function renderSvg(d, lay, p) {
    var width = Math.max(lay.width + 2 * MARGIN, 320);
    var legend = legendItems(d, width - 2 * MARGIN);
    var top = MARGIN / 2 + legend.height + YEAR_ROW;
    var height = top + lay.height + MARGIN;
    var ox = (width - lay.width) / 2;
    var order = d.nodes.map(function (n, i) { return i; });
    order.sort(function (a, b) {
      return lay.points[a].x - lay.points[b].x || lay.points[a].y - lay.points[b].y || a - b;
    });
    var rank = [];
    order.forEach(function (v, i) { rank[v] = i; });
    var current = -1;
    d.nodes.forEach(function (n, i) { if (n.current) current = rank[i]; });
    var attrs = {
      "class": "pn-graph" + (d.nodes.length > BIG ? " pn-big" : ""), id: p,
      viewBox: "0 0 " + fmt(width) + " " + fmt(height), width: fmt(width), height: fmt(height),
      role: "group", "aria-labelledby": p + "-title", "aria-describedby": p + "-desc",
      "data-top": fmt(top), "data-ox": fmt(ox), "data-margin": MARGIN,
      "data-rows": LEGEND_ROW + " " + YEAR_ROW, "data-tag-names": JSON.stringify(d.tagNames)
    };
    if (current >= 0) attrs["data-current"] = current;
    var svg = el("svg", attrs, [
      el("title", { id: p + "-title" }, [d.title]),
      el("desc", { id: p + "-desc" }, [d.description]),
      // Marker ids are per SVG (two graphs may share a page), so this rule cannot be static.
      el("style", {}, [".pn-graph .pn-edge.is-hl{marker-end:url(#" + p + "-arrow-hl)}"]),
      el("defs", {}, ["arrow", "arrow-hl"].map(function (name) {
        return el("marker", {
          id: p + "-" + name, viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 8, markerHeight: 8,
          markerUnits: "userSpaceOnUse", orient: "auto"
        }, [el("path", { "class": "pn-" + name, d: "M0 0L8 4L0 8z" })]);
      }))
    ]);
    var vp = el("g", { "class": "pn-vp", transform: "translate(" + fmt(ox) + "," + fmt(top) + ")" });
    lay.columns.forEach(function (col, i) {
      if (i % 2) {
        vp.appendChild(el("rect", {
          "class": "pn-yband", x: fmt(col.x0 - G.yearGap / 2), y: -10,
          width: fmt(col.x1 - col.x0 + G.yearGap), height: fmt(lay.height + 20)
        }));
      }
    });
    var edgeGroup = el("g", { "class": "pn-edges", "marker-end": "url(#" + p + "-arrow)" });
    d.edges.forEach(function (e) {
      var s = rank[e[0]], t = rank[e[1]];
      edgeGroup.appendChild(el("path", {
        "class": current === s || current === t ? "pn-edge pn-direct" : "pn-edge",
        d: edgePath(lay.points[e[0]], lay.points[e[1]]), "data-e": s + " " + t
      }));
    });
    // Mentions are dashed, under the citations, and are not .pn-edge: highlighting, counts and
    // the layout stay about citations.
    var mentionGroup = el("g", { "class": "pn-mentions" });
    d.mentions.forEach(function (e) {
      mentionGroup.appendChild(el("path", {
        "class": "pn-mention", d: edgePath(lay.points[e[0]], lay.points[e[1]]),
        "data-e": rank[e[0]] + " " + rank[e[1]]
      }));
    });
    var nodeGroup = el("g", { "class": "pn-nodes" });
    order.forEach(function (i) { nodeGroup.appendChild(nodeElement(d.nodes[i], lay.points[i])); });
    if (d.mentions.length) vp.appendChild(mentionGroup);
    vp.appendChild(edgeGroup);
    vp.appendChild(nodeGroup);
    svg.appendChild(vp);
    var years = el("g", { "class": "pn-years" });
    lay.columns.forEach(function (col) { years.appendChild(yearLabel(d, col, ox, top)); });
    svg.appendChild(el("g", { "class": "pn-head" }, [
      el("rect", { "class": "pn-band", width: "100%", height: fmt(top) }),
      el("g", { "class": "pn-legend" }, legend.parts),
      years
    ]));
    return svg;
  }

  // One paper: a link around a pill and its label, the full title as tooltip and name.
  function nodeElement(node, at) {
    var cls = "pn-node" + (node.colour === null ? "" : " pn-c" + node.colour) +
      (node.current ? " is-current" : "") + (node.distant ? " is-distant" : "");
    var attrs = {
      "class": cls, href: node.href, transform: "translate(" + fmt(at.x) + "," + fmt(at.y) + ")",
      "data-tags": node.tags.join(" "), "data-label": node.whole, "data-short": node.short
    };
    if (node.current) attrs["aria-current"] = "page";
    return el("a", attrs, [
      el("title", {}, [node.tooltip]),
      el("rect", { x: -G.nodeW / 2, y: -G.nodeH / 2, width: G.nodeW, height: G.nodeH, rx: G.nodeH / 2 }),
      el("text", { dy: ".35em" }, [node.label]) // fitted by distinctLabels
    ]);
  }

  function yearLabel(d, col, ox, top) {
    var papers = col.count + " paper" + (col.count !== 1 ? "s" : "") +
      (col.year === UNDATED ? " with no date" : " from " + col.year);
    var text = el("text", {
      x: fmt(ox + (col.x0 + col.x1) / 2), y: fmt(top - YEAR_ROW / 2), dy: ".35em",
      "data-x": fmt((col.x0 + col.x1) / 2)
    }, [el("title", {}, [papers]), col.year === UNDATED ? d.noDate : String(col.year)]);
    var href = col.year === UNDATED ? "" : d.yearHref(col.year);
    return href ? el("a", { "class": "pn-year", href: href }, [text]) : text;
  }

  // Draw papers `keys` into a frame and make the graph interactive.
  function drawInto(frame, m, keys, opts, idPrefix) {
    var d = drawing(m, keys, opts);
    var lay = layout(d.nodes.map(function (n) { return n.year; }), d.edges);
    frame.appendChild(renderSvg(d, lay, idPrefix));
    init(frame);
  }

  function addStylesheet(href) {
    if (!href) return;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) if (links[i].getAttribute("href") === href) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  // --- A paper's neighbourhood ---------------------------------------------------------------

  function drawLocal(frame, section, data) {
    var m = readModel(data);
    var center = m.index.get(frame.getAttribute("data-key"));
    var hood = center === undefined ? null : neighbourhood(m, center, DEPTH, MAX_NODES);
    // A paper the data does not link (an older graph-data.js): nothing to show.
    if (!hood || hood.kept.size < 2) { section.hidden = true; return; }
    var keys = Array.from(hood.kept.keys()).sort(function (a, b) { return a - b; });
    var label = data.nodes[center][1];
    drawInto(frame, m, keys, {
      root: frame.getAttribute("data-root") || "",
      papers: frame.hasAttribute("data-papers") ? frame.getAttribute("data-papers") : "papers/",
      kept: hood.kept,
      title: "Papers within " + (DEPTH === 1 ? "one step" : DEPTH + " steps") + " of " + label +
        " in the citation graph (" + keys.length + " papers)",
      description: DIRECTION + " Dashed outlines are two steps away.",
      note: hood.total > keys.length ? "showing the nearest " + keys.length + " of " + hood.total + " papers" : ""
    }, "pn-local");
    frame.style.minHeight = "";
  }

  // Shown only with JavaScript; graph-data.js is loaded when the section nears the screen, or
  // at idle after the page has loaded.
  function initLocal(frame) {
    var section = frame.closest("[data-pn-local]") || frame;
    addStylesheet(frame.getAttribute("data-graph-css"));
    // The legend's sentence is written here, not carried hidden by every paper page.
    var legend = section.querySelector("[data-pn-legend]");
    if (legend && !legend.hasAttribute("data-pn-said")) {
      legend.setAttribute("data-pn-said", "");
      legend.insertBefore(document.createTextNode(LEGEND + " "), legend.firstChild);
    }
    section.hidden = false;
    frame.style.minHeight = "14rem"; // the graph's room, so the page does not jump
    var started = false;
    function start() {
      if (started) return;
      started = true;
      withData(frame.getAttribute("data-graph-data"), function (data) {
        drawLocal(frame, section, data);
      }, function () { section.hidden = true; });
    }
    if (!window.IntersectionObserver) { start(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); start(); }
    }, { rootMargin: "800px 0px" });
    seen.observe(frame);
    // Or once the page has loaded and the browser is idle, so the graph is ready by the time
    // the reader scrolls to it; never before the page itself.
    function idle() {
      if (window.requestIdleCallback) window.requestIdleCallback(start, { timeout: 2000 });
      else window.setTimeout(start, 200);
    }
    if (document.readyState === "complete") idle();
    else window.addEventListener("load", idle);
  }

  // --- graph.html: filter, then draw at most a few hundred papers -----------------------------

  var MOST = 500; // more nodes than this are a blur that takes seconds to lay out and paint

  // The papers the filter leaves, and of those the `top` most cited (then library order).
  function choose(m, f) {
    var matched = [];
    for (var i = 0; i < m.n; i++) {
      var node = m.data.nodes[i], year = node[3];
      if (f.tag >= 0 && node[5].indexOf(f.tag) < 0) continue;
      if (year ? (f.from && year < f.from) || (f.to && year > f.to) : f.from || f.to) continue;
      if (m.citedBy[i].length < f.min) continue;
      matched.push(i);
    }
    var keys = matched;
    if (matched.length > f.top) {
      keys = matched.slice().sort(function (a, b) {
        return m.citedBy[b].length - m.citedBy[a].length || a - b;
      }).slice(0, f.top).sort(function (a, b) { return a - b; });
    }
    return { keys: keys, matched: matched.length };
  }

  function readFilter(form) {
    function int(name, fallback) {
      var v = parseInt(form.elements[name].value, 10);
      return isNaN(v) ? fallback : v;
    }
    var tag = form.elements.tag.value;
    return {
      tag: tag === "" ? -1 : +tag,
      from: int("from", 0), to: int("to", 0), min: Math.max(0, int("min", 0)),
      top: Math.min(MOST, Math.max(1, int("top", 300)))
    };
  }

  function fillFilter(form, m) {
    var counts = m.data.tags.map(function () { return 0; });
    var years = [];
    m.data.nodes.forEach(function (node) {
      node[5].forEach(function (t) { counts[t] += 1; });
      if (node[3]) years.push(node[3]);
    });
    var select = form.elements.tag;
    m.data.tags.forEach(function (name, i) {
      if (!counts[i]) return;
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = name;
      select.appendChild(o);
    });
    if (years.length) {
      var lo = Math.min.apply(null, years), hi = Math.max.apply(null, years);
      ["from", "to"].forEach(function (name) {
        var input = form.elements[name];
        input.min = lo; input.max = hi; input.placeholder = String(name === "from" ? lo : hi);
      });
    }
  }

  function drawGlobal(oldFrame, form, m) {
    var f = readFilter(form);
    var picked = choose(m, f);
    // A fresh frame: the old graph's listeners and observers go with the old one.
    var frame = oldFrame.cloneNode(false);
    frame.removeAttribute("data-pn-ready");
    oldFrame.parentNode.replaceChild(frame, oldFrame);
    var edges = 0, index = new Set(picked.keys);
    picked.keys.forEach(function (k) {
      m.data.nodes[k][6].forEach(function (t) { if (index.has(t)) edges += 1; });
    });
    var shown = picked.keys.length;
    drawInto(frame, m, picked.keys, {
      root: frame.getAttribute("data-root") || "",
      papers: frame.hasAttribute("data-papers") ? frame.getAttribute("data-papers") : "papers/",
      title: "Citation graph of " + shown + " papers and " + edges + " citations",
      description: DIRECTION
    }, "pn-lib");
    var status = form.elements.status || form.querySelector("output");
    status.textContent = !picked.matched ? "No paper matches the filter." :
      shown < picked.matched ? "Showing the " + shown + " most cited of " + picked.matched +
        " papers that match; narrow the filter to see the rest." :
        "Showing all " + shown + " papers that match.";
    return frame;
  }

  function initGlobal(frame) {
    var form = document.querySelector("[data-pn-filter]");
    var data = window.PAPERNOTES_GRAPH;
    if (!form || !data) return; // graph-data.js missing: the page's text links remain
    var m = readModel(data);
    Array.prototype.forEach.call(document.querySelectorAll("[data-pn-nojs]"), function (p) { p.hidden = true; });
    fillFilter(form, m);
    form.hidden = false;
    var current = drawGlobal(frame, form, m);
    var timer = 0;
    function redraw() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { current = drawGlobal(current, form, m); }, 120);
    }
    form.addEventListener("input", redraw);
    form.addEventListener("change", redraw);
    form.addEventListener("submit", function (e) { e.preventDefault(); redraw(); });
  }

  // --- Start ---------------------------------------------------------------------------------

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pn-graph]"), function (frame) {
      // The script may be on the page twice (a library's own template): start each frame once.
      if (frame.hasAttribute("data-pn-started")) return;
      frame.setAttribute("data-pn-started", "");
      if (frame.hasAttribute("data-pn-global")) initGlobal(frame);
      else if (frame.hasAttribute("data-key")) initLocal(frame);
      else init(frame); // an SVG drawn by the build (a library's own template)
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
