/*! prefdyn embed.js: turns <div data-prefdyn="v=2&alpha=0.95"> into a lazy, self-sizing
 * prefdyn frame and drives it by postMessage (README, "The embed script"). No dependencies,
 * no network but the frames and their posters; it never throws on the host page. */
(function () {
  'use strict';
  var w = window, d = document;
  if (!w.postMessage || !d.querySelectorAll || !w.WeakSet) return;
  var ACTIVE = 'prefdyn-step-active';
  var own = Object.getOwnPropertyDescriptor(w, 'prefdyn');
  // A copy of this script that ran before owns the embeds: let it scan.
  var prev = w.prefdynEmbeds || (own && own.value);
  if (prev && prev.embeds && typeof prev.scan === 'function') return ready(function () { prev.scan(); });
  // Captured now: currentScript is null once this script has run.
  var me = d.currentScript, src = me && me.src;
  if (!src) {
    var all = d.querySelectorAll('script[src]');
    for (var i = 0; i < all.length; i++) if (/(^|\/)embed\.js([?#]|$)/.test(all[i].src)) src = all[i].src;
  }
  var BASE = (src || location.href).replace(/[?#].*$/, '').replace(/[^/]*$/, '');
  var embeds = [], seen = new WeakSet(), band = null, tick = 0;
  var api = { embeds: embeds, scan: scan, get: get, version: '1' };
  w.prefdynEmbeds = api;
  // The playground's own `window.prefdyn` (a page that is also an embed) is left alone.
  if (!own) w.prefdyn = api;
  addEventListener('message', receive);
  ready(scan);

  function ready(f) {
    if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', f);
    else f();
  }
  function clean(q) {
    return String(q == null ? '' : q).trim().replace(/^[?&]+/, '').replace(/&+$/, '');
  }
  function has(q, key) {
    return q.split('&').some(function (p) {
      var k = p.split('=')[0];
      try { k = decodeURIComponent(k); } catch (e) { /* kept as written */ }
      return k === key;
    });
  }
  function join(q, pair) { return q ? q + '&' + pair : pair; }
  function attr(el, name) { return el.getAttribute(name); }
  /** Perceived brightness 0–1 of an element's background, null when transparent. */
  function bright(el) {
    var m = el && /rgba?\(([^)]*)\)/.exec(getComputedStyle(el).backgroundColor);
    if (!m) return null;
    var c = m[1].split(/[\s,/]+/).map(parseFloat);
    if (c.length > 3 && !(c[3] > 0)) return null;
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255;
  }
  /** The host page's theme: data-theme, a dark class, the background, the reader's setting. */
  function pageTheme() {
    var root = d.documentElement, b = d.body;
    var t = attr(root, 'data-theme') || (b && attr(b, 'data-theme')) || '';
    if (/^(dark|light)$/.test(t)) return t;
    if (root.classList.contains('dark') || (b && b.classList.contains('dark'))) return 'dark';
    var l = bright(b);
    if (l == null) l = bright(root);
    if (l != null) return l < 0.5 ? 'dark' : 'light';
    // A transparent page is drawn light unless it opts into dark colours (color-scheme).
    var scheme = getComputedStyle(root).colorScheme || '';
    var dark = w.matchMedia && w.matchMedia('(prefers-color-scheme: dark)').matches;
    return dark && /dark/.test(scheme) ? 'dark' : 'light';
  }

  function scan() {
    var els = d.querySelectorAll('[data-prefdyn]');
    for (var i = 0; i < els.length; i++) {
      if (seen.has(els[i]) || els[i].tagName === 'IFRAME') continue;
      seen.add(els[i]);
      try { create(els[i]); } catch (e) { /* one bad element spoils nothing else */ }
    }
    steps();
    return embeds;
  }
  function get(x) {
    for (var i = 0; i < embeds.length; i++) {
      var e = embeds[i];
      if (e.element === x || (x && e.element.id === x)) return e;
    }
    return typeof x === 'number' ? embeds[x] || null : null;
  }

  function create(el) {
    var q = clean(attr(el, 'data-prefdyn'));
    if (!has(q, 'embed')) q = join(q, 'embed=1');
    if (!has(q, 'theme')) {
      var t = attr(el, 'data-theme');
      q = join(q, 'theme=' + (/^(dark|light|auto)$/.test(t) ? t : pageTheme()));
    }
    var base = attr(el, 'data-prefdyn-base') || BASE;
    var f = d.createElement('iframe');
    f.setAttribute('loading', 'lazy');
    f.title = attr(el, 'data-title') || 'prefdyn: interactive chart';
    f.style.cssText = 'display:block;width:100%;border:0;height:' + (parseFloat(attr(el, 'data-height')) || 420) + 'px';
    f.src = base + (base.indexOf('?') < 0 ? '?' : '&') + q;
    el.textContent = '';
    el.appendChild(f);
    var poster = attr(el, 'data-poster'), img = null;
    if (poster) {
      if (getComputedStyle(el).position === 'static') el.style.position = 'relative';
      img = d.createElement('img');
      img.className = 'prefdyn-poster';
      img.alt = attr(el, 'data-poster-alt') || f.title;
      img.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;object-fit:contain;object-position:top;z-index:1';
      img.src = poster;
      el.appendChild(img);
    }
    var queue = [], fns = {}, origin = null;
    var em = {
      element: el, iframe: f, query: null, summary: null, version: null, ready: false,
      initial: null, steps: [], activeStep: -1, _stepped: false,
      set: function (x) {
        if (typeof x === 'string') return send('set', { query: clean(x) });
        if (!x || typeof x !== 'object') return em;
        var s = {};
        Object.keys(x).forEach(function (k) {
          var v = x[k];
          if (v === undefined) return;
          s[k] = /^(number|string|boolean)$/.test(typeof v) ? v : Array.isArray(v) ? v.join(',') : String(v);
        });
        return send('set', { state: s });
      },
      replace: function (q) { return send('replace', { query: clean(q) }); },
      play: function () { return send('play'); },
      pause: function () { return send('pause'); },
      step: function () { return send('step'); },
      reset: function () { return send('reset'); },
      tour: function (n) { return send('tour', { n: Number(n) }); },
      on: function (type, fn) {
        if (typeof fn !== 'function') return function () {};
        (fns[type] = fns[type] || []).push(fn);
        if (type === 'ready' && em.ready) call(fn, { source: 'prefdyn', type: 'ready', query: em.initial, summary: em.summary, version: em.version });
        return function () { var l = fns[type], i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); };
      },
      _send: send,
      _receive: function (m, from) {
        var t = m.type;
        if (t === 'resize') {
          if (typeof m.height !== 'number' || !(m.height > 0 && m.height < 1e5)) return;
          f.style.height = Math.ceil(m.height) + 'px';
        } else if (t === 'ready' || t === 'update') {
          if (typeof m.query !== 'string') return;
          em.query = m.query;
          if ('summary' in m) em.summary = m.summary && typeof m.summary === 'object' ? m.summary : null;
          if (t === 'ready') {
            em.ready = true;
            origin = from;
            if (em.initial == null) em.initial = m.query;
            if (typeof m.version === 'string') em.version = m.version;
            if (img && img.parentNode) img.parentNode.removeChild(img);
            queue.splice(0).forEach(post);
            if (em.activeStep >= 0) apply(em);
          }
        } else if (t === 'error') {
          if (typeof m.message !== 'string') return;
          if (!(fns.error && fns.error.length) && w.console) console.warn('prefdyn embed: ' + m.message);
        } else return;
        (fns[t] || []).slice().forEach(function (fn) { call(fn, m); });
      },
      _origin: function () { return origin; }
    };
    function send(type, fields) {
      var m = { source: 'prefdyn-host', type: type };
      for (var k in fields) m[k] = fields[k];
      if (em.ready) post(m);
      else if (queue.push(m) > 100) queue.shift();
      return em;
    }
    function post(m) {
      try { f.contentWindow.postMessage(m, !origin || origin === 'null' ? '*' : origin); } catch (e) { /* gone */ }
    }
    function call(fn, m) {
      try { fn.call(em, m, em); } catch (e) { setTimeout(function () { throw e; }); }
    }
    embeds.push(em);
    try { el.dispatchEvent(new CustomEvent('prefdyn:embed', { bubbles: true, detail: em })); } catch (e) { /* old browser */ }
  }

  function receive(e) {
    var m = e.data;
    if (!m || typeof m !== 'object' || m.source !== 'prefdyn' || typeof m.type !== 'string' || !e.source) return;
    for (var i = 0; i < embeds.length; i++) {
      var em = embeds[i], o = em._origin();
      if (em.iframe.contentWindow !== e.source) continue;
      // After ready, only the document that said ready speaks for the frame.
      if (!o || o === e.origin) em._receive(m, e.origin);
      return;
    }
  }

  // ---- scroll-driven steps ----
  function before(a, b) { return !!(a.compareDocumentPosition(b) & 4); }
  /** A step's embed: data-prefdyn-target's id, else the nearest embed before it, else the first. */
  function owner(s) {
    var id = attr(s, 'data-prefdyn-target'), best = null, first = null;
    for (var i = 0; i < embeds.length; i++) {
      var el = embeds[i].element;
      if (!d.contains(el)) continue;
      if (id) { if (el.id === id) return embeds[i]; continue; }
      if (!first || before(el, first.element)) first = embeds[i];
      if (before(el, s) && (!best || before(best.element, el))) best = embeds[i];
    }
    return id ? null : best || first;
  }
  function steps() {
    var els = d.querySelectorAll('[data-prefdyn-step]');
    for (var i = 0; i < els.length; i++) {
      var s = els[i], em = !seen.has(s) && owner(s);
      if (!em) continue;
      seen.add(s);
      em.steps.push(s);
      em.steps.sort(function (a, b) { return before(a, b) ? -1 : 1; });
      if (!band) {
        // A thin band across the middle of the viewport; scroll and resize catch jumps over it.
        band = w.IntersectionObserver ? new IntersectionObserver(schedule, { rootMargin: '-50% 0px -49% 0px' }) : { observe: function () {} };
        addEventListener('scroll', schedule, { passive: true });
        addEventListener('resize', schedule);
      }
      band.observe(s);
    }
    schedule();
  }
  function schedule() {
    if (!tick) tick = w.requestAnimationFrame ? w.requestAnimationFrame(update) : setTimeout(update, 16);
  }
  /** Each embed's active step: the last one whose top has passed the middle of the viewport. */
  function update() {
    tick = 0;
    var mid = (w.innerHeight || d.documentElement.clientHeight) / 2;
    embeds.forEach(function (em) {
      var active = -1;
      em.steps.forEach(function (s, i) {
        var r = s.getBoundingClientRect();
        if ((r.width || r.height) && r.top <= mid) active = i;
      });
      if (active === em.activeStep) return;
      if (em.steps[em.activeStep]) em.steps[em.activeStep].classList.remove(ACTIVE);
      if (active >= 0) em.steps[active].classList.add(ACTIVE);
      em.activeStep = active;
      if (em.ready) apply(em);
    });
  }
  /** The frame's first query, then the keys of every step up to the active one, in order. */
  function apply(em) {
    if (em.activeStep < 0 && !em._stepped) return;
    em._send('replace', { query: em.initial });
    em._stepped = em.activeStep >= 0;
    var keys = em.steps.slice(0, em.activeStep + 1).map(function (s) { return clean(attr(s, 'data-prefdyn-step')); });
    keys = keys.filter(Boolean).join('&');
    if (keys) em._send('set', { query: keys });
  }
})();
