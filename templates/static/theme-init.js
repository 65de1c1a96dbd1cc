// Apply the remembered theme before the first paint, so a reload never flashes. Loaded
// (blocking, and cached) from <head> by every page rather than inlined into each.
try { var t = localStorage.getItem("papernotes-theme"); if (t === "dark" || t === "light") document.documentElement.setAttribute("data-theme", t); } catch (e) {}
