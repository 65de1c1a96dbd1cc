// The ranking of one query, cold, in a fresh V8 (Node): search.js's Index over a site's search
// files, with the term shards read from disk, so the browser's page load, file:// loader and
// other processes are not in the figure. Times Index.candidates only (the query's term shards
// loaded and the lengths decoded first). Prints wall and CPU milliseconds, the match count and
// the best 20 note numbers (to check two versions rank alike).
//
//     node benchmarks/search_rank.js templates/static/search.js /tmp/lib50k/site "reward model"
//
// Alternate two versions in fresh processes and take medians: a first query runs cold code,
// as a reader's does.
const fs = require("fs"), zlib = require("zlib"), vm = require("vm");
const [js, site, query] = process.argv.slice(2);
const doc = { currentScript: null, readyState: "loading", getElementById: () => null, addEventListener: () => {} };
const win = { document: doc, location: { search: "" } };
win.window = win;
const ctx = vm.createContext(Object.assign(win, { URLSearchParams, Response, performance, console }));
vm.runInContext(fs.readFileSync(site + "/static/search-index.js", "utf8"), ctx);
vm.runInContext(fs.readFileSync(js, "utf8"), ctx);
const S = ctx.PapernotesSearch;
S.Index.prototype.script = function (name) {
  const text = fs.readFileSync(site + "/static/search/" + name + ".js", "utf8");
  const data = JSON.parse(text.slice(text.indexOf(",") + 1, text.lastIndexOf(")")));
  return Promise.resolve(typeof data === "string" ? JSON.parse(zlib.gunzipSync(Buffer.from(data, "base64"))) : data);
};
(async () => {
  const ix = new S.Index(ctx.PAPERNOTES_SEARCH, "");
  const q = S.parseQuery(query);
  await ix.loadTerms(q);
  ix.lengthsReady();
  const c0 = process.cpuUsage(), t0 = performance.now();
  const r = ix.candidates(q, ix.keyedNotes(q));
  const t1 = performance.now(), c1 = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms: +(t1 - t0).toFixed(2), cpu: +((c1.user + c1.system) / 1000).toFixed(2), total: r.total, top: r.slice(0, 20).map((x) => x.doc) }));
})();
