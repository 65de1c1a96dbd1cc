// papernotes citation graph: pan/zoom, neighbour highlighting and a tag filter over the SVG drawn
// at build time. Progressive enhancement only: without this file the SVG is complete at its
// natural size in a scrollable frame, and every paper is a link. No network, no layout work
// (positions come from the build), no innerHTML with note text.
(function () {
  "use strict";
  var LABEL_SCALE = 0.55; // below this zoom, labels are unreadable: hide them (less to paint)
  var MIN_SCALE = 0.05;
  var MAX_SCALE = 4;
  var DRAG_SLOP = 4; // px a pointer may move and still count as a click on a paper

  function num(el, name) { return parseFloat(el.getAttribute(name)) || 0; }

  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function init(frame) {
    var svg = frame.querySelector("svg.pn-graph");
    var vp = svg && svg.querySelector(".pn-vp");
    // An empty graph has nothing to pan; a frame may also be met twice if the script is too.
    if (!vp || !vp.querySelector(".pn-node") || frame.hasAttribute("data-pn-ready")) return;
    frame.setAttribute("data-pn-ready", "");
    var box = svg.viewBox.baseVal;
    var top = num(svg, "data-top"), margin = num(svg, "data-margin"), ox = num(svg, "data-ox");
    var contentW = box.width - 2 * ox, contentH = box.height - top - margin;
    var wheelZoom = frame.hasAttribute("data-wheel-zoom");
    var maxVh = num(frame, "data-max-vh") || 80;
    // Below this scale a fitted view opens at full size instead (on the current paper, or on
    // the newest years); a big graph keeps its fitted overview, the only view that shows its shape.
    var minFit = svg.classList.contains("pn-big") ? 0 : num(frame, "data-min-fit");
    var current = svg.hasAttribute("data-current") ? num(svg, "data-current") : -1;
    var rows = (svg.getAttribute("data-rows") || "22 26").split(" ").map(Number);
    var band = svg.querySelector(".pn-band");
    var keys = Array.prototype.slice.call(svg.querySelectorAll(".pn-legend > g"));
    var keyWidths = null;
    var years = Array.prototype.slice.call(svg.querySelectorAll(".pn-years text"));
    var nodes = Array.prototype.slice.call(svg.querySelectorAll(".pn-node"));
    var edges = Array.prototype.slice.call(svg.querySelectorAll(".pn-edge"));
    var tagNames = [];
    try { tagNames = JSON.parse(svg.getAttribute("data-tag-names") || "[]"); } catch (e) { tagNames = []; }

    // Where each paper sits (from the build) and what it is linked to.
    var pos = nodes.map(function (n) {
      var m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(n.getAttribute("transform") || "");
      return m ? { x: parseFloat(m[1]), y: parseFloat(m[2]) } : { x: 0, y: 0 };
    });
    var tagsOf = nodes.map(function (n) {
      var t = n.getAttribute("data-tags");
      return t ? t.split(" ").map(Number) : [];
    });
    var cites = nodes.map(function () { return 0; });
    var citedBy = nodes.map(function () { return 0; });
    var near = nodes.map(function () { return []; });
    var touching = nodes.map(function () { return []; });
    var ends = edges.map(function (e) {
      var p = (e.getAttribute("data-e") || "").split(" ");
      var s = +p[0], t = +p[1];
      if (near[s] && near[t]) {
        near[s].push(t); near[t].push(s);
        touching[s].push(e); touching[t].push(e);
        cites[s] += 1; citedBy[t] += 1;
      }
      return [s, t];
    });

    // Controls exist only with JavaScript, so they are made here, not in the page.
    frame.classList.add("pn-js");
    var tools = document.createElement("div");
    tools.className = "pn-graph-tools";
    tools.appendChild(button("+", "Zoom in", function () { zoomAt(1.4, cw / 2, (top + ch) / 2); }));
    tools.appendChild(button("\u2212", "Zoom out", function () { zoomAt(1 / 1.4, cw / 2, (top + ch) / 2); }));
    // The accessible name starts with the visible text, so "click Fit" works for voice control.
    tools.appendChild(button("Fit", "Fit: show the whole graph", function () { fit(); }));
    var select = null;
    if (tagNames.length) {
      var label = document.createElement("label");
      label.appendChild(document.createTextNode("Tag "));
      select = document.createElement("select");
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "all papers";
      select.appendChild(all);
      tagNames.forEach(function (name, i) {
        var o = document.createElement("option");
        o.value = String(i);
        o.textContent = name;
        select.appendChild(o);
      });
      select.addEventListener("change", function () { showTag(select.value); });
      label.appendChild(select);
      tools.appendChild(label);
    }
    var hint = document.createElement("span");
    hint.className = "pn-hint";
    var HINT = "Drag to pan; " + (wheelZoom ? "scroll" : "ctrl + scroll") + ", pinch or + \u2212 to zoom.";
    hint.textContent = HINT;
    tools.appendChild(hint);
    frame.insertBefore(tools, frame.firstChild);

    svg.setAttribute("tabindex", "0");
    svg.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight ArrowUp ArrowDown + - 0 Escape");
    svg.setAttribute("width", "100%");
    svg.removeAttribute("height");

    var s = 1, tx = ox, ty = top, cw = box.width, ch = box.height;
    var moved = false; // whether the reader has panned or zoomed (then resizing keeps the view)
    var pending = false;

    // The legend was wrapped for the drawing's natural width; wrap it again for the frame's.
    function reflowLegend() {
      if (!keys.length) return;
      if (!keyWidths || !keyWidths[0]) {
        keyWidths = keys.map(function (k) {
          try { return k.getBBox().width + 16; } catch (e) { return 0; } // not rendered yet
        });
      }
      var x = 0, row = 0;
      keys.forEach(function (k, i) {
        if (x && x + keyWidths[i] > cw - 2 * margin) { x = 0; row += 1; }
        k.setAttribute("transform", "translate(" + (margin + x) + "," + (margin / 2 + (row + 0.5) * rows[0]) + ")");
        x += keyWidths[i];
      });
      top = margin / 2 + (row + 1) * rows[0] + rows[1];
      if (band) band.setAttribute("height", top);
      years.forEach(function (t) { t.setAttribute("y", top - rows[1] / 2); });
    }

    function size() {
      cw = Math.max(160, frame.clientWidth);
      reflowLegend();
      var fitW = Math.min(1, (cw - 2 * margin) / contentW);
      // Too small to read when fitted: the view will open at full size (initialView).
      if (fitW < minFit) fitW = 1;
      var want = top + margin + contentH * fitW;
      ch = Math.round(Math.max(220, Math.min(want, window.innerHeight * maxVh / 100)));
      svg.style.height = ch + "px";
      svg.setAttribute("viewBox", "0 0 " + cw + " " + ch);
    }

    function apply() {
      pending = false;
      vp.setAttribute("transform", "translate(" + tx.toFixed(1) + "," + ty.toFixed(1) + ") scale(" + s.toFixed(4) + ")");
      for (var i = 0; i < years.length; i++) {
        years[i].setAttribute("x", (tx + s * num(years[i], "data-x")).toFixed(1));
      }
      svg.classList.toggle("pn-far", s < LABEL_SCALE);
    }

    function schedule() {
      if (!pending) { pending = true; window.requestAnimationFrame(apply); }
    }

    // Thousands of curves are what make a big graph slow to repaint (Quartz's graph view is
    // the cautionary tale), so while it moves they are hidden (CSS: .pn-big.pn-moving), and
    // drawn again once it rests.
    var resting = 0;
    function moving() {
      svg.classList.add("pn-moving");
      window.clearTimeout(resting);
      resting = window.setTimeout(function () { svg.classList.remove("pn-moving"); }, 180);
    }

    // Keep some of the graph on screen, however far the reader drags.
    function clampPan() {
      var keep = 60;
      tx = Math.min(cw - keep, Math.max(keep - contentW * s, tx));
      ty = Math.min(ch - keep, Math.max(top + keep - contentH * s, ty));
    }

    function zoomAt(factor, px, py) {
      var next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, s * factor));
      tx = px - (px - tx) * next / s;
      ty = py - (py - ty) * next / s;
      s = next;
      moved = true;
      clampPan();
      moving();
      schedule();
    }

    function panBy(dx, dy) {
      tx += dx; ty += dy; moved = true;
      clampPan();
      moving();
      schedule();
    }

    function fit() {
      var availH = ch - top - margin;
      s = Math.min(1.25, (cw - 2 * margin) / contentW, availH / contentH);
      tx = (cw - contentW * s) / 2;
      ty = top + (availH - contentH * s) / 2;
      moved = false;
      schedule();
    }

    // Bring paper i to the middle, along each axis where the graph does not fit whole anyway.
    function centreOn(i, scale) {
      s = scale;
      var availW = cw - 2 * margin, availH = ch - top - margin;
      tx = contentW * s <= availW ? (cw - contentW * s) / 2 : cw / 2 - pos[i].x * s;
      ty = contentH * s <= availH ? top + (availH - contentH * s) / 2 : top + availH / 2 - pos[i].y * s;
      clampPan();
      schedule();
    }

    function initialView() {
      fit();
      if (s >= minFit) return;
      if (current >= 0) {
        centreOn(current, 1);
      } else {
        s = 1;
        tx = cw - margin - contentW; // newest years, at the right, are the likeliest reading
        ty = top + Math.max(0, (ch - top - margin - contentH) / 2);
        clampPan();
        schedule();
      }
    }

    // Highlight a paper with its citations both ways; the rest fades.
    var lit = [];
    var focused = -1;
    function clearHighlight() {
      lit.forEach(function (el) { el.classList.remove("is-hl"); });
      lit = [];
      svg.classList.remove("pn-hl-on");
      hint.textContent = HINT;
    }
    function highlight(i) {
      clearHighlight();
      if (i < 0) return;
      lit.push(nodes[i]);
      near[i].forEach(function (j) { lit.push(nodes[j]); });
      touching[i].forEach(function (e) { lit.push(e); });
      lit.forEach(function (el) { el.classList.add("is-hl"); });
      svg.classList.add("pn-hl-on");
      var title = nodes[i].querySelector("title");
      hint.textContent = (title ? title.textContent : "") + " \u2014 cites " + cites[i] + ", cited by " + citedBy[i] + " here";
    }
    function indexOf(target) {
      var a = target && target.closest ? target.closest(".pn-node") : null;
      return a ? nodes.indexOf(a) : -1;
    }

    function showTag(value) {
      var on = value !== "";
      var t = +value;
      var has = nodes.map(function (n, i) { return on && tagsOf[i].indexOf(t) >= 0; });
      nodes.forEach(function (n, i) { n.classList.toggle("is-tag", has[i]); });
      edges.forEach(function (e, k) { e.classList.toggle("is-tag", on && has[ends[k][0]] && has[ends[k][1]]); });
      svg.classList.toggle("pn-tag-on", on);
    }

    svg.addEventListener("mouseover", function (e) {
      var i = indexOf(e.target);
      if (i >= 0) highlight(i);
    });
    svg.addEventListener("mouseout", function (e) {
      var from = indexOf(e.target);
      if (from >= 0 && indexOf(e.relatedTarget) !== from) highlight(focused);
    });
    svg.addEventListener("focusin", function (e) {
      focused = indexOf(e.target);
      highlight(focused);
      if (focused >= 0 && !pointers.size) reveal(focused);
    });
    svg.addEventListener("focusout", function (e) {
      if (indexOf(e.relatedTarget) < 0) { focused = -1; clearHighlight(); }
    });

    // A paper reached with Tab is brought into view, and to a readable size.
    function reveal(i) {
      var x = tx + pos[i].x * s, y = ty + pos[i].y * s;
      var inside = x > margin && x < cw - margin && y > top && y < ch - margin;
      if (s < LABEL_SCALE) centreOn(i, 1);
      else if (!inside) centreOn(i, s);
    }

    // Drag to pan, two fingers to pinch; a press that barely moves stays a click on a link.
    var pointers = new Map();
    var start = null, pinch = null, dragged = false;
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      start = { x: e.clientX, y: e.clientY, tx: tx, ty: ty };
      pinch = null;
      dragged = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!pointers.has(e.pointerId)) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      var rect = svg.getBoundingClientRect();
      if (pointers.size >= 2) {
        var pts = Array.from(pointers.values());
        var d = Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y);
        var mx = (pts[0].x + pts[1].x) / 2 - rect.left, my = (pts[0].y + pts[1].y) / 2 - rect.top;
        if (pinch && pinch.d > 0) {
          panBy(mx - pinch.x, my - pinch.y);
          zoomAt(d / pinch.d, mx, my);
        }
        pinch = { d: d, x: mx, y: my };
        dragged = true;
        return;
      }
      if (!start) return;
      var dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (!dragged && Math.hypot(dx, dy) < DRAG_SLOP) return;
      if (!dragged) {
        dragged = true;
        svg.classList.add("pn-dragging");
        try { svg.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
      }
      tx = start.tx + dx; ty = start.ty + dy; moved = true;
      clampPan();
      moving();
      schedule();
    });
    function release(e) {
      pointers.delete(e.pointerId);
      if (pointers.size) return;
      svg.classList.remove("pn-dragging");
      start = null;
      pinch = null;
      // The click that ends a drag comes in this same task; later clicks (Enter on a link) count.
      window.setTimeout(function () { dragged = false; }, 0);
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);
    // The click that ends a drag must not follow the link under the pointer.
    svg.addEventListener("click", function (e) {
      if (dragged) { e.preventDefault(); e.stopPropagation(); dragged = false; }
    }, true);

    svg.addEventListener("wheel", function (e) {
      // Plain scrolling keeps scrolling the page unless this graph is the page (data-wheel-zoom);
      // a pinch on a touchpad arrives as ctrl + wheel.
      if (!wheelZoom && !e.ctrlKey) return;
      e.preventDefault();
      var rect = svg.getBoundingClientRect();
      var step = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.0015;
      zoomAt(Math.exp(-e.deltaY * step), e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });

    svg.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var handled = true;
      switch (e.key) {
        case "ArrowLeft": panBy(60, 0); break;
        case "ArrowRight": panBy(-60, 0); break;
        case "ArrowUp": panBy(0, 60); break;
        case "ArrowDown": panBy(0, -60); break;
        case "+": case "=": zoomAt(1.4, cw / 2, (top + ch) / 2); break;
        case "-": case "_": zoomAt(1 / 1.4, cw / 2, (top + ch) / 2); break;
        case "0": fit(); break;
        case "Escape": if (select) { select.value = ""; showTag(""); } clearHighlight(); break;
        default: handled = false;
      }
      if (handled) e.preventDefault();
    });

    size();
    initialView();
    apply();
    if (window.ResizeObserver) {
      var lastW = cw;
      new ResizeObserver(function () {
        if (Math.abs(frame.clientWidth - lastW) < 2) return;
        lastW = frame.clientWidth;
        size();
        if (moved) { clampPan(); schedule(); } else { initialView(); }
      }).observe(frame);
    }
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pn-graph]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
