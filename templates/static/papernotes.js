// papernotes: theme toggle, link previews (preview.js), copy buttons. Progressive enhancement only:
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

  function initThemeToggle() {
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

  function initCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      // The status line is made here: without JavaScript there is nothing to report.
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
        var text = source.textContent;
        function done(ok) { if (status) status.textContent = ok ? "Copied." : "Select the text and copy it."; }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
        } else {
          fallback();
        }
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
    document.querySelectorAll(".note-body table, .table-wrap, .math.display").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function init() {
    initScrollRegions();
    initThemeToggle();
    initCopyButtons();
    initPreviews();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
