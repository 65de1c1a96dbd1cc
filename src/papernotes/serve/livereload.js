// The live-reload client of `papernotes serve`, served at /__papernotes/livereload.js and
// injected into every HTML response; never part of a built site. It reloads the page after a
// good rebuild and lays the errors of any other over the page (the last good one: a failed
// build writes nothing, and a note with errors is served as it last was without them).
(function () {
  "use strict";
  // The build this page was read at: a build that ends before the stream opens still reloads it.
  var since = document.currentScript && document.currentScript.getAttribute("data-since");
  var source = new EventSource("/__papernotes/events" +
    (since ? "?since=" + encodeURIComponent(since) : ""));
  var overlay = null;
  function clear() { if (overlay) { overlay.remove(); overlay = null; } }
  source.addEventListener("reload", function () { clear(); window.location.reload(); });
  source.addEventListener("error-report", function (e) {
    var lines = JSON.parse(e.data);
    clear();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "Build failed");
    overlay.id = "papernotes-error-overlay";
    overlay.style.cssText = "position:fixed;inset:1rem;z-index:99999;overflow:auto;" +
      "background:#1f1f1f;color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;padding:1rem;" +
      "border:2px solid #ff6b6b;border-radius:6px;white-space:pre-wrap";
    var title = document.createElement("strong");
    title.textContent = "papernotes: the last build found errors. This page is the last " +
      "good one, and it reloads once they are fixed and saved.";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.style.cssText = "float:right";
    close.addEventListener("click", clear);
    var pre = document.createElement("pre");
    pre.textContent = lines.join("\n");
    overlay.appendChild(close);
    overlay.appendChild(title);
    overlay.appendChild(pre);
    document.body.appendChild(overlay);
  });
})();
