/*!
 * dafu search: finds the replies whose text contains what was typed, from
 * the static index that `dafu build` writes to `search/`. No dependencies,
 * no build step, ES5 syntax; needs `Promise` (without it the page says so).
 *
 * Markup contract (the search page template provides it):
 *
 *   <form id="dafu-search" action="" method="get" role="search">
 *     <input id="dafu-search-q" name="q" type="search">
 *     <select id="dafu-search-year" name="year">               (optional)
 *       <option value="">全部年份</option></select>
 *     <select id="dafu-search-department" name="department">   (optional)
 *       <option value="">全部办理单位</option></select>
 *     <select id="dafu-search-result" name="result">           (optional)
 *       <option value="">全部办理结果</option></select>
 *     <button type="submit">搜索</button>
 *   </form>
 *   <p id="dafu-search-status" role="status" aria-live="polite"></p>
 *   <ol id="dafu-search-results"></ol>
 *   <nav id="dafu-search-pages" aria-label="分页"></nav>
 *   <noscript>…search needs JavaScript; links to the indexes…</noscript>
 *   <script src="{base}search.js" data-index="{base}search/"></script>
 *
 * `data-index` is the folder of the index (relative URLs are taken relative
 * to this script's own URL; without it, `search/` beside the script). The
 * status, results and pages elements are created after the form when absent.
 * The script fills a select that has only its empty option with the years
 * or departments of the archive. The page's URL carries the state:
 * `?q=…&year=2021&department=…&result=A&page=2`; selecting a filter submits the form.
 *
 * A result is `<li class="dafu-result">` with `a.dafu-result-title`,
 * `p.dafu-result-meta` (`span.dafu-result-number`, `span.dafu-result-department`,
 * `time.dafu-result-date`, the date as the lists give it), then, when a term
 * was found in a field not on that line, `p.dafu-result-field`
 * (`span.dafu-result-label`, `：`, the field), and `p.dafu-result-snippet`,
 * the sentence around the first match in the body (the body's start when
 * only the result line matched; none when only a field did); matches are
 * `<mark>`.
 * The results list gets `data-done` once every result of the page is shown
 * (also when there are none).
 *
 * For themes and tests: `window.dafuSearch(query)` returns a Promise of the
 * URLs of all matching replies, best first.
 *
 * Matching: the query is cut into terms at whitespace; a reply matches when
 * each term occurs in one piece of it as its page shows it (title, 文号,
 * department, each other field, each paragraph, list item, table cell and
 * heading of the body), after both are normalised by `normaliseCode` (the twin
 * of dafu's `search::normalise`): whitespace dropped, full-width ASCII folded,
 * ASCII lowercased. Ranking: title or 文号 matches first, then how often the
 * terms occur, then newest.
 */
(function () {
  'use strict';

  // Ten, as search engines show: each result fetches its own small data
  // file, so a page of ten keeps a query's first download small on a phone.
  var PER_PAGE = 10;
  var FORMAT = 5;
  // Bytes asked for first of a reply's data file: its data line, in all but
  // the longest, and the start of its body (dafu's `search::docs`).
  var DOC_HEAD = 1536;

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (all[i].getAttribute('data-index') !== null || /search\.js(\?|$)/.test(all[i].src)) {
        return all[i];
      }
    }
    return null;
  })();
  var scriptUrl = (script && script.src) || location.href;
  var indexUrl = resolve((script && script.getAttribute('data-index')) || 'search/', scriptUrl);
  if (indexUrl.charAt(indexUrl.length - 1) !== '/') {
    indexUrl += '/';
  }

  /** `rel` as an absolute URL, taken relative to `base`. */
  function resolve(rel, base) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) {
      return rel;
    }
    var origin = (/^[a-z][a-z0-9+.-]*:\/\/[^\/]*/i.exec(base) || [''])[0];
    if (rel.slice(0, 2) === '//') {
      return base.split(':')[0] + ':' + rel;
    }
    if (rel.charAt(0) === '/') {
      return origin + rel;
    }
    var dir = base.replace(/[?#].*$/, '').replace(/[^\/]*$/, '');
    var parts = (dir.slice(origin.length) + rel).split('/');
    var out = [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === '..') {
        if (out.length > 1) {
          out.pop();
        }
      } else if (parts[i] !== '.') {
        out.push(parts[i]);
      }
    }
    return origin + out.join('/');
  }

  // ---- Text: the same normalisation as the index ----

  /** The normalised code point, or -1 for a character that is not text. */
  function normaliseCode(cp) {
    if (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp === 0xad || cp === 0x1680 ||
        cp === 0x180e || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
        (cp >= 0x205f && cp <= 0x2064) || cp === 0x3000 || cp === 0xfeff) {
      return -1;
    }
    if (cp >= 0xff01 && cp <= 0xff5e) {
      cp -= 0xfee0;
    }
    if (cp >= 0x41 && cp <= 0x5a) {
      cp += 0x20;
    }
    return cp;
  }

  /** A unit of a body where one of its pieces ends: no term holds it. */
  var BREAK = -2;

  /**
   * A string's normalised units: `units[i]` a code point, `from[i]`/`to[i]`
   * where it was in the string (UTF-16 indexes), to highlight the original.
   * With `pieces`, each `\n` is a `BREAK`: a body's text ends each
   * paragraph, list item, table cell and heading with one, and the index
   * counts it as a unit, so no match spans two.
   */
  function normalise(s, pieces) {
    var units = [], from = [], to = [];
    for (var i = 0; i < s.length; i++) {
      var start = i;
      var cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        var lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      var n = pieces && cp === 10 ? BREAK : normaliseCode(cp);
      if (n !== -1) {
        units.push(n);
        from.push(start);
        to.push(i + 1);
      }
    }
    return { units: units, from: from, to: to };
  }

  /** The query's terms, each an array of normalised code points. */
  function terms(query) {
    var all = normaliseSplit(query);
    var out = [];
    for (var i = 0; i < all.length; i++) {
      if (all[i].length) {
        out.push(all[i]);
      }
    }
    return out;
  }

  function normaliseSplit(s) {
    var out = [[]];
    for (var i = 0; i < s.length; i++) {
      var cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        var lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      var n = normaliseCode(cp);
      if (n < 0) {
        out.push([]);
      } else {
        out[out.length - 1].push(n);
      }
    }
    return out;
  }

  function utf8(cps) {
    var b = [];
    for (var i = 0; i < cps.length; i++) {
      var c = cps[i];
      if (c < 0x80) {
        b.push(c);
      } else if (c < 0x800) {
        b.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      } else if (c < 0x10000) {
        b.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      } else {
        b.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
    }
    return b;
  }

  /** Where `term` first occurs in `units` at or after `from`, or -1. */
  function indexOfUnits(units, term, from) {
    outer:
    for (var i = from || 0; i + term.length <= units.length; i++) {
      for (var j = 0; j < term.length; j++) {
        if (units[i + j] !== term[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---- Hashing: the twin of dafu's `search::hash` ----

  function imul(a, b) {
    var ah = (a >>> 16) & 0xffff, al = a & 0xffff;
    var bh = (b >>> 16) & 0xffff, bl = b & 0xffff;
    return ((al * bl) + (((ah * bl + al * bh) << 16) >>> 0)) | 0;
  }

  function gramHash(cps) {
    var h = 0x811c9dc5 | 0;
    for (var i = 0; i < cps.length; i++) {
      h ^= cps[i];
      h = imul(h, 0x01000193);
    }
    h ^= h >>> 16;
    h = imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  // ---- Fetching, each file or part of a file once a page ----
  //
  // Shards are packed a few dozen to a file, and a reply's data file holds
  // the rest of its body after its data line: a part is fetched with a range
  // request. A server that ignores ranges sends the whole file, which is
  // kept for the file's other parts: search still works, with more bytes.

  var cache = {};
  // Promises of whole files a server sent when asked for a part.
  var wholeFiles = {};

  function load(path, kind) {
    if (!cache[path]) {
      cache[path] = new Promise(function (resolveLoad, reject) {
        var xhr = new XMLHttpRequest();
        xhr.open('GET', indexUrl + path, true);
        if (kind === 'bin') {
          xhr.responseType = 'arraybuffer';
        } else if (xhr.overrideMimeType) {
          xhr.overrideMimeType('text/plain; charset=utf-8');
        }
        xhr.onload = function () {
          if (xhr.status !== 200 && !(xhr.status === 0 && xhr.response)) {
            reject(new Error(path + ': HTTP ' + xhr.status));
            return;
          }
          try {
            if (kind === 'bin') {
              resolveLoad(new Uint8Array(xhr.response || new ArrayBuffer(0)));
            } else if (kind === 'json') {
              resolveLoad(JSON.parse(xhr.responseText));
            } else {
              resolveLoad(xhr.responseText);
            }
          } catch (e) {
            reject(e);
          }
        };
        xhr.onerror = function () {
          reject(new Error(path + ': network error'));
        };
        xhr.send();
      });
      cache[path]['catch'](function () {
        delete cache[path];
      });
    }
    return cache[path];
  }

  /** Bytes `from` to `to` (exclusive) of the file at `path`, or those of them it has. */
  function loadPart(path, from, to) {
    if (to <= from) {
      return Promise.resolve(new Uint8Array(0));
    }
    if (wholeFiles[path]) {
      return wholeFiles[path].then(function (all) {
        return all.subarray(from, Math.min(to, all.length));
      });
    }
    var key = path + '#' + from + '-' + to;
    if (!cache[key]) {
      cache[key] = new Promise(function (resolveLoad, reject) {
        var xhr = new XMLHttpRequest();
        xhr.open('GET', indexUrl + path, true);
        xhr.setRequestHeader('Range', 'bytes=' + from + '-' + (to - 1));
        xhr.responseType = 'arraybuffer';
        xhr.onload = function () {
          var bytes = new Uint8Array(xhr.response || new ArrayBuffer(0));
          if (xhr.status === 206) {
            resolveLoad(bytes.subarray(0, to - from));
          } else if (xhr.status === 200 || (xhr.status === 0 && xhr.response)) {
            wholeFiles[path] = Promise.resolve(bytes);
            resolveLoad(bytes.subarray(from, Math.min(to, bytes.length)));
          } else {
            reject(new Error(path + ': HTTP ' + xhr.status));
          }
        };
        xhr.onerror = function () {
          reject(new Error(path + ': network error'));
        };
        xhr.send();
      });
      cache[key]['catch'](function () {
        delete cache[key];
      });
    }
    return cache[key];
  }

  function concat(a, b) {
    var both = new Uint8Array(a.length + b.length);
    both.set(a, 0);
    both.set(b, a.length);
    return both;
  }

  function utf8Decode(bytes) {
    if (window.TextDecoder) {
      return new window.TextDecoder('utf-8').decode(bytes);
    }
    var s = '';
    for (var i = 0; i < bytes.length; i += 4096) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096));
    }
    return decodeURIComponent(escape(s));
  }

  var manifest = null;
  function loadManifest() {
    if (!manifest) {
      manifest = load('index.json', 'json').then(function (m) {
        if (m.format !== FORMAT) {
          throw new Error('index format ' + m.format + ', script expects ' + FORMAT);
        }
        m.digits = Math.max(1, (m.shards / m.pack - 1).toString(16).length);
        return m;
      });
    }
    return manifest;
  }

  /**
   * The shard of `folder` (`g` or `p`) that holds gram `cps`: part of a pack
   * (dafu's `search::shards::pack`), a header of little-endian offsets,
   * then the shards.
   */
  function shardOf(m, folder, cps) {
    var shard = gramHash(cps) & (m.shards - 1);
    var s = Math.floor(shard / m.pack).toString(16);
    while (s.length < m.digits) {
      s = '0' + s;
    }
    var path = folder + '/' + s + '.bin';
    var at = 4 * (shard % m.pack);
    return loadPart(path, at, at + 8).then(function (h) {
      if (h.length < 8) {
        throw new Error(path + ': truncated index file');
      }
      return loadPart(path, word(h, 0), word(h, 4));
    });
  }

  function word(bytes, at) {
    return (bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16) + bytes[at + 3] * 16777216;
  }

  // ---- Reading shards (formats in dafu's `search::postings`) ----

  function varint(r) {
    var v = 0, mul = 1, b;
    do {
      if (r.at >= r.bytes.length) {
        throw new Error('truncated index file');
      }
      b = r.bytes[r.at++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b >= 0x80);
    return v;
  }

  /** The payload of the entry keyed `key` (bytes), as a reader, or null. */
  function findEntry(bytes, key) {
    var r = { bytes: bytes, at: 0 };
    while (r.at < bytes.length) {
      var klen = varint(r);
      var match = klen === key.length;
      for (var i = 0; match && i < klen; i++) {
        match = bytes[r.at + i] === key[i];
      }
      r.at += klen;
      var plen = varint(r);
      if (match) {
        return { bytes: bytes, at: r.at, end: r.at + plen };
      }
      r.at += plen;
    }
    return null;
  }

  function readDocset(r, ids, scores, score) {
    var head = varint(r);
    var n = Math.floor(head / 2);
    if (!n) {
      return;
    }
    var first = varint(r);
    if (head % 2) {
      var len = varint(r);
      for (var k = 0; k < len; k++) {
        var b = r.bytes[r.at + k];
        for (var j = 0; b && j < 8; j++) {
          if (b & (1 << j)) {
            var id = first + k * 8 + j;
            ids.push(id);
            scores[id] = score;
          }
        }
      }
      r.at += len;
    } else {
      var last = first;
      ids.push(first);
      scores[first] = score;
      for (var i = 1; i < n; i++) {
        last += varint(r) + 1;
        ids.push(last);
        scores[last] = score;
      }
    }
  }

  /**
   * The replies holding `gram`: `{ ids: ascending, scores: id → 0..7 }`, or
   * null when no reply does.
   */
  function gramEntry(m, gram) {
    return shardOf(m, 'g', gram).then(function (bytes) {
      var r = findEntry(bytes, utf8(gram));
      if (!r) {
        return null;
      }
      var posLen = gram.length === m.gram ? varint(r) : 0;
      var mask = r.bytes[r.at++];
      var ids = [], scores = {};
      for (var t = 0; t < 8; t++) {
        if (mask & (1 << t)) {
          readDocset(r, ids, scores, 7 - t);
        }
      }
      ids.sort(function (a, b) { return a - b; });
      return { ids: ids, scores: scores, posLen: posLen };
    });
  }

  /**
   * Positions of `gram` in the replies `want` (a set): id → array. Each
   * reply's block is `varint(count << 5 | k)` then Rice-coded gaps, padded to
   * a byte (dafu's `search::positions`).
   */
  function gramPositions(m, gram, entry, want) {
    return shardOf(m, 'p', gram).then(function (bytes) {
      var r = findEntry(bytes, utf8(gram));
      var out = {};
      if (!r) {
        return out;
      }
      for (var i = 0; i < entry.ids.length; i++) {
        var head = varint(r);
        var count = Math.floor(head / 32), k = head % 32;
        var keep = want[entry.ids[i]];
        var bit = r.at * 8;
        if (keep) {
          var list = [], p = -1;
          for (var c = 0; c < count; c++) {
            var q = 0;
            while ((bytes[bit >> 3] >> (bit & 7)) & 1) {
              q++;
              bit++;
            }
            bit++;
            var low = 0;
            for (var b = 0; b < k; b++, bit++) {
              low += ((bytes[bit >> 3] >> (bit & 7)) & 1) * Math.pow(2, b);
            }
            p += q * Math.pow(2, k) + low + 1;
            list.push(p);
          }
          out[entry.ids[i]] = list;
        } else {
          // Skip: count the closing zeros of the unary parts, k bits after each.
          for (c = 0; c < count; c++) {
            while ((bytes[bit >> 3] >> (bit & 7)) & 1) {
              bit++;
            }
            bit += 1 + k;
          }
        }
        r.at = (bit + 7) >> 3;
      }
      return out;
    });
  }

  function classOf(count) {
    return count >= 8 ? 3 : count >= 4 ? 2 : count >= 2 ? 1 : 0;
  }

  /**
   * One term's replies: `{ ids, scores }`. Up to `gram` characters it is one
   * list; a longer term intersects the lists of 4-grams covering it, then
   * keeps the replies where their positions line up.
   */
  function searchTerm(m, term) {
    var n = m.gram;
    if (term.length <= n) {
      return gramEntry(m, term).then(function (e) {
        return e || { ids: [], scores: {} };
      });
    }
    var offsets = [];
    for (var o = 0; o + n < term.length; o += n) {
      offsets.push(o);
    }
    offsets.push(term.length - n);
    var grams = [];
    for (var i = 0; i < offsets.length; i++) {
      grams.push(term.slice(offsets[i], offsets[i] + n));
    }
    return Promise.all(map(grams, function (g) { return gramEntry(m, g); })).then(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (!entries[i]) {
          return { ids: [], scores: {} };
        }
      }
      var candidates = entries[0].ids;
      for (i = 1; i < entries.length; i++) {
        candidates = filter(candidates, hasIn(entries[i].scores));
      }
      if (!candidates.length) {
        return { ids: [], scores: {} };
      }
      var want = {};
      for (i = 0; i < candidates.length; i++) {
        want[candidates[i]] = true;
      }
      return Promise.all(map(grams, function (g, k) {
        return gramPositions(m, g, entries[k], want);
      })).then(function (positions) {
        var ids = [], scores = {}, at = {};
        for (var c = 0; c < candidates.length; c++) {
          var id = candidates[c];
          var starts = positions[0][id] || [];
          var count = 0, head = false;
          var cursor = [];
          for (var k = 0; k < offsets.length; k++) {
            cursor.push(0);
          }
          for (var s = 0; s < starts.length; s++) {
            var p = starts[s], all = true;
            for (k = 1; k < offsets.length && all; k++) {
              var list = positions[k][id] || [];
              var want2 = p + offsets[k];
              while (cursor[k] < list.length && list[cursor[k]] < want2) {
                cursor[k]++;
              }
              all = cursor[k] < list.length && list[cursor[k]] === want2;
            }
            if (all) {
              (at[id] = at[id] || []).push(p);
              count++;
              head = head || p < m.head;
            }
          }
          if (count) {
            ids.push(id);
            scores[id] = (head ? 4 : 0) + classOf(count);
          }
        }
        return { ids: ids, scores: scores, at: at };
      });
    });
  }

  function map(a, f) {
    var out = [];
    for (var i = 0; i < a.length; i++) {
      out.push(f(a[i], i));
    }
    return out;
  }

  function filter(a, f) {
    var out = [];
    for (var i = 0; i < a.length; i++) {
      if (f(a[i])) {
        out.push(a[i]);
      }
    }
    return out;
  }

  function hasIn(set) {
    return function (id) {
      return set.hasOwnProperty(id);
    };
  }

  /**
   * All replies matching `query`, best first: `{ ids, at }`, `at` mapping
   * an id to the positions where a long term was found in it, when one was.
   */
  function run(query) {
    var ts = terms(query);
    if (!ts.length) {
      return Promise.resolve({ ids: [], at: {} });
    }
    return loadManifest().then(function (m) {
      return Promise.all(map(ts, function (t) { return searchTerm(m, t); }));
    }).then(function (results) {
      var at = {};
      for (var r = 0; r < results.length; r++) {
        for (var id in results[r].at || {}) {
          if (results[r].at.hasOwnProperty(id) && !at.hasOwnProperty(id)) {
            at[id] = results[r].at[id];
          }
        }
      }
      results.sort(function (a, b) { return a.ids.length - b.ids.length; });
      var ids = results[0].ids, total = {};
      for (var i = 0; i < ids.length; i++) {
        total[ids[i]] = results[0].scores[ids[i]];
      }
      for (var k = 1; k < results.length; k++) {
        ids = filter(ids, hasIn(results[k].scores));
        for (i = 0; i < ids.length; i++) {
          total[ids[i]] += results[k].scores[ids[i]];
        }
      }
      ids.sort(function (a, b) { return total[b] - total[a] || a - b; });
      return { ids: ids, at: at };
    });
  }

  function urlsOf(ids) {
    return loadManifest().then(function (m) {
      var buckets = [], seen = {};
      for (var i = 0; i < ids.length; i++) {
        var b = Math.floor(ids[i] / m.urls);
        if (!seen[b]) {
          seen[b] = true;
          buckets.push(b);
        }
      }
      return Promise.all(map(buckets, function (b) { return load('u/' + b + '.json', 'json'); }))
        .then(function (lists) {
          var byBucket = {};
          for (var i = 0; i < buckets.length; i++) {
            byBucket[buckets[i]] = lists[i];
          }
          return map(ids, function (id) { return byBucket[Math.floor(id / m.urls)][id % m.urls]; });
        });
    });
  }

  // ---- Without Promise there is no search; say so ----

  if (typeof Promise === 'undefined' || typeof XMLHttpRequest === 'undefined') {
    whenReady(function () {
      var status = document.getElementById('dafu-search-status');
      if (status) {
        status.appendChild(document.createTextNode(
          '此浏览器无法运行站内搜索。请使用较新的浏览器，或按年份、办理单位浏览答复。'));
      }
    });
    return;
  }

  window.dafuSearch = function (query) {
    return run(String(query || '')).then(function (r) { return urlsOf(r.ids); });
  };

  // ---- The search page ----

  function whenReady(f) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', f);
    } else {
      f();
    }
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function element(tag, className, text) {
    var e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text) {
      e.appendChild(document.createTextNode(text));
    }
    return e;
  }

  function ensure(id, tag, after) {
    var e = byId(id);
    if (!e) {
      e = document.createElement(tag);
      e.id = id;
      after.parentNode.insertBefore(e, after.nextSibling);
    }
    return e;
  }

  function params() {
    var out = { q: '', year: '', department: '', result: '', page: 1 };
    var pairs = location.search.replace(/^\?/, '').split('&');
    for (var i = 0; i < pairs.length; i++) {
      var kv = pairs[i].split('=');
      var k = decode(kv[0]);
      if (out.hasOwnProperty(k)) {
        out[k] = decode(kv.slice(1).join('='));
      }
    }
    out.page = Math.max(1, parseInt(out.page, 10) || 1);
    return out;
  }

  function decode(s) {
    try {
      return decodeURIComponent((s || '').replace(/\+/g, ' '));
    } catch (e) {
      return '';
    }
  }

  function pageHref(state, page) {
    var q = '?q=' + encodeURIComponent(state.q);
    if (state.year) {
      q += '&year=' + encodeURIComponent(state.year);
    }
    if (state.department) {
      q += '&department=' + encodeURIComponent(state.department);
    }
    if (state.result) {
      q += '&result=' + encodeURIComponent(state.result);
    }
    if (page > 1) {
      q += '&page=' + page;
    }
    return location.pathname + q;
  }

  function fillSelect(select, values, current) {
    if (!select) {
      return;
    }
    if (select.options.length <= 1) {
      for (var i = 0; i < values.length; i++) {
        var o = document.createElement('option');
        o.value = String(values[i]);
        o.appendChild(document.createTextNode(String(values[i])));
        select.appendChild(o);
      }
    }
    select.value = current;
    // A value it lacks leaves a select blank: show 全部, as filtered.
    if (select.selectedIndex < 0) {
      select.selectedIndex = 0;
    }
  }

  function setText(e, text) {
    while (e.firstChild) {
      e.removeChild(e.firstChild);
    }
    if (text) {
      e.appendChild(document.createTextNode(text));
    }
  }

  /** Appends `text` to `parent`, with the spans `marks` ([from, to)) in <mark>. */
  function appendMarked(parent, text, marks) {
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var at = 0;
    for (var i = 0; i < marks.length; i++) {
      if (marks[i][0] < at) {
        continue;
      }
      if (marks[i][0] > at) {
        parent.appendChild(document.createTextNode(text.slice(at, marks[i][0])));
      }
      parent.appendChild(element('mark', '', text.slice(marks[i][0], marks[i][1])));
      at = marks[i][1];
    }
    if (at < text.length) {
      parent.appendChild(document.createTextNode(text.slice(at)));
    }
  }

  /** The spans of `text` (UTF-16, [from, to)) where any term occurs. */
  function matchesIn(norm, ts, lo, hi) {
    var out = [];
    for (var t = 0; t < ts.length; t++) {
      var at = indexOfUnits(norm.units, ts[t], lo);
      while (at >= 0 && at + ts[t].length <= hi) {
        out.push([norm.from[at], norm.to[at + ts[t].length - 1]]);
        at = indexOfUnits(norm.units, ts[t], at + ts[t].length);
      }
    }
    return out;
  }

  function firstMatch(norm, ts) {
    var best = -1, len = 0;
    for (var t = 0; t < ts.length; t++) {
      var at = indexOfUnits(norm.units, ts[t], 0);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        len = ts[t].length;
      }
    }
    return best < 0 ? null : { at: best, len: len };
  }

  /** Whether a unit ends a sentence: 。！？； and their ASCII forms. */
  function endsSentence(u) {
    return u === 0x3002 || u === 0xff01 || u === 0xff1f || u === 0xff1b ||
      u === 0x21 || u === 0x3f || u === 0x3b;
  }

  /**
   * The span of units `[lo, hi)` a snippet shows of `norm` for `match`: the
   * sentence around it, within the one piece that holds it (a paragraph,
   * list item or table cell, never two), at most about a hundred units.
   * Without a match, the start of the first piece.
   */
  function snippetSpan(norm, match) {
    var u = norm.units, at = match ? match.at : 0, end = match ? at + match.len : 0;
    var first = at, last = end;
    while (first > 0 && u[first - 1] !== BREAK) {
      first--;
    }
    while (last < u.length && u[last] !== BREAK) {
      last++;
    }
    var lo = at, hi = Math.max(end, at);
    while (lo > first && at - lo < 40 && !endsSentence(u[lo - 1])) {
      lo--;
    }
    if (lo > first && !endsSentence(u[lo - 1])) {
      lo = Math.max(first, at - 20);
    }
    while (hi < last && hi - end < 70 && !endsSentence(u[hi - 1])) {
      hi++;
    }
    return { lo: lo, hi: hi, cutBefore: lo > first && !endsSentence(u[lo - 1]),
      cutAfter: hi < last && !endsSentence(u[hi - 1]) };
  }

  /** A snippet element: the sentence around `match` in `text`, marked. */
  function snippet(text, ts, match) {
    var norm = normalise(text, true);
    var p = element('p', 'dafu-result-snippet');
    if (!norm.units.length) {
      return p;
    }
    var span = snippetSpan(norm, match);
    if (span.hi <= span.lo) {
      return p;
    }
    var from = norm.from[span.lo], to = norm.to[span.hi - 1];
    var piece = text.slice(from, to);
    var marks = map(matchesIn(norm, ts, span.lo, span.hi), function (s) { return [s[0] - from, s[1] - from]; });
    if (span.cutBefore) {
      p.appendChild(document.createTextNode('…'));
    }
    appendMarked(p, piece, marks);
    if (span.cutAfter) {
      p.appendChild(document.createTextNode('…'));
    }
    return p;
  }

  /** A field the result matched, as its page shows it: `label：text`, marked. */
  function fieldLine(label, text, ts) {
    var p = element('p', 'dafu-result-field');
    p.appendChild(element('span', 'dafu-result-label', label));
    p.appendChild(document.createTextNode('：'));
    appendMarked(p, text, matchesIn(normalise(text), ts, 0, Infinity));
    return p;
  }

  /** Where the body starts in the reply's units: after every field and break. */
  function bodyStart(doc) {
    var at = normalise(doc.t).units.length + 1 + normalise(doc.n || '').units.length + 1;
    for (var i = 0; i < doc.f.length; i++) {
      at += normalise(doc.f[i]).units.length + 1;
    }
    return at;
  }

  /**
   * Reply `id`'s data: its data file's first line, JSON, whose `z` are the
   * byte lengths of its body's pieces, which follow it in the file.
   */
  function loadDoc(m, id) {
    var path = 'd/' + Math.floor(id / m.folder) + '/' + id + '.bin';
    function line(bytes) {
      for (var i = 0; i < bytes.length; i++) {
        if (bytes[i] === 10) {
          var doc = JSON.parse(utf8Decode(bytes.subarray(0, i)));
          doc.k = doc.z.length;
          doc.path = path;
          doc.start = i + 1;
          doc.have = bytes;
          return doc;
        }
      }
      return loadPart(path, bytes.length, bytes.length + DOC_HEAD).then(function (more) {
        if (!more.length) {
          throw new Error(path + ': truncated data file');
        }
        return line(concat(bytes, more));
      });
    }
    return loadPart(path, 0, DOC_HEAD).then(line);
  }

  /** Piece `k` (from 1) of a reply's body, inflated, with what its first request brought. */
  function loadPiece(doc, k) {
    var from = doc.start;
    for (var i = 0; i < k - 1; i++) {
      from += doc.z[i];
    }
    var to = from + doc.z[k - 1];
    var have = doc.have;
    var part = to <= have.length ? Promise.resolve(have.subarray(from, to)) :
      from < have.length ? loadPart(doc.path, have.length, to).then(function (rest) {
        return concat(have.subarray(from), rest);
      }) : loadPart(doc.path, from, to);
    return part.then(inflate).then(utf8Decode);
  }

  /**
   * Whether this browser reads raw deflate, as the pieces of a body after
   * its data line are stored; where it does not, a result shows the start
   * of its body instead of the sentence that matched.
   */
  var canInflate = (function () {
    try {
      return typeof DecompressionStream === 'function' && !!new DecompressionStream('deflate-raw');
    } catch (e) {
      return false;
    }
  })();

  function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      return new Uint8Array(buffer);
    });
  }

  /**
   * What reply `id` shows under its result line: the first field not on
   * that line that a term matched, with its label; and the sentence around
   * the first match in the body. The body's first part is in the data file;
   * the rest is fetched piece by piece when a term was found nowhere on the
   * result line, straight at the right piece when a long term's positions
   * are known (`at`). A reply found by its title, 文号 or department alone,
   * or in a browser that cannot inflate the pieces, shows the start of its
   * body instead, fetching nothing more; one found by a field alone shows
   * the field alone.
   */
  function snippetsOf(m, id, doc, ts, at) {
    var shown = [];
    for (var i = 1; i < doc.f.length && !shown.length; i++) {
      if (firstMatch(normalise(doc.f[i]), ts)) {
        shown.push(fieldLine((doc.l && doc.l[i]) || '', doc.f[i], ts));
      }
    }
    var lead = firstMatch(normalise(doc.b, true), ts);
    var visible = firstMatch(normalise(doc.t), ts) || firstMatch(normalise(doc.n || ''), ts) ||
      firstMatch(normalise(doc.f[0] || ''), ts);
    if (lead || visible || !doc.k || !canInflate) {
      if (lead || !shown.length) {
        shown.push(snippet(doc.b, ts, lead));
      }
      return Promise.resolve(shown);
    }
    var first = 1;
    var start = m.head + bodyStart(doc);
    for (i = 0; at && i < at.length; i++) {
      if (at[i] >= start) {
        var unit = at[i] - start;
        first = unit < m.lead ? 1 : Math.min(doc.k, 1 + Math.floor((unit - m.lead) / m.piece));
        break;
      }
    }
    var body = first === 1 ? doc.b : '';
    function tryPiece(k) {
      return loadPiece(doc, k).then(function (more) {
        body += more;
        var found = firstMatch(normalise(body, true), ts);
        if (found || k >= doc.k) {
          if (found || !shown.length) {
            shown.push(found ? snippet(body, ts, found) : snippet(doc.b, ts, null));
          }
          return shown;
        }
        return tryPiece(k + 1);
      });
    }
    return tryPiece(first);
  }

  function renderResult(m, li, id, doc, ts, at) {
    var title = element('a', 'dafu-result-title');
    title.href = doc.u;
    appendMarked(title, doc.t, matchesIn(normalise(doc.t), ts, 0, Infinity));
    var meta = element('p', 'dafu-result-meta');
    if (doc.n) {
      var num = element('span', 'dafu-result-number');
      appendMarked(num, doc.n, matchesIn(normalise(doc.n), ts, 0, Infinity));
      meta.appendChild(num);
      meta.appendChild(document.createTextNode(' '));
    }
    var dept = element('span', 'dafu-result-department');
    appendMarked(dept, doc.f[0] || '', matchesIn(normalise(doc.f[0] || ''), ts, 0, Infinity));
    meta.appendChild(dept);
    meta.appendChild(document.createTextNode(' '));
    // As the lists show it (2020年11月2日), with the ISO date for machines.
    var time = element('time', 'dafu-result-date', doc.a);
    time.setAttribute('datetime', doc.i || doc.a);
    meta.appendChild(time);
    li.appendChild(title);
    li.appendChild(meta);
    return snippetsOf(m, id, doc, ts, at).then(function (shown) {
      for (var i = 0; i < shown.length; i++) {
        li.appendChild(shown[i]);
      }
    });
  }

  function renderPages(nav, state, pages) {
    setText(nav, '');
    if (pages <= 1) {
      return;
    }
    function link(page, text, rel) {
      var a = element('a', '', text);
      a.href = pageHref(state, page);
      if (rel) {
        a.setAttribute('rel', rel);
      }
      if (page === state.page) {
        a.setAttribute('aria-current', 'page');
      }
      nav.appendChild(a);
      nav.appendChild(document.createTextNode(' '));
    }
    if (state.page > 1) {
      link(state.page - 1, '上一页', 'prev');
    }
    var lo = Math.max(1, state.page - 4), hi = Math.min(pages, lo + 9);
    for (var p = lo; p <= hi; p++) {
      link(p, String(p));
    }
    if (state.page < pages) {
      link(state.page + 1, '下一页', 'next');
    }
  }

  /** Keeps the ids whose year, department and result class are the chosen ones. */
  function applyFilters(m, ids, state) {
    if (!state.year && !state.department && !state.result) {
      return Promise.resolve(ids);
    }
    return load('facets.bin', 'bin').then(function (f) {
      var year = -1, dept = -1, i;
      for (i = 0; i < m.years.length; i++) {
        if (String(m.years[i]) === state.year) {
          year = i;
        }
      }
      for (i = 0; i < m.departments.length; i++) {
        if (m.departments[i] === state.department) {
          dept = i;
        }
      }
      // After the years' bytes and the departments' pairs, a byte per
      // reply: 0 for no class, else 1 + its index in m.results.
      var result = -1, results = m.results || [];
      for (i = 0; i < results.length; i++) {
        if (results[i] === state.result) {
          result = i + 1;
        }
      }
      // A year or department the archive does not have (an old or edited
      // link) is no filter: the selects show 全部, and so do the results.
      var byYear = year >= 0, byDept = dept >= 0, byResult = result > 0;
      return filter(ids, function (id) {
        var d = f[m.docs + 2 * id] + 256 * f[m.docs + 2 * id + 1];
        return (!byYear || f[id] === year) && (!byDept || d === dept) &&
          (!byResult || f[3 * m.docs + id] === result);
      });
    });
  }

  var generation = 0;

  function show(state, ui) {
    var mine = ++generation;
    ui.input.value = state.q;
    ui.results.removeAttribute('data-done');
    setText(ui.results, '');
    setText(ui.pages, '');
    loadManifest().then(function (m) {
      fillSelect(ui.year, m.years, state.year);
      fillSelect(ui.department, m.departments, state.department);
      fillSelect(ui.result, m.results || [], state.result);
    })['catch'](function () {});
    var ts = terms(state.q);
    if (!ts.length) {
      setText(ui.status, '');
      return;
    }
    setText(ui.status, '正在搜索…');
    var total = 0, m, found;
    loadManifest().then(function (manifest) {
      m = manifest;
      return run(state.q);
    }).then(function (r) {
      found = r;
      return applyFilters(m, r.ids, state);
    }).then(function (ids) {
      if (mine !== generation) {
        return;
      }
      total = ids.length;
      var pages = Math.ceil(total / PER_PAGE);
      var page = Math.min(state.page, Math.max(1, pages));
      var shown = ids.slice((page - 1) * PER_PAGE, page * PER_PAGE);
      setText(ui.status, total ? '找到 ' + total + ' 条答复' + (pages > 1 ? '，第 ' + page + '/' + pages + ' 页' : '') :
        '没有找到包含“' + state.q + '”的答复');
      renderPages(ui.pages, { q: state.q, year: state.year, department: state.department, result: state.result, page: page }, pages);
      ui.results.setAttribute('start', String((page - 1) * PER_PAGE + 1));
      var items = map(shown, function (id) {
        var li = element('li', 'dafu-result');
        ui.results.appendChild(li);
        return loadDoc(m, id).then(function (doc) {
          return mine === generation ? renderResult(m, li, id, doc, ts, found.at[id]) : null;
        });
      });
      return Promise.all(items);
    }).then(function () {
      if (mine === generation) {
        ui.results.setAttribute('data-done', 'true');
      }
    }, function (e) {
      if (mine === generation) {
        setText(ui.status, '搜索出错：' + (e && e.message ? e.message : String(e)));
      }
    });
  }

  whenReady(function () {
    var form = byId('dafu-search');
    var input = byId('dafu-search-q') || (form && form.elements.q);
    if (!form || !input) {
      return;
    }
    var status = ensure('dafu-search-status', 'p', form);
    if (!status.getAttribute('role')) {
      status.setAttribute('role', 'status');
      status.setAttribute('aria-live', 'polite');
    }
    var results = ensure('dafu-search-results', 'ol', status);
    var ui = {
      form: form,
      input: input,
      year: byId('dafu-search-year'),
      department: byId('dafu-search-department'),
      result: byId('dafu-search-result'),
      status: status,
      results: results,
      pages: ensure('dafu-search-pages', 'nav', results)
    };
    function fromForm() {
      return {
        q: input.value,
        year: ui.year ? ui.year.value : '',
        department: ui.department ? ui.department.value : '',
        result: ui.result ? ui.result.value : '',
        page: 1
      };
    }
    var canPush = !!(window.history && history.pushState);
    form.addEventListener('submit', function (e) {
      if (!canPush) {
        return;
      }
      e.preventDefault();
      var state = fromForm();
      history.pushState(null, '', pageHref(state, 1));
      show(state, ui);
    });
    var selects = [ui.year, ui.department, ui.result];
    for (var i = 0; i < selects.length; i++) {
      if (selects[i]) {
        selects[i].addEventListener('change', function () {
          if (canPush) {
            var state = fromForm();
            history.pushState(null, '', pageHref(state, 1));
            show(state, ui);
          } else {
            form.submit();
          }
        });
      }
    }
    window.addEventListener('popstate', function () {
      show(params(), ui);
    });
    show(params(), ui);
  });
})();
