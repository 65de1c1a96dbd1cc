// Draw ```mermaid diagrams with the copy of mermaid shipped in the site (no network needed).
// Loaded only by pages that have a diagram, after mermaid.min.js.
(function () {
  "use strict";
  if (typeof mermaid === "undefined") return;
  var root = document.documentElement;
  var diagrams = Array.prototype.slice.call(document.querySelectorAll("pre.mermaid"));
  if (!diagrams.length) return;
  // Mermaid replaces the source with its SVG; keep it to draw again in the other theme, and
  // to show it when mermaid cannot draw it.
  var sources = diagrams.map(function (el) { return el.textContent; });
  // The drawn SVG is a picture: its text alternative is the source, in a closed <details>
  // under it that a screen reader (or anyone) can open; the SVG points at it.
  var alternatives = diagrams.map(function (el, i) {
    var details = document.createElement("details");
    details.className = "mermaid-source";
    var summary = document.createElement("summary");
    summary.textContent = "Diagram source";
    var pre = document.createElement("pre");
    pre.id = "mermaid-source-" + (i + 1);
    pre.setAttribute("tabindex", "0");
    pre.textContent = sources[i];
    details.append(summary, pre);
    details.hidden = true;
    el.after(details);
    return details;
  });

  function dark() {
    var set = root.getAttribute("data-theme");
    if (set === "dark" || set === "light") return set === "dark";
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  // The source as written, and under it what mermaid said: its first and last lines (between
  // them it points at the error with spaces, which a proportional font cannot line up).
  function showSource(el, i, error) {
    el.textContent = sources[i];
    alternatives[i].hidden = true; // the source is shown in place
    el.classList.add("mermaid-error");
    el.setAttribute("tabindex", "0");
    el.title = "Diagram not drawn: " + error;
    var note = document.createElement("p");
    note.className = "muted mermaid-message";
    var lines = error.split("\n");
    note.textContent = "Diagram not drawn: " + lines[0] + (lines.length > 1 ? " " + lines.pop() : "");
    el.after(note);
  }

  // Mermaid marks its SVG role="graphics-document document" with an aria-roledescription,
  // which no such role supports (axe: aria-roledescription). As an image it may carry one,
  // and it needs a name: the diagram's accTitle if it has one, else what it is.
  function describe(el, i) {
    var svg = el.querySelector("svg");
    if (!svg) return;
    var title = svg.querySelector(":scope > title");
    var kind = svg.getAttribute("aria-roledescription");
    svg.setAttribute("role", "img");
    svg.removeAttribute("aria-labelledby");
    svg.setAttribute("aria-label", title && title.textContent.trim()
      ? title.textContent.trim()
      : "Diagram" + (kind ? " (" + kind + ")" : "") + ", source below");
    var described = svg.getAttribute("aria-describedby");
    svg.setAttribute("aria-describedby", (described ? described + " " : "") + "mermaid-source-" + (i + 1));
    alternatives[i].hidden = false;
  }

  function message(e) {
    return String(e && e.message ? e.message : e);
  }

  function drawIn(theme) {
    document.querySelectorAll(".mermaid-message").forEach(function (note) { note.remove(); });
    diagrams.forEach(function (el, i) {
      el.removeAttribute("data-processed");
      el.classList.remove("mermaid-error");
      el.removeAttribute("title");
      el.removeAttribute("tabindex");
      el.textContent = sources[i];
    });
    // strict: label HTML is sanitized (no handlers, no script) and click actions are off.
    // Dark edge labels: mermaid's #ccc on #585858 is under 4.5:1; on the node colour they
    // pass WCAG AAA (7:1), as the light theme's do.
    var variables = theme === "dark" ? { edgeLabelBackground: "#1f2020" } : {};
    mermaid.initialize({
      startOnLoad: false, securityLevel: "strict", theme: theme, themeVariables: variables
    });
    // Parse first, so a diagram with a syntax error shows its source and the error, never a
    // blank box or a bomb icon.
    var checks = sources.map(function (source) {
      return mermaid.parse(source).then(function () { return null; }, message);
    });
    return Promise.all(checks).then(function (errors) {
      var good = diagrams.filter(function (el, i) {
        if (errors[i] === null) return true;
        showSource(el, i, errors[i]);
        return false;
      });
      return mermaid.run({ nodes: good, suppressErrors: true }).catch(function (e) {
        return message(e);
      }).then(function (failure) {
        diagrams.forEach(function (el, i) {
          if (errors[i] === null && !el.querySelector("svg")) {
            showSource(el, i, failure || "mermaid could not draw it");
          } else if (errors[i] === null) {
            describe(el, i);
          }
        });
      });
    });
  }

  // One drawing at a time: a theme switch while mermaid works waits for it to finish.
  var queue = Promise.resolve();
  var drawn = null;
  function draw() {
    queue = queue.then(function () {
      var theme = dark() ? "dark" : "default";
      if (theme !== drawn) {
        drawn = theme;
        return drawIn(theme);
      }
    });
  }

  draw();
  // The theme toggle sets data-theme on <html>; the system setting can change too.
  new MutationObserver(draw).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  if (window.matchMedia) {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    if (query.addEventListener) query.addEventListener("change", draw);
  }
})();
