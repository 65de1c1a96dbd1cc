// papernotes: theme toggle, link previews (preview.js), copy buttons, heading anchors. Progressive enhancement only:
// every page works without this file. No network, no innerHTML with note text.
(function () {
  "use strict";
  var self = document.currentScript;
  var root = document.documentElement;
  var KEY = "papernotes-theme";

  function currentTheme() {
    var set = root.getAttribute("data-theme");
    if (set) return set;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // The theme button is made here, as the Cite panel's are: without JavaScript it could do
  // nothing, and every page would carry it (0.13 KB each).
  function initThemeToggle() {
    var tools = document.querySelector(".site-header .header-tools");
    if (tools && !tools.querySelector("[data-theme-toggle]")) {
      var made = document.createElement("button");
      made.className = "theme-toggle";
      made.type = "button";
      made.setAttribute("data-theme-toggle", "");
      made.setAttribute("aria-label", "Switch between light and dark theme");
      made.textContent = "\u25d0";
      tools.appendChild(made);
    }
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      function label() {
        var theme = currentTheme();
        button.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
        button.title = theme === "dark" ? "Switch to light theme" : "Switch to dark theme";
      }
      label();
      button.addEventListener("click", function () {
        var next = currentTheme() === "dark" ? "light" : "dark";
        root.setAttribute("data-theme", next);
        try { localStorage.setItem(KEY, next); } catch (e) { /* storage off: theme lasts for this page */ }
        label();
      });
    });
  }

  // The Cite panel's and the BibTeX entry's buttons are made here, not in the page: without
  // JavaScript they could do nothing, and each page would carry them hidden.
  function button(text, attrs) {
    var b = document.createElement("button");
    b.className = "button";
    b.type = "button";
    b.textContent = text;
    Object.keys(attrs).forEach(function (name) { b.setAttribute(name, attrs[name]); });
    return b;
  }
  function actionsAfter(el, buttons) {
    var actions = document.createElement("p");
    actions.className = "actions";
    buttons.forEach(function (b) { actions.appendChild(b); });
    el.parentNode.insertBefore(actions, el.nextSibling);
  }
  function addButtons() {
    document.querySelectorAll(".cite-panel details").forEach(function (style) {
      var ref = style.querySelector(".reference[id]");
      var summary = style.querySelector("summary");
      if (!ref || !summary || style.querySelector("[data-copy]")) return;
      actionsAfter(ref, [button("Copy", {
        "data-copy": ref.id,
        "aria-label": "Copy the " + summary.textContent + " reference"
      })]);
    });
    var entry = document.querySelector(".bibtex code[id][data-file]");
    if (entry && !document.querySelector(".bibtex [data-copy]")) {
      var file = entry.getAttribute("data-file");
      actionsAfter(entry.parentNode, [
        button("Copy", { "data-copy": entry.id }),
        button("Download " + file, { "data-download": entry.id, "data-file": file })
      ]);
    }
  }

  // Copy ``text``: the Clipboard API where the page may use it (HTTP on a secure origin, or a
  // browser that allows it from file://), else a selected textarea and execCommand; ``done``
  // says whether either worked, so the button can say so instead of failing silently.
  function copyText(text, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  // A copy button's status line, a polite live region beside it: made here, since without
  // JavaScript there is nothing to report.
  function wireCopy(button, read) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!status) {
      status = document.createElement("span");
      status.className = "muted";
      status.setAttribute("data-copy-status", "");
      status.setAttribute("aria-live", "polite");
      button.parentNode.appendChild(status);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      copyText(read(), function (ok) {
        status.textContent = ok ? "Copied." : "Select the text and copy it.";
      });
    });
  }

  function initCopyButtons() {
    addButtons();
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (source) wireCopy(button, function () { return source.textContent; });
    });
  }

  // Code blocks of the note: a name for the focusable <pre> (what a screen reader says when
  // the keyboard lands on it to scroll) and a Copy button that copies the code as written
  // (without the line end Markdown puts after the last line, nor the button's own text).
  function initCodeBlocks() {
    var n = 0;
    document.querySelectorAll(".note-body pre > code").forEach(function (code) {
      var pre = code.parentNode;
      if (pre.classList.contains("mermaid") || pre.parentNode.classList.contains("code-block")) return;
      n += 1;
      var lang = (/(?:^|\s)language-(\S+)/.exec(code.className) || [])[1];
      var name = "Code block " + n + (lang ? " (" + lang + ")" : "");
      pre.setAttribute("role", "group");
      pre.setAttribute("aria-label", name);
      if (!pre.hasAttribute("tabindex")) pre.setAttribute("tabindex", "0");
      var wrap = document.createElement("div");
      wrap.className = "code-block";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var bar = document.createElement("div");
      bar.className = "code-copy";
      var copy = button("Copy", { "aria-label": "Copy " + name.charAt(0).toLowerCase() + name.slice(1) });
      bar.appendChild(copy);
      wrap.appendChild(bar);
      wireCopy(copy, function () { return code.textContent.replace(/\n$/, ""); });
    });
  }

  // Text of a heading as a reader hears it: KaTeX draws math twice (MathML and HTML) and keeps
  // the TeX as an annotation; only the MathML's text is kept.
  function headingText(heading) {
    var copy = heading.cloneNode(true);
    copy.querySelectorAll(".katex-html, annotation").forEach(function (el) { el.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // A "#" link to each h2–h4 of the note, beside the heading rather than in it, so the
  // heading's name is its text alone and the link is read once, as "Link to section: …".
  // Made here, not by the renderer: it weighs nothing in the page, and without JavaScript the
  // Contents list already links every one of these headings.
  function initHeadingAnchors() {
    document.querySelectorAll(".note-body h2[id], .note-body h3[id], .note-body h4[id]").forEach(function (heading) {
      if (heading.parentNode.classList.contains("hd")) return;
      var wrap = document.createElement("div");
      wrap.className = "hd";
      heading.parentNode.insertBefore(wrap, heading);
      wrap.appendChild(heading);
      var link = document.createElement("a");
      link.className = "anchor";
      link.href = "#" + heading.id;
      link.textContent = "#";
      link.setAttribute("aria-label", "Link to section: " + headingText(heading));
      wrap.appendChild(link);
    });
  }

  // A download made from text on the page (a note's BibTeX entry): no file per note to fetch,
  // and the same from file:// as over HTTP.
  function initDownloads() {
    document.querySelectorAll("[data-download]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-download"));
      if (!source || !window.Blob || !window.URL) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var blob = new Blob([source.textContent], { type: "application/x-bibtex;charset=utf-8" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-file") || "entry.bib";
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 0);
      });
    });
  }

  // Link previews live in preview.js, next to this file: loaded after the page is drawn.
  function initPreviews() {
    if (!self || !self.src) return;
    var script = document.createElement("script");
    script.src = self.src.replace(/papernotes\.js([?#].*)?$/, "preview.js");
    document.body.appendChild(script);
  }

  // A region that scrolls sideways (a wide table or formula) must be reachable by keyboard.
  function initScrollRegions() {
    document.querySelectorAll(".note-body table, .note-body pre, .table-wrap, .math.display").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function init() {
    initScrollRegions();
    initThemeToggle();
    initCopyButtons();
    initCodeBlocks();
    initHeadingAnchors();
    initDownloads();
    initPreviews();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// Search from any page: "/" or Ctrl+K (⌘K on a Mac) focuses the page's search box, or opens
// the search page (whose box has focus on load) when this page has none in view. Not while
// the reader is typing in a field, where both keys mean what they usually do.
(function () {
  "use strict";
  var mac = /Mac|iP(hone|ad|od)/.test(navigator.platform || navigator.userAgent || "");

  function typing(el) {
    if (!el || el === document.body) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // The search page's own box first, then the header's; one hidden (a narrow screen) is no box.
  function searchBox() {
    var boxes = [document.getElementById("search-input"), document.getElementById("site-search")];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i] && boxes[i].getClientRects().length) return boxes[i];
    }
    return null;
  }

  function searchPage() {
    var form = document.querySelector("form[role=search][action]");
    return form ? form.getAttribute("action") : null;
  }

  function initSearchShortcut() {
    var hint = mac ? "⌘K" : "Ctrl+K";
    ["search-input", "site-search"].forEach(function (id) {
      var box = document.getElementById(id);
      if (!box) return;
      box.setAttribute("aria-keyshortcuts", "/ Control+K Meta+K");
      if (!box.title) box.title = "Search (press / or " + hint + ")";
    });
    document.querySelectorAll("[data-search-hint]").forEach(function (el) {
      el.textContent = hint;
    });
    document.addEventListener("keydown", function (e) {
      var slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey;
      var k = (e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
      if ((!slash && !k) || e.defaultPrevented || typing(e.target)) return;
      var box = searchBox();
      var page = searchPage();
      if (!box && !page) return;
      e.preventDefault();
      if (box) {
        box.focus();
        box.select();
      } else {
        window.location.href = page;
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initSearchShortcut);
  else initSearchShortcut();
})();
