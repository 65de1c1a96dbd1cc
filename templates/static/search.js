// papernotes search: queries the index written at build time (src/papernotes/search/): the
// manifest static/search-index.js (window.PAPERNOTES_SEARCH), loaded by the page, then the
// term and doc shards under static/search/ a query needs, each added as a <script> tag, so
// search works from file:// as well as over HTTP. Nothing is fetched.
//
// Folding and tokenising mirror src/papernotes/search/text.py rule for rule (the browser tests
// compare the two); change one, change the other and bump INDEX_FORMAT in both.
// Note text is untrusted: results are built with createElement and text nodes only.
(function () {
  "use strict";

  const INDEX_FORMAT = 6;
  // Where the shards are: beside this script (static/), whatever page loaded it.
  const BASE = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : "";
  // Each shard script hands its data over here; Index.script collects it on the tag's load.
  const arrived = Object.create(null);
  window.PAPERNOTES_SEARCH_SHARD = function (name, data) {
    arrived[name] = data;
  };
  // Same list as papernotes.cjk.CJK_RANGES.
  const CJK_RANGES = [
    [0x1100, 0x11ff], [0x2e80, 0x2fdf], [0x3005, 0x3007], [0x3041, 0x3096], [0x309d, 0x309f],
    [0x30a1, 0x30fa], [0x30fc, 0x30ff], [0x3105, 0x318f], [0x31a0, 0x31bf], [0x31f0, 0x31ff],
    [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa960, 0xa97f], [0xac00, 0xd7af], [0xf900, 0xfaff],
    [0x20000, 0x323af],
  ];
  const hex = (n) => "\\u{" + n.toString(16) + "}";
  const CJK_CLASS = CJK_RANGES.map(([a, b]) => (b > a ? hex(a) + "-" + hex(b) : hex(a))).join("");
  // Spelled out as in papernotes.search.text._WS_CLASS: JavaScript's \s is not Python's.
  const WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0x1680, 0x2028, 0x2029]);
  const WORD = "(?:(?![" + CJK_CLASS + "])[\\p{L}\\p{N}])";
  const TOKEN = new RegExp("([" + CJK_CLASS + "]+)|(" + WORD + "+(?:[-\\u2010]" + WORD + "+)*)", "gu");
  const HYPHENS = /[-\u2010]/u;
  const MARK_OR_FORMAT = /[\p{M}\p{Cf}]/gu;

  // Ranking knobs. A title hit outweighs any body hit; the body saturates (BM25).
  // A heading's word outweighs a passing mention (BM25 gives a body hit at most K1 + 1), and the
  // title outweighs both; an id names its note: it comes before any word match.
  const FIELD_META = 1, FIELD_TITLE = 2, FIELD_AUTHORS = 4, FIELD_ABSTRACT = 8, FIELD_HEADING = 16;
  const FIELD_KEY = 64; // the word is the note's whole citekey (papernotes.search.index.FIELD_KEY)
  const WEIGHT = { title: 8, authors: 4, meta: 3, heading: 3, abstract: 2 };
  const ID_MARK = "@"; // every id term starts with it (papernotes.search.index.ID_MARK)
  // Typos: one edit (insert, delete, substitute, swap two neighbours) in a word this long.
  const FUZZY_MIN = 5;
  const FUZZY_WEIGHT = 0.5;
  const LETTERS = /^\p{L}+$/u;
  // A word as typed in this many notes or more is no typo: its neighbours ("model" → "modal")
  // would only add noise, and at 50,000 notes their postings cost time.
  const FUZZY_IF_FEWER = 20;
  const TOP = 200; // results sorted at once; the rest only if the reader pages that far
  const K1 = 1.2, B = 0.75;
  const PREFIX_LIMIT = 64; // expansions of one prefix, the most common first
  // Term shards read for a prefix shorter than keyChars: the manifest lists the shards with
  // its most common words first, and at 50,000 notes "a" has words in every one of them.
  const SHORT_SHARDS = 4;
  const PHRASE_CHECK = 200; // top candidates whose stored text is checked for exact phrases
  const PHRASE_BOOST = 1.5;
  const PHRASE_SHARDS = 16; // doc shards a phrase check may load: ~0.5 MB
  const MAX_UNITS = 12;
  // Exact names a query may be: arXiv ids (new and old style, any version, with or without
  // prefix) and DOIs (with or without doi.org); folded as papernotes.search.index.id_terms.
  const ARXIV_ID = /(?:^|[\s(])(?:arxiv:\s*|(?:https?:\/\/)?(?:www\.)?arxiv\.org\/(?:abs|pdf)\/)?(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?(?=$|[\s),.;])/giu;
  const DOI = /(?:https?:\/\/(?:dx\.|www\.)?doi\.org\/|doi:\s*)?(10\.\d{4,9}\/\S+)/giu;
  const ARXIV_DOI = /^10\.48550\/arxiv\.(.+?)(?:v\d+)?$/u;
  const PAGE = 20;
  const SNIPPET_WIDTH = 180; // in half-width columns: a CJK character counts 2

  function isCjkCode(code) {
    if (code >= 0x4e00 && code <= 0x9fff) return true; // the common case first
    for (const [a, b] of CJK_RANGES) if (code >= a && code <= b) return true;
    return false;
  }

  // Folded form of each code point, computed once: notes reuse a few thousand characters.
  const foldCache = new Map();
  function foldCode(code) {
    let out = foldCache.get(code);
    if (out !== undefined) return out;
    out = "";
    for (const c of String.fromCodePoint(code).normalize("NFKC").toLowerCase()) {
      out += isCjkCode(c.codePointAt(0)) ? c : c.normalize("NFD").replace(MARK_OR_FORMAT, "");
    }
    foldCache.set(code, out);
    return out;
  }

  function isSpace(code) {
    return code < 0x80 ? code === 0x20 || (code >= 0x09 && code <= 0x0d) : WHITESPACE.has(code);
  }

  // Folded text, whitespace collapsed and dropped between CJK characters, plus where each of
  // its UTF-16 units came from: the original code point starting at start[i]. Hot: it runs
  // over the stored text of every candidate note, so the common characters take fast paths.
  function normalizeMapped(text) {
    let out = "";
    let start = new Int32Array(text.length + 8);
    let length = 0, pendingSpace = -1, lastCjk = false;
    for (let i = 0; i < text.length; ) {
      const code = text.codePointAt(i);
      const size = code > 0xffff ? 2 : 1;
      let folded;
      if (code < 0x80) folded = code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : text[i];
      else if (code >= 0x4e00 && code <= 0x9fff) folded = text[i]; // NFKC and lower-casing leave these
      else folded = foldCode(code);
      for (let k = 0; k < folded.length; k++) {
        const cc = folded.codePointAt(k);
        if (isSpace(cc)) {
          if (pendingSpace < 0) pendingSpace = i;
          continue;
        }
        const cjk = cc >= 0x1100 && isCjkCode(cc);
        const units = cc > 0xffff ? 2 : 1;
        if (length + units + 1 > start.length) {
          const grown = new Int32Array(start.length * 2 + 8);
          grown.set(start);
          start = grown;
        }
        if (pendingSpace >= 0 && length > 0 && !(lastCjk && cjk)) {
          out += " ";
          start[length++] = pendingSpace;
        }
        pendingSpace = -1;
        lastCjk = cjk;
        out += units === 2 ? folded.slice(k, k + 2) : folded[k];
        start[length++] = i;
        if (units === 2) start[length++] = i;
        k += units - 1;
      }
      i += size;
    }
    return { original: text, text: out, start: start.subarray(0, length) };
  }

  // Where, in the original, the code point behind normalised unit i ends.
  function endOf(field, i) {
    const s = field.start[i];
    return s + (field.original.codePointAt(s) > 0xffff ? 2 : 1);
  }

  function normalize(text) {
    return normalizeMapped(text).text;
  }

  function tokenize(text) {
    const out = [];
    for (const m of normalize(text).matchAll(TOKEN)) {
      if (m[1] !== undefined) {
        const chars = Array.from(m[1]);
        out.push(...chars);
        for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else {
        const parts = m[2].split(HYPHENS);
        out.push(...parts);
        if (parts.length > 1) out.push(parts.join(""));
      }
    }
    return out;
  }

  // A query is a list of units, all of which a note must match: a word (matched as a prefix),
  // or a run of CJK characters (every character covered by a bigram the note has).
  // An arXiv id or DOI in the query stands for itself: its digits are not words to look up
  // (unless `whole`, the search again when no note has the id: notes may mention it).
  function parseQuery(query, whole) {
    const named = idTerms(query);
    const text = normalize(whole ? query : named.rest);
    const units = [];
    const seen = new Set();
    const add = (kind, value) => {
      if (!value || seen.has(kind + value) || units.length >= MAX_UNITS) return;
      seen.add(kind + value);
      units.push({ kind: kind, text: value, chars: Array.from(value) });
    };
    for (const m of text.matchAll(TOKEN)) {
      if (m[1] !== undefined) add("cjk", m[1]);
      else m[2].split(HYPHENS).forEach((part) => add("word", part));
    }
    // The units in order, at most a space or hyphen apart ("reward model", "RLHF 奖励模型").
    const phrase =
      units.length > 1 ? new RegExp(units.map((u) => escapeRegExp(u.text)).join("[ \\-\\u2010]?"), "u") : null;
    const ids = whole ? [] : named.terms;
    const stripped = named.rest !== query;
    return { query: query, text: text, units: units, phrase: phrase, ids: ids, key: named.key, stripped: stripped };
  }

  // As papernotes.search.index.id_term: the id's last two characters first, to spread ids
  // over the term shards.
  function idTerm(kind, value) {
    return ID_MARK + Array.from(value).slice(-2).join("") + ":" + kind + ":" + value;
  }

  // The id terms a query may name (a citekey: the whole query, one token; arXiv ids; DOIs),
  // and the query without the arXiv ids and DOIs.
  function idTerms(query) {
    const out = new Set();
    const trimmed = query.trim();
    const key = trimmed && !/\s/u.test(trimmed) ? trimmed.replace(/^@/u, "").toLowerCase() : null;
    // A key that is one word as typed has no id term (it is found as that word: keyedNotes).
    const words = key ? tokenize(key) : [];
    if (key && !(words.length === 1 && words[0] === key)) out.add(idTerm("key", key));
    const rest = query
      .replace(DOI, (all, found) => {
        const doi = found.replace(/[.,;:]+$/u, "").toLowerCase();
        out.add(idTerm("doi", doi));
        const arxiv = ARXIV_DOI.exec(doi);
        if (arxiv) out.add(idTerm("arxiv", arxiv[1]));
        return " ";
      })
      .replace(ARXIV_ID, (all, found) => {
        out.add(idTerm("arxiv", found.toLowerCase()));
        return " ";
      });
    return { terms: Array.from(out), rest: rest, key: key };
  }

  // A word of FUZZY_MIN letters or more (a number or a code is no typo to guess at).
  function mayBeTypo(unit) {
    return unit.kind === "word" && unit.chars.length >= FUZZY_MIN && LETTERS.test(unit.text);
  }

  // Whether a and b are one edit apart: a letter inserted, deleted or changed, or two
  // neighbours swapped. Both are arrays of code points.
  function oneEdit(a, b) {
    if (a.length < b.length) [a, b] = [b, a];
    if (a.length - b.length > 1) return false;
    let i = 0;
    while (i < b.length && a[i] === b[i]) i++;
    if (i === b.length) return a.length !== b.length; // equal is no edit
    if (a.length > b.length) {
      for (let k = i; k < b.length; k++) if (a[k + 1] !== b[k]) return false;
      return true;
    }
    let k = i + 1;
    if (a[k] === b[i] && b[k] === a[i] && a.length > k) k++; // a swap of neighbours
    for (; k < a.length; k++) if (a[k] !== b[k]) return false;
    return true;
  }

  // Words one edit from `word` may live in another term shard (sharded by the first keyChars
  // characters) when the edit is among those: the keys of the commonest such slips, a letter
  // dropped, doubled or swapped with its neighbour, so "atention" reads the shard of "att".
  function slipKeys(word, keyChars) {
    const c = Array.from(word);
    const keys = new Set();
    for (let i = 0; i < keyChars && i < c.length; i++) {
      keys.add(c.slice(0, i).concat(c.slice(i + 1)).slice(0, keyChars).join(""));
      keys.add(c.slice(0, i + 1).concat(c.slice(i)).slice(0, keyChars).join(""));
      if (i + 1 < c.length) keys.add(c.slice(0, i).concat([c[i + 1], c[i]], c.slice(i + 2)).slice(0, keyChars).join(""));
    }
    return Array.from(keys);
  }

  // A shard's data comes gzipped, in base64 (papernotes.search.shards.pack_rows): the doc
  // shards' stored text is most of the index's bytes, the term shards' postings the rest.
  async function unpack(name, data) {
    if (typeof data !== "string") return data;
    if (typeof DecompressionStream === "undefined") throw new Error(name + ": this browser cannot unpack it (no DecompressionStream)");
    const text = await new Response(new Response(base64Bytes(data)).body.pipeThrough(new DecompressionStream("gzip"))).text();
    return JSON.parse(text);
  }

  // The bytes of base64 text: natively where the engine can (Chromium 140 and on), else by a
  // loop (Uint8Array.from with a mapping function took 10 ms over a 94 KB term shard).
  function base64Bytes(data) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(data);
    const binary = atob(data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // The keys next to each letter on a QWERTY keyboard: a letter changed among the first
  // keyChars is most often one of these (a slip of the finger), and trying every letter would
  // read most of a large index's term shards.
  const NEIGHBOURS = {
    q: "wa", w: "qeas", e: "wrsd", r: "etdf", t: "ryfg", y: "tugh", u: "yihj", i: "uojk",
    o: "ipkl", p: "ol", a: "qwsz", s: "awedzx", d: "serfxc", f: "drtgcv", g: "ftyhvb",
    h: "gyujbn", j: "huiknm", k: "jiolm", l: "kop", z: "asx", x: "zsdc", c: "xdfv",
    v: "cfgb", b: "vghn", n: "bhjm", m: "njk",
  };

  // The keys of the words one changed letter away from `word`, when the letter is among the
  // first keyChars and the one meant was a neighbouring key ("tesnsformer": "tra").
  function neighbourKeys(word, keyChars) {
    const c = Array.from(word);
    const keys = new Set();
    for (let i = 0; i < keyChars && i < c.length; i++) {
      for (const n of NEIGHBOURS[c[i]] || "") keys.add(c.slice(0, i).concat([n], c.slice(i + 1, keyChars)).join(""));
    }
    return Array.from(keys);
  }

  const VLQ = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const VLQ_VALUE = new Int8Array(128).fill(-1);
  Array.from(VLQ, (c, i) => (VLQ_VALUE[c.charCodeAt(0)] = i));

  // A term's postings as typed arrays: note ids, and each one's fields << 4 | body tf. A common
  // word of a 50,000-note library has tens of thousands: no object per posting.
  function decodeCompact(encoded) {
    // At most one posting per two digits: sized for that, then cut to what was there.
    const docs = new Int32Array(encoded.length >> 1), packed = new Int32Array(encoded.length >> 1);
    let n = 0, doc = -1, value = 0, shift = 0, second = false;
    for (let i = 0; i < encoded.length; i++) {
      const digit = VLQ_VALUE[encoded.charCodeAt(i)];
      value |= (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
        continue;
      }
      if (second) packed[n++] = value;
      else docs[n] = doc += value + 1;
      second = !second;
      value = shift = 0;
    }
    return { docs: docs.subarray(0, n), packed: packed.subarray(0, n), length: n };
  }

  function decodePostings(encoded) {
    const numbers = decodeNumbers(encoded);
    const out = [];
    let doc = -1;
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      doc += numbers[i] + 1;
      out.push({ doc: doc, fields: numbers[i + 1] >> 4, tf: numbers[i + 1] & 15 });
    }
    return out;
  }

  // FNV-1a over the UTF-16 units of a term's first `keyChars` code points: the term shard it is
  // in, as papernotes.search.shards.shard_of computes it.
  function shardOf(term, keyChars, count) {
    const key = Array.from(term).slice(0, keyChars).join("");
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h & (count - 1);
  }

  function decodeNumbers(encoded) {
    const out = [];
    let value = 0, shift = 0;
    for (let i = 0; i < encoded.length; i++) {
      const digit = VLQ_VALUE[encoded.charCodeAt(i)];
      value |= (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
        continue;
      }
      out.push(value);
      value = shift = 0;
    }
    return out;
  }

  function TermShard(data) {
    this.terms = data.terms ? data.terms.split(" ") : [];
    this.encoded = data.postings ? data.postings.split(" ") : [];
    this.decoded = new Map();
  }

  TermShard.prototype.lowerBound = function (term) {
    let lo = 0, hi = this.terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.terms[mid] < term) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  TermShard.prototype.postings = function (i) {
    let list = this.decoded.get(i);
    if (!list) {
      list = decodeCompact(this.encoded[i]);
      this.decoded.set(i, list);
    }
    return list;
  };

  // The index, whole (search_index_js: every term and note at once, as the tests build it) or
  // sharded (the manifest, static/search-index.js: shards are added as a query needs them).
  // Searching is synchronous over what is loaded; load(...) first fetches what a query needs.
  function Index(data, base) {
    const fields = data.fields;
    this.fields = fields;
    this.base = base || "";
    this.sharded = data.termShards !== undefined;
    const toDoc = (row) => {
      const doc = {};
      fields.forEach((name, i) => (doc[name] = row[i]));
      return doc;
    };
    this.toDoc = toDoc;
    if (this.sharded) {
      this.count = data.count;
      this.encodedLengths = data.lengths; // decoded by lengthsReady, once the shards are asked for
      this.lengths = null;
      this.termShards = data.termShards;
      this.keyChars = data.keyChars;
      this.docsPerShard = data.docsPerShard;
      this.short = data.short;
      this.typoKeys = data.typoKeys; // a key's first letters → the last letters they take
      this.dir = data.dir;
      this.docs = new Array(this.count);
      this.shards = new Array(this.termShards);
    } else {
      this.docs = data.docs.map(toDoc);
      this.count = this.docs.length;
      this.lengths = data.lengths;
      this.termShards = 1;
      this.shards = [new TermShard(data)];
      this.lengthsReady();
    }
    this.normalized = new Map();
    this.loading = new Map(); // shard name → promise of its data
    this.loadedNames = [];
    this.rounds = 0; // batches of term shards asked for, each waited for before the next
  }

  // Body lengths for BM25, decoded on first need: at 50,000 notes a few milliseconds the page
  // spends while a query's first term shard is on its way, not before asking for it.
  // These loops run once, before the engine has optimised them: what they read on each turn
  // is in locals, not properties of this.
  Index.prototype.lengthsReady = function () {
    if (this.lengths === null) {
      const lengths = new Int32Array(this.count);
      const encoded = this.encodedLengths;
      const end = encoded.length, count = lengths.length;
      let n = 0, value = 0, shift = 0;
      for (let i = 0; i < end && n < count; i++) {
        const digit = VLQ_VALUE[encoded.charCodeAt(i)];
        value |= (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
          continue;
        }
        lengths[n++] = value;
        value = shift = 0;
      }
      this.lengths = lengths;
    }
    if (this.avgLength === undefined) {
      const lengths = this.lengths, n = lengths.length;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += lengths[i];
      this.avgLength = sum / Math.max(1, n);
    }
  };

  Index.prototype.shardFor = function (term) {
    return this.termShards === 1 ? 0 : shardOf(term, this.keyChars, this.termShards);
  };

  // Term shards that hold `word` and the longer words it is a prefix of (of a short prefix,
  // the SHORT_SHARDS shards holding its most common words).
  Index.prototype.prefixShards = function (word) {
    const own = this.shardFor(word);
    if (this.termShards === 1 || Array.from(word).length >= this.keyChars) return [own];
    return Array.from(new Set([own].concat((this.short[word] || []).slice(0, SHORT_SHARDS))));
  };

  // The term shards a query reads first. A word that may be a typo and whose key no word has
  // (the manifest's typoKeys) is one: the shards of the words it may stand for come in the
  // same batch, not in a second one once its own shard has shown it missing.
  Index.prototype.termShardsOf = function (q) {
    const wanted = new Set();
    for (const unit of q.units) {
      if (this.typoKeys && mayBeTypo(unit) && !this.keyExists(this.typoKeysOf(unit.text, false)[0])) {
        for (const key of this.typoKeysOf(unit.text, true)) if (this.keyExists(key)) wanted.add(this.shardFor(key));
      }
      if (unit.kind === "word") this.prefixShards(unit.text).forEach((s) => wanted.add(s));
      else if (unit.chars.length === 1) wanted.add(this.shardFor(unit.chars[0]));
      else for (let j = 0; j + 1 < unit.chars.length; j++) wanted.add(this.shardFor(unit.chars[j] + unit.chars[j + 1]));
    }
    for (const term of q.ids || []) wanted.add(this.shardFor(term));
    return Array.from(wanted).sort((a, b) => a - b);
  };

  // Whether the loaded shards hold `word` or a longer word it starts.
  Index.prototype.hasPrefix = function (word) {
    for (const s of this.prefixShards(word)) {
      const shard = this.shards[s];
      const i = shard ? shard.lowerBound(word) : 0;
      if (shard && i < shard.terms.length && shard.terms[i].startsWith(word)) return true;
    }
    return false;
  };

  // The words of the query that may be typos: long enough, and found nowhere as written.
  Index.prototype.typoUnits = function (q) {
    return q.units.filter((u) => mayBeTypo(u) && !this.hasPrefix(u.text));
  };

  // Whether some word of the index starts with `key` (keyChars letters), by the manifest's
  // list of such keys: a typo's slips and neighbours name up to thirty keys, most of them no
  // word's, and each was a term shard read for nothing.
  Index.prototype.keyExists = function (key) {
    if (!this.typoKeys) return true;
    const c = Array.from(key);
    const last = c.pop();
    return c.length === this.keyChars - 1 && (this.typoKeys[c.join("")] || "").includes(last);
  };

  // The keys of the words a typo may stand for: its own, then those of the commonest slips
  // (slipKeys), then, when `neighbours`, those a neighbouring key away (neighbourKeys).
  Index.prototype.typoKeysOf = function (word, neighbours) {
    const own = Array.from(word).slice(0, this.keyChars).join("");
    const keys = [own].concat(slipKeys(word, this.keyChars));
    return neighbours ? keys.concat(neighbourKeys(word, this.keyChars)) : keys;
  };

  // Term shards not loaded yet where the words one slip or a neighbouring key away from the
  // query's typos are: asked for in one batch, as soon as the typos are known (they were two
  // batches, the neighbours' only when the slips explained nothing: a third round trip).
  Index.prototype.typoShards = function (q) {
    if (this.termShards === 1) return [];
    const wanted = new Set();
    for (const u of this.typoUnits(q)) {
      for (const key of this.typoKeysOf(u.text, true)) if (this.keyExists(key)) wanted.add(this.shardFor(key));
    }
    return Array.from(wanted).filter((s) => !this.shards[s]);
  };

  // One shard's data, through a <script> tag (fetch() of a file:// URL is refused).
  Index.prototype.script = function (name, round) {
    let promise = this.loading.get(name);
    if (!promise) {
      promise = new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = this.base + this.dir + name + ".js";
        tag.async = true;
        tag.dataset.searchShard = name;
        if (round) tag.dataset.searchRound = String(round);
        tag.onload = () => (name in arrived ? resolve(unpack(name, arrived[name])) : reject(new Error(tag.src)));
        tag.onerror = () => reject(new Error("cannot load " + tag.src));
        document.head.append(tag);
      });
      this.loading.set(name, promise);
      this.loadedNames.push(name);
    }
    return promise;
  };

  Index.prototype.loadTermShards = function (shards) {
    const round = shards.some((s) => !this.shards[s] && !this.loading.has("t-" + s)) ? ++this.rounds : 0;
    return Promise.all(
      shards.map((s) =>
        this.shards[s] ? null : this.script("t-" + s, round).then((data) => (this.shards[s] = this.shards[s] || new TermShard(data)))
      )
    );
  };

  // Loads the term shards a query reads, then those of the words its typos may stand for.
  Index.prototype.loadTerms = async function (q) {
    if (!this.sharded) return;
    await this.loadTermShards(this.termShardsOf(q));
    await this.loadTermShards(this.typoShards(q));
  };

  Index.prototype.docShard = function (id) {
    return Math.floor(id / this.docsPerShard);
  };

  // Loads the stored text of these notes.
  Index.prototype.loadDocs = function (ids) {
    if (!this.sharded) return Promise.resolve();
    const wanted = new Set(ids.filter((id) => !this.docs[id]).map((id) => this.docShard(id)));
    return Promise.all(
      Array.from(wanted).map((n) =>
        this.script("d-" + n).then((rows) => {
          rows.forEach((row, i) => (this.docs[n * this.docsPerShard + i] = this.docs[n * this.docsPerShard + i] || this.toDoc(row)));
        })
      )
    );
  };

  // {shard, i} of a term, or null (also when its shard is not loaded).
  Index.prototype.find = function (term) {
    const shard = this.shards[this.shardFor(term)];
    if (!shard) return null;
    const i = shard.lowerBound(term);
    return i < shard.terms.length && shard.terms[i] === term ? { shard: shard, i: i } : null;
  };

  // The stored fields of a note, normalised with offsets, computed on first need.
  Index.prototype.fieldsOf = function (id) {
    let fields = this.normalized.get(id);
    if (!fields) {
      const d = this.docs[id];
      fields = {
        title: normalizeMapped(d.title),
        authors: normalizeMapped(d.authors),
        meta: normalizeMapped([...d.tags, d.venue, String(d.year), d.key].join(" ")),
        abstract: normalizeMapped(d.abstract),
        body: normalizeMapped(d.body),
      };
      this.normalized.set(id, fields);
    }
    return fields;
  };

  // The score of one posting, `packed` = fields << 4 | body tf, in a note of body `length`
  // (avg: the library's average): its fields' weights and BM25 of its body tf. The length norm
  // is computed here, per posting: an array of every note's, made before the first query, was
  // a loop of 50,000 turns (4–9 ms in a fresh page) before the first posting was read.
  function postingScore(packed, length, avg) {
    const fields = packed >> 4, tf = packed & 15;
    let s = 0;
    if (fields & FIELD_TITLE) s += WEIGHT.title;
    if (fields & FIELD_AUTHORS) s += WEIGHT.authors;
    if (fields & FIELD_META) s += WEIGHT.meta;
    if (fields & FIELD_ABSTRACT) s += WEIGHT.abstract;
    if (fields & FIELD_HEADING) s += WEIGHT.heading;
    if (tf) s += (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / avg));
    return s;
  }

  Index.prototype.idf = function (df) {
    const n = this.count;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };

  // Scores of one term (weighted) into `into`, by note id, keeping the better score per note.
  // Scores are dense arrays over every note, 0 where a note does not match: every posting
  // scores above 0, and a 50,000-note array is cheaper than a Map of as many entries.
  Index.prototype.scoreTerm = function (at, weight, into) {
    const list = at.shard.postings(at.i);
    const idf = this.idf(list.length);
    const docs = list.docs, packed = list.packed, n = list.length;
    const lengths = this.lengths, avg = this.avgLength;
    for (let k = 0; k < n; k++) {
      const doc = docs[k], p = packed[k];
      const s = weight * idf * postingScore(p, lengths[doc], avg);
      if (into[doc] < s) into[doc] = s;
    }
  };

  Index.prototype.matchWord = function (word) {
    const scores = new Float64Array(this.count);
    const exact = this.find(word);
    if (exact) this.scoreTerm(exact, 1, scores);
    const expansions = [];
    for (const s of this.prefixShards(word)) {
      const shard = this.shards[s];
      if (!shard) continue;
      for (let i = shard.lowerBound(word); i < shard.terms.length; i++) {
        const term = shard.terms[i];
        if (!term.startsWith(word)) break;
        if (term !== word && !isCjkCode(term.codePointAt(0))) expansions.push({ shard: shard, i: i, term: term });
      }
    }
    // A short prefix can expand to thousands of words: keep the most common (longest postings).
    const size = (e) => e.shard.encoded[e.i].length;
    expansions.sort((a, b) => size(b) - size(a) || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    for (const e of expansions.slice(0, PREFIX_LIMIT)) {
      this.scoreTerm(e, 0.5 + (0.5 * word.length) / e.term.length, scores);
    }
    return scores;
  };

  // Words one edit from `word` ({shard, i, term}), the commonest first: those with its own
  // key or one slip's, else a neighbouring key's (typoKeysOf), in the shards loaded. Only
  // those keys: words of other keys that share a loaded shard made a query's results depend
  // on the shards earlier queries had loaded.
  Index.prototype.nearWords = function (word) {
    // One term shard (every small library): every word is loaded, all of them are looked at.
    if (this.termShards === 1) return this.nearWordsOf(word, null);
    const near = this.nearWordsOf(word, new Set(this.typoKeysOf(word, false)));
    return near.length ? near : this.nearWordsOf(word, new Set(this.typoKeysOf(word, true)));
  };

  // Those of nearWords among the words whose key is in `keys` (any, when null).
  Index.prototype.nearWordsOf = function (word, keys) {
    const chars = Array.from(word);
    const out = [];
    const shards = new Set();
    for (const key of keys || [""]) if (this.shards[this.shardFor(key)]) shards.add(this.shards[this.shardFor(key)]);
    for (const shard of shards) {
      for (let i = 0; i < shard.terms.length; i++) {
        const term = shard.terms[i];
        if (Math.abs(term.length - word.length) > 1 || term.startsWith(word) || term.startsWith(ID_MARK)) continue;
        const c = Array.from(term);
        if ((!keys || keys.has(c.slice(0, this.keyChars).join(""))) && oneEdit(chars, c)) out.push({ shard: shard, i: i, term: term });
      }
    }
    const size = (e) => e.shard.encoded[e.i].length;
    return out.sort((a, b) => size(b) - size(a) || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  };

  // Scores of the notes holding a word one edit from `word`, and the commonest such word.
  Index.prototype.matchNear = function (word) {
    const scores = new Float64Array(this.count);
    const near = this.nearWords(word).slice(0, PREFIX_LIMIT);
    for (const e of near) this.scoreTerm(e, FUZZY_WEIGHT, scores);
    return { scores: scores, best: near.length ? near[0].term : null };
  };

  Index.prototype.matchCjk = function (chars) {
    const scores = new Float64Array(this.count);
    if (chars.length === 1) {
      const at = this.find(chars[0]);
      if (at) this.scoreTerm(at, 1, scores);
      return scores;
    }
    // Bigram j covers characters j and j+1; a note matches when every character is covered,
    // so 奖励模型训练 finds a note with 奖励模型 and 训练 even where 型训 never occurs: when it
    // has bigrams 0 and pairs - 1 and no two bigrams in a row are missing. The bigrams are read
    // in order, and per note the sum of their scores, the last it has so far and whether a
    // character is missing are dense arrays, as the words' scores are: an object and a Map entry
    // per note took 75 ms of a four-character query at 50,000 notes.
    const pairs = chars.length - 1;
    const sums = new Float64Array(this.count);
    const last = new Int32Array(this.count).fill(-2); // as though bigram -2 were there, not -1
    const gap = new Uint8Array(this.count);
    const lengths = this.lengths, avg = this.avgLength;
    for (let j = 0; j < pairs; j++) {
      const at = this.find(chars[j] + chars[j + 1]);
      if (!at) continue;
      const list = at.shard.postings(at.i);
      const idf = this.idf(list.length);
      const docs = list.docs, packed = list.packed, n = list.length;
      for (let k = 0; k < n; k++) {
        const doc = docs[k], p = packed[k];
        sums[doc] += idf * postingScore(p, lengths[doc], avg);
        if (j - last[doc] > 2) gap[doc] = 1;
        last[doc] = j;
      }
    }
    for (let d = 0; d < sums.length; d++) if (last[d] >= pairs - 1 && !gap[d]) scores[d] = sums[d] / pairs;
    return scores;
  };

  function containsAnywhere(fields, test) {
    for (const name in fields) if (test(fields[name].text)) return true;
    return false;
  }

  // Equal scores: newest year first, then by title. A sharded index numbers its notes in that
  // order already, so it needs no stored text for it. Tiers first: an id match (2), then
  // notes matching every word as typed (1), then those that need a typo forgiven (0).
  Index.prototype.order = function () {
    if (this.sharded) return (a, b) => b.tier - a.tier || b.score - a.score || a.doc - b.doc;
    const docs = this.docs;
    return (a, b) =>
      b.tier - a.tier ||
      b.score - a.score ||
      docs[b.doc].year - docs[a.doc].year ||
      (docs[a.doc].title < docs[b.doc].title ? -1 : docs[a.doc].title > docs[b.doc].title ? 1 : a.doc - b.doc);
  };

  // [{doc, score, tier}]: the best TOP sorted, the rest unsorted in results.tail (see sortTop
  // and sortAll); results.total counts them all; results.corrected is the query with each typo replaced by the word it was taken for.
  // Needs the query's term shards. Every word must match (as typed, or one edit away for a
  // long word); a note an id of the query names matches whatever the words say.
  Index.prototype.candidates = function (query, keyed) {
    const q = typeof query === "string" ? parseQuery(query) : query;
    const out = Object.assign([], { corrected: null, sorted: 0, tail: null, total: 0, typed: 0 });
    if (!q.units.length && !(q.ids || []).length) return out;
    this.lengthsReady();
    const total = new Float64Array(this.count);
    // Per note, whether it matched every word as typed: made once a word's typo is forgiven.
    // Until then every note that matches at all did, and a query's words add up without it.
    let exact = null;
    let corrected = q.text;
    let first = true;
    for (const unit of q.units) {
      const scores = unit.kind === "word" ? this.matchWord(unit.text) : this.matchCjk(unit.chars);
      let near = null;
      let typed = 0;
      if (mayBeTypo(unit)) for (let d = 0; d < scores.length && typed < FUZZY_IF_FEWER; d++) if (scores[d] > 0) typed++;
      if (mayBeTypo(unit) && typed < FUZZY_IF_FEWER) {
        near = this.matchNear(unit.text);
        if (near.best && !this.hasPrefix(unit.text)) {
          corrected = corrected.replace(new RegExp("(?<!" + WORD + ")" + escapeRegExp(unit.text) + "(?!" + WORD + ")", "u"), near.best);
        }
      }
      if (near && !exact) {
        exact = new Uint8Array(this.count);
        if (!first) for (let d = 0; d < total.length; d++) exact[d] = total[d] > 0 ? 1 : 0;
      }
      if (!exact && first) total.set(scores);
      else if (!exact) for (let d = 0; d < total.length; d++) total[d] = total[d] > 0 && scores[d] > 0 ? total[d] + scores[d] : 0;
      else for (let d = 0; d < total.length; d++) {
        const s = scores[d] > 0 ? scores[d] : near ? near.scores[d] : 0;
        const asTyped = scores[d] > 0 ? 1 : 0;
        if (first) {
          total[d] = s;
          exact[d] = asTyped;
        } else {
          total[d] = total[d] > 0 && s > 0 ? total[d] + s : 0;
          exact[d] &= asTyped;
        }
      }
      first = false;
    }
    const named = new Uint8Array(this.count);
    for (const d of keyed || []) named[d] = 1;
    for (const term of q.ids || []) {
      const at = this.find(term);
      if (!at) continue;
      const list = at.shard.postings(at.i);
      for (let k = 0; k < list.length; k++) named[list.docs[k]] = 1;
    }
    // The matches as typed arrays: at 50,000 notes a common word matches most of them, and
    // an object each (made, sorted, collected) was most of a query's time. Only the TOP best
    // become objects (sortTop); the rest wait in results.tail until the reader pages there.
    const docs = new Int32Array(this.count), scores = new Float64Array(this.count);
    const tiers = new Uint8Array(this.count);
    let n = 0, typos = false, typed = 0;
    for (let d = 0; d < total.length; d++) {
      if (!named[d] && !(total[d] > 0)) continue;
      const tier = named[d] ? 2 : exact ? exact[d] : 1;
      docs[n] = d;
      scores[n] = total[d];
      tiers[n++] = tier;
      if (tier > 0) typed++;
      else typos = true;
    }
    if (typos && corrected !== q.text) out.corrected = corrected;
    return this.sortTop(out, { docs: docs.subarray(0, n), scores: scores.subarray(0, n), tiers: tiers.subarray(0, n) }, typed);
  };

  // `into` ([{doc, score, tier}], empty, with its .corrected) filled with the best TOP of the
  // matches (typed arrays in note order), sorted; the others wait in into.tail, unsorted, until
  // the reader pages past the best (sortAll). into.total counts them all, into.typed those
  // matching as typed or by an id.
  Index.prototype.sortTop = function (into, matches, typed) {
    const order = this.order();
    const n = matches.docs.length;
    const take = (i) => ({ doc: matches.docs[i], score: matches.scores[i], tier: matches.tiers[i] });
    Object.assign(into, { total: n, typed: typed, tail: null });
    if (n <= 2 * TOP) {
      for (let i = 0; i < n; i++) into.push(take(i));
      into.sort(order);
      into.sorted = n;
      return into;
    }
    // The TOP best by key (tier, then score; of equal keys the lower numbers, as the order has
    // it: matches are in note order), in one pass that keeps the best so far in a heap, the
    // worst of them on top. A match below that worst costs one comparison: at 50,000 notes the
    // selection over every key it replaces took a third of a one-word query's ranking.
    const { tiers, scores } = matches;
    const heap = new Int32Array(TOP);
    const key = new Float64Array(TOP);
    // Whether heap slot a ranks below slot b (so belongs nearer the top).
    const below = (a, b) => key[a] < key[b] || (key[a] === key[b] && heap[a] > heap[b]);
    const swap = (a, b) => {
      const i = heap[a], k = key[a];
      heap[a] = heap[b];
      key[a] = key[b];
      heap[b] = i;
      key[b] = k;
    };
    for (let i = 0; i < n; i++) {
      const k = tiers[i] * 1e7 + scores[i];
      if (i < TOP) {
        heap[i] = i;
        key[i] = k;
        for (let c = i; c > 0 && below(c, (c - 1) >> 1); c = (c - 1) >> 1) swap(c, (c - 1) >> 1);
      } else if (k > key[0]) {
        heap[0] = i;
        key[0] = k;
        for (let c = 0; ; ) {
          const l = 2 * c + 1, r = l + 1;
          let m = c;
          if (l < TOP && below(l, m)) m = l;
          if (r < TOP && below(r, m)) m = r;
          if (m === c) break;
          swap(c, m);
          c = m;
        }
      }
    }
    const chosen = new Uint8Array(n);
    for (let s = 0; s < TOP; s++) {
      chosen[heap[s]] = 1;
      into.push(take(heap[s]));
    }
    into.sort(order);
    into.sorted = into.length;
    into.tail = { matches: matches, chosen: chosen };
    return into;
  };

  // Sorts the unsorted tail too, after the best (the reader paged past the best TOP).
  Index.prototype.sortAll = function (results) {
    const tail = results.tail;
    if (!tail) return results;
    const m = tail.matches;
    const more = [];
    for (let i = 0; i < m.docs.length; i++) {
      if (!tail.chosen[i]) more.push({ doc: m.docs[i], score: m.scores[i], tier: m.tiers[i] });
    }
    for (const r of more.sort(this.order())) results.push(r);
    results.tail = null;
    results.sorted = results.length;
    return results;
  };

  Index.prototype.needsPhrase = function (q) {
    return q.phrase !== null || q.units.some((u) => u.kind === "cjk" && u.chars.length > 1);
  };

  // How many leading candidates get their exact phrases checked: PHRASE_CHECK, or fewer when
  // their stored text would span more than PHRASE_SHARDS doc shards (a 50,000-note library).
  Index.prototype.phraseLimit = function (results) {
    const n = Math.min(PHRASE_CHECK, results.length);
    if (!this.sharded) return n;
    const seen = new Set();
    for (let k = 0; k < n; k++) {
      seen.add(this.docShard(results[k].doc));
      if (seen.size > PHRASE_SHARDS) return k;
    }
    return n;
  };

  // A result's score with its phrase boosts: those its stored text earns, or, when `most`,
  // all it might (its text unread). Multiplied in the same order either way: equal keys stay
  // equal to the last bit.
  Index.prototype.boosted = function (q, r, most) {
    const runs = q.units.filter((u) => u.kind === "cjk" && u.chars.length > 1);
    const fields = most ? null : this.fieldsOf(r.doc);
    let score = r.score;
    for (const u of runs) if (most || containsAnywhere(fields, (t) => t.includes(u.text))) score *= PHRASE_BOOST;
    if (q.phrase && (most || containsAnywhere(fields, (t) => q.phrase.test(t)))) score *= PHRASE_BOOST;
    return score;
  };

  // Exact phrases need the stored text of the first `limit` results, loaded.
  Index.prototype.rerank = function (query, results, limit) {
    const q = typeof query === "string" ? parseQuery(query) : query;
    if (!this.needsPhrase(q)) return results;
    const checked = results.slice(0, limit);
    for (const r of checked) r.score = this.boosted(q, r, false);
    const out = checked.sort(this.order()).concat(results.slice(limit));
    const { corrected, sorted, tail, total, typed } = results;
    return Object.assign(out, { corrected: corrected, sorted: sorted, tail: tail, total: total, typed: typed });
  };

  // A query that is one word may be a citekey. A key the tokenizer keeps whole has no id term
  // (papernotes.search.index.doc_terms): its word's posting in the note is marked FIELD_KEY.
  Index.prototype.keyedNotes = function (q) {
    const unit = q.units.length === 1 ? q.units[0] : null;
    if (!q.key || !unit || unit.kind !== "word" || q.key !== unit.text) return [];
    const at = this.find(unit.text);
    if (!at) return [];
    const list = at.shard.postings(at.i);
    const out = [];
    const docs = list.docs, packed = list.packed, n = list.length;
    for (let k = 0; k < n; k++) if ((packed[k] >> 4) & FIELD_KEY) out.push(docs[k]);
    return out;
  };

  // The leading results of rerank(q, results, limit) that the stored text loaded so far
  // settles: each unread candidate counted at the most its phrases could earn it, the results
  // read that rank above every unread one are where rerank will put them. Not changed.
  Index.prototype.settledPrefix = function (q, results, limit) {
    const order = this.order();
    const keyed = results.slice(0, limit).map((r) => {
      const read = this.docs[r.doc] !== undefined;
      return { r: r, read: read, doc: r.doc, tier: r.tier, score: this.boosted(q, r, !read) };
    });
    keyed.sort(order);
    const out = [];
    for (const k of keyed) {
      if (!k.read) break;
      out.push(k.r);
    }
    return out;
  };

  // [{doc, score}] best first, over what is loaded (all of a whole index).
  Index.prototype.search = function (query) {
    let q = typeof query === "string" ? parseQuery(query) : query;
    if (this.idsMissed(q)) q = parseQuery(q.query, true);
    const results = this.candidates(q, this.keyedNotes(q));
    return Object.assign(this.rerank(q, results, this.phraseLimit(results)), { parsed: q });
  };

  // Whether the query named an arXiv id or DOI no note has (then its words are searched).
  Index.prototype.idsMissed = function (q) {
    return q.stripped && !q.ids.some((t) => this.find(t));
  };

  // Loads what `query` needs and searches: term shards, then the text of the candidates
  // whose phrases are checked. The text of the results shown is loaded as they are shown.
  Index.prototype.searchLoading = async function (q) {
    await this.loadTerms(q);
    if (this.idsMissed(q)) {
      q = parseQuery(q.query, true);
      await this.loadTerms(q);
    }
    let results = this.candidates(q, this.keyedNotes(q));
    if (this.needsPhrase(q)) {
      const limit = this.phraseLimit(results);
      const ids = results.slice(0, limit).map((r) => r.doc);
      // The first candidate's text alone first: when it has the phrase it is the first result
      // whatever the others' texts say, shown while they load (all of them took 100–150 ms
      // at 50,000 notes). Then the rest, and the results in their final order (`settled`).
      // The rest are asked for at once when the first settles nothing, else in a later task
      // (laterTask): the settled results are shown first.
      const lead = this.loadDocs(ids.slice(0, 1));
      let askRest = null;
      const asked = new Promise((resolve) => (askRest = resolve));
      const final = asked.then(() => this.loadDocs(ids)).then(() => Object.assign(this.rerank(q, results, limit), { parsed: q }));
      final.catch(() => {}); // reported where it is awaited; a later query may never await it
      await lead;
      const sure = this.sharded ? this.settledPrefix(q, results, limit) : [];
      if (!sure.length) {
        askRest();
        return final;
      }
      laterTask().then(askRest);
      const { corrected, total, typed } = results;
      return Object.assign(sure, { corrected: corrected, sorted: sure.length, tail: null, total: total, typed: typed, parsed: q, settled: final });
    }
    return Object.assign(results, { parsed: q });
  };

  // Settles in a later task. What is asked for once the first result's text is in waits for
  // it: the first result is shown, and can be drawn, before up to twenty script tags are made
  // (at 50,000 notes those took 10 ms, in the turn that showed the first result).
  function laterTask() {
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  // ---- highlighting ------------------------------------------------------------------------

  const JOINER = /^[ \-\u2010]$/u;

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Pieces of a CJK run worth marking in this text: the longest substrings of two or more
  // characters it contains (the whole run when it is there), or the character of a 1-run.
  function cjkPieces(chars, text) {
    if (chars.length === 1) return text.includes(chars[0]) ? [chars[0]] : [];
    const pieces = [];
    let i = 0;
    while (i < chars.length - 1) {
      let j = chars.length;
      while (j - i >= 2 && !text.includes(chars.slice(i, j).join(""))) j--;
      if (j - i < 2) {
        i++;
        continue;
      }
      pieces.push(chars.slice(i, j).join(""));
      if (j === chars.length) break;
      i = text.includes(chars[j - 1] + chars[j]) ? j - 1 : j;
    }
    return pieces;
  }

  // A word unit in text: at a word start, hyphens allowed inside (the index joins
  // "GPT-3" into "gpt3" too), running on to the end of the word it is a prefix of.
  function wordPattern(unit) {
    if (!unit.pattern) {
      const body = unit.chars.map(escapeRegExp).join("[-\\u2010]?");
      unit.pattern = new RegExp("(?<!" + WORD + ")" + body + WORD + "*", "gu");
    }
    return unit.pattern;
  }

  // Matched [start, end) ranges in the original text of a normalised field, sorted; ranges
  // that touch or are one space or hyphen apart become one ("Few-Shot", "reward model").
  function matchRanges(field, units) {
    const spans = [];
    const text = field.text;
    for (const u of units) {
      if (u.kind === "word") {
        for (const m of text.matchAll(wordPattern(u))) spans.push([m.index, m.index + m[0].length]);
      } else {
        for (const piece of cjkPieces(u.chars, text)) {
          for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + 1)) {
            spans.push([at, at + piece.length]);
          }
        }
      }
    }
    const ranges = spans
      .filter(([s, e]) => e > s)
      .map(([s, e]) => [field.start[s], endOf(field, e - 1)])
      .sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged = [];
    const original = field.original;
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      const joins = last && (r[0] <= last[1] || (r[0] === last[1] + 1 && JOINER.test(original[last[1]])));
      if (joins) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    return merged;
  }

  // Display width of text[0:i] for every i, in half-width columns (CJK and other wide
  // characters count 2; the second half of a surrogate pair nothing).
  function widths(text) {
    const cum = new Int32Array(text.length + 1);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      cum[i + 1] = cum[i] + (c >= 0xdc00 && c <= 0xdfff ? 0 : c >= 0x1100 ? 2 : 1);
    }
    return cum;
  }

  // i, or i - 1 when i would cut a surrogate pair in two.
  function safeIndex(text, i) {
    const c = text.charCodeAt(i);
    return i > 0 && i < text.length && c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
  }

  const BREAK = /[\s,.;:!?，。；：！？、）)]/u;

  // {text, ranges, before, after}: a window of `text` around its densest cluster of matches
  // (the most distinct matched strings within SNIPPET_WIDTH columns), or its start.
  function snippet(text, ranges) {
    if (!text) return null;
    const cum = widths(text);
    let from = 0;
    if (ranges.length) {
      let best = -1, bestIndex = 0;
      for (let i = 0; i < ranges.length; i++) {
        const seen = new Set();
        for (let k = i; k < ranges.length && cum[ranges[k][1]] - cum[ranges[i][0]] <= SNIPPET_WIDTH; k++) {
          seen.add(text.slice(ranges[k][0], ranges[k][1]).toLowerCase());
        }
        if (seen.size > best) [best, bestIndex] = [seen.size, i];
      }
      // Some context before the match, starting after a space or punctuation when there is one.
      const first = ranges[bestIndex][0];
      from = first;
      while (from > 0 && cum[first] - cum[from] < SNIPPET_WIDTH / 5) from--;
      const cut = text.slice(from, first).search(BREAK);
      if (from > 0 && cut >= 0) from += cut + 1;
      from = safeIndex(text, from);
    }
    let to = from;
    while (to < text.length && cum[to] - cum[from] < SNIPPET_WIDTH) to++;
    to = safeIndex(text, to);
    return {
      text: text.slice(from, to),
      ranges: ranges
        .filter((r) => r[1] > from && r[0] < to)
        .map((r) => [Math.max(r[0], from) - from, Math.min(r[1], to) - from]),
      before: from > 0,
      after: to < text.length,
    };
  }

  // ---- the page ----------------------------------------------------------------------------

  function appendMarked(parent, text, ranges) {
    let pos = 0;
    for (const [s, e] of ranges) {
      if (s > pos) parent.append(text.slice(pos, s));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(s, e);
      parent.append(mark);
      pos = e;
    }
    if (pos < text.length) parent.append(text.slice(pos));
  }

  // Long author lists: the first three, plus any later author the query matched.
  function shownAuthors(authors, units) {
    const names = authors.split(", ");
    if (names.length <= 4) return authors;
    const hit = names.slice(3).filter((n) => matchRanges(normalizeMapped(n), units).length);
    return names.slice(0, 3).concat(hit.length ? ["…"] : [], hit, ["et al."]).join(", ");
  }

  function renderResult(index, result, q, root) {
    const doc = index.docs[result.doc];
    const fields = index.fieldsOf(result.doc);
    const li = document.createElement("li");
    li.className = "search-result";
    const heading = document.createElement("h2");
    heading.className = "search-result-title";
    const link = document.createElement("a");
    link.href = root + doc.path;
    appendMarked(link, doc.title, matchRanges(fields.title, q.units));
    heading.append(link);
    li.append(heading);

    const meta = document.createElement("p");
    meta.className = "search-result-meta";
    const when = doc.venue.includes(String(doc.year)) ? doc.venue : (doc.venue + " " + doc.year).trim();
    const line = [shownAuthors(doc.authors, q.units), when, doc.tags.join(", ")].filter(Boolean).join(" · ");
    appendMarked(meta, line, matchRanges(normalizeMapped(line), q.units));
    li.append(meta);

    let cut = null;
    for (const name of ["body", "abstract"]) {
      const ranges = matchRanges(fields[name], q.units);
      if (ranges.length) {
        cut = snippet(doc[name], ranges);
        break;
      }
    }
    cut = cut || snippet(doc.abstract, []) || snippet(doc.body, []);
    if (cut) {
      const p = document.createElement("p");
      p.className = "search-result-snippet";
      if (cut.before) p.append("…");
      appendMarked(p, cut.text, cut.ranges);
      if (cut.after) p.append("…");
      li.append(p);
    }
    return li;
  }

  // The search page's index, made as this script runs (the manifest's <script> came first),
  // and the term shards of the query in its URL asked for at once, not on DOMContentLoaded.
  function earlyIndex() {
    const data = window.PAPERNOTES_SEARCH;
    if (!data || data.format !== INDEX_FORMAT || !document.getElementById("search-results")) return null;
    const index = new Index(data, BASE);
    const query = new URLSearchParams(location.search).get("q");
    // A shard that fails is reported when the search itself asks for it (the same promise).
    if (query && index.sharded) index.loadTermShards(index.termShardsOf(parseQuery(query))).catch(() => {});
    index.lengthsReady();
    return index;
  }
  const early = earlyIndex();

  function init() {
    const form = document.getElementById("search-form");
    const list = document.getElementById("search-results");
    const status = document.getElementById("search-status");
    if (!form || !list || !status) return;
    const input = form.elements.namedItem("q");
    const data = window.PAPERNOTES_SEARCH;
    if (!data || data.format !== INDEX_FORMAT) {
      status.textContent = "The search index (static/search-index.js) is missing or out of date: rebuild the site.";
      return;
    }
    const index = early || new Index(data, BASE);
    const root = list.getAttribute("data-site-root") || "";
    const baseTitle = document.title;
    const more = document.createElement("button");
    more.type = "button";
    more.className = "search-more";
    more.hidden = true;
    list.after(more);
    let results = [], shown = 0, parsed = null, timer = 0, latest = 0, done = 0;

    // Shows the next PAGE results, each as soon as its stored text has arrived (in order: a
    // result waits for those above it, whose doc shards were asked for first).
    // `partial`: more results may yet come before these (a phrase check not settled): the
    // "Show more" button stays hidden until it is.
    async function showMore(ticket, count, partial) {
      const first = shown;
      if (shown + count > results.sorted) index.sortAll(results);
      const next = results.slice(shown, shown + count);
      // The first result's doc shard alone, then the rest: asked for together, twenty shards
      // arrive together, and the first result waited for all of them (50–150 ms at 50,000).
      const lead = next.length ? index.loadDocs([next[0].doc]) : Promise.resolve();
      const rest = lead.then(laterTask);
      const arriving = next.map((r, k) => (k === 0 ? lead : rest.then(() => index.loadDocs([r.doc]))));
      for (let k = 0; k < next.length; k++) {
        await arriving[k];
        if (ticket !== latest) return null; // a later search has taken the list over
        list.append(renderResult(index, next[k], parsed, root));
      }
      shown = Math.min(results.total, shown + next.length);
      more.hidden = partial || shown >= results.total;
      more.textContent = "Show more results (" + (results.total - shown) + " left)";
      return list.children[first];
    }

    async function run(query, remember) {
      const started = performance.now();
      const ticket = ++latest;
      const q = query.trim();
      const wanted = parseQuery(query);
      let found;
      try {
        found = await index.searchLoading(wanted);
      } catch (error) {
        status.textContent = "Part of the search index (" + error.message + ") is missing: rebuild the site.";
        return;
      }
      if (ticket !== latest) return; // a later keystroke's search has taken over
      // A forgiven typo: the words it was taken for are marked in the results too.
      parsed = found.corrected ? parseQuery(query + " " + found.corrected, true) : found.parsed;
      results = found;
      list.replaceChildren();
      shown = 0;
      more.hidden = true;
      try {
        if (found.settled) {
          // The phrase check settled the first results before reading every candidate's text:
          // those now, the rest of the page once it has (they come in the same order).
          await showMore(ticket, found.length, true);
          results = await found.settled;
          if (ticket !== latest) return;
        }
        await showMore(ticket, PAGE - shown);
      } catch (error) {
        status.textContent = "Part of the search index (" + error.message + ") is missing: rebuild the site.";
        return;
      }
      if (ticket !== latest) return;
      const count = (n) => n + (n === 1 ? " result" : " results");
      if (results.corrected) {
        // Typos forgiven: say for what, and whether the query as typed found anything.
        const typed = results.typed;
        status.textContent = typed
          ? count(typed) + " for “" + q + "”. Also showing results for “" + results.corrected + "”."
          : "Showing results for “" + results.corrected + "”: " + count(results.total) + " (none for “" + q + "”).";
      } else if (!parsed.units.length && !results.total) {
        status.textContent = q ? "Type letters or characters to search." : "Search " + index.count + " notes.";
      } else if (!results.total) {
        status.textContent = "No results for “" + q + "”.";
      } else {
        status.textContent = count(results.total) + " for “" + q + "”.";
      }
      status.setAttribute("data-ms", (performance.now() - started).toFixed(1));
      document.documentElement.dataset.pnSearch = String(++done);
      document.title = q ? q + " — " + baseTitle : baseTitle;
      if (remember) {
        const url = new URL(location.href);
        if (q) url.searchParams.set("q", q);
        else url.searchParams.delete("q");
        try {
          history.replaceState(null, "", url.href);
        } catch (e) {
          // file:// pages have an opaque origin; some browsers refuse to rewrite their URL.
        }
      }
    }

    function links() {
      return Array.from(list.querySelectorAll(".search-result-title a"));
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => run(input.value, true), 120);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      run(input.value, true).then(() => {
        const first = links()[0];
        if (first) first.focus();
      });
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && links().length) {
        event.preventDefault();
        links()[0].focus();
      }
    });
    list.addEventListener("keydown", (event) => {
      const all = links();
      const at = all.indexOf(document.activeElement);
      if (at < 0) return;
      if (event.key === "ArrowDown" && at + 1 < all.length) all[at + 1].focus();
      else if (event.key === "ArrowUp") (at > 0 ? all[at - 1] : input).focus();
      else if (event.key === "Escape") input.focus();
      else return;
      event.preventDefault();
    });
    more.addEventListener("click", () => {
      showMore(latest, PAGE).then((first) => {
        const link = first && first.querySelector("a");
        if (link) link.focus();
      });
    });
    input.value = new URLSearchParams(location.search).get("q") || "";
    run(input.value, false);
  }

  window.PapernotesSearch = {
    normalize: normalize,
    tokenize: tokenize,
    parseQuery: parseQuery,
    decodePostings: decodePostings,
    shardOf: shardOf,
    Index: Index,
  };
  // search.html loads this script after the form and the result list: it searches at once,
  // not on DOMContentLoaded, which at 50,000 notes came up to 200 ms after this script ran
  // (with the query's term shard often in already).
  if (document.readyState !== "loading" || early) init();
  else document.addEventListener("DOMContentLoaded", init);
})();
