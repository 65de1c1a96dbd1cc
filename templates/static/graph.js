// papernotes citation graph: pan/zoom, neighbour highlighting and a tag filter over the SVG drawn
// at build time. Progressive enhancement only: without this file the SVG is complete at its
// natural size in a scrollable frame, and every paper is a link. No network, no layout work
// (positions come from the build), no innerHTML with note text.
//
// One plain script (it must work from file://, so no modules): each graph on the page is one
// object `g` made by readGraph, holding what the build drew and the current view; the small
// functions below each do one thing to it.
(function () {
  "use strict";
  var LABEL_SCALE = 0.55; // below this zoom, labels are unreadable: hide them (less to paint)
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
    var wheelZoom = frame.hasAttribute("data-wheel-zoom");
    return {
      frame: frame, svg: svg, vp: vp,
      margin: margin,
      contentW: box.width - 2 * ox, contentH: box.height - top - margin,
      wheelZoom: wheelZoom,
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
      hintText: "Drag to pan; " + (wheelZoom ? "scroll" : "ctrl + scroll") + ", pinch or + \u2212 to zoom.",
      hint: null, select: null, // made by addTools
      // The view: scale, offset and frame size; the header height changes as the legend rewraps.
      s: 1, tx: ox, ty: top, cw: box.width, ch: box.height, top: top,
      moved: false, // whether the reader has panned or zoomed (then resizing keeps the view)
      pending: false, resting: 0,
      lit: [], focused: -1,
      pointers: new Map(), start: null, pinch: null, dragged: false
    };
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
    if (g.tagNames.length) tools.appendChild(tagSelect(g));
    g.hint = document.createElement("span");
    g.hint.className = "pn-hint";
    g.hint.textContent = g.hintText;
    tools.appendChild(g.hint);
    g.frame.insertBefore(tools, g.frame.firstChild);
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
      if (from >= 0 && nodeIndex(g, e.relatedTarget) !== from) highlight(g, g.focused);
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
      if (g.dragged) { e.preventDefault(); e.stopPropagation(); g.dragged = false; }
    }, true);
  }

  function listenWheel(g) {
    g.svg.addEventListener("wheel", function (e) {
      // Plain scrolling keeps scrolling the page unless this graph is the page (data-wheel-zoom);
      // a pinch on a touchpad arrives as ctrl + wheel.
      if (!g.wheelZoom && !e.ctrlKey) return;
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
        clearHighlight(g);
        return true;
      default: return false;
    }
  }

  function listenKeys(g) {
    g.svg.addEventListener("keydown", function (e) {
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

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pn-graph]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
