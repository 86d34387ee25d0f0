'use strict';
// koe's search page: the URL's query string is the search (the same parameters as
// /api/search), so a search can be bookmarked and Back works. Customer text only ever
// reaches the page as text nodes, never as HTML.

const FACETS = [
  ['sentiment', 'Sentiment'],
  ['topic', 'Topic'],
  ['category', 'Category'],
  ['channel', 'Channel'],
  ['stage', 'Journey stage'],
  ['product', 'Product'],
  ['lang', 'Language'],
];
// Facets that take several values (any of them); the others take one.
const MULTI = new Set(['topic', 'category', 'channel', 'stage', 'product']);
const SENTIMENT_ORDER = ['negative', 'neutral', 'positive'];
const PER_PAGE = 20;
const $ = (id) => document.getElementById(id);
const topicLabels = new Map();
let current = null; // the last search's answer

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function signed(x, digits) {
  const s = Math.abs(x).toFixed(digits);
  return (x > 0 ? '+' : x < 0 ? '−' : '±') + s;
}

function params() {
  return new URLSearchParams(location.search);
}

function go(p, push = true) {
  for (const [k, v] of [...p.entries()]) {
    if (v === '') p.delete(k, v);
  }
  const url = '/' + (p.toString() ? '?' + p.toString() : '') + '#search';
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  route();
}

function topicName(id) {
  const label = topicLabels.get(String(id));
  return label ? `#${id} ${label}` : `#${id}`;
}

// The fragment with its highlights (byte ranges of the UTF-8 text) as <mark>s.
function snippet(fragment, highlights) {
  const bytes = new TextEncoder().encode(fragment);
  const decode = (a, b) => new TextDecoder().decode(bytes.subarray(a, b));
  const out = document.createDocumentFragment();
  let cursor = 0;
  for (const [start, end] of highlights) {
    if (start < cursor || end > bytes.length) continue;
    out.append(decode(cursor, start), el('mark', {}, decode(start, end)));
    cursor = end;
  }
  out.append(decode(cursor, bytes.length));
  return out;
}

function hitItem(hit) {
  const meta = el('div', { class: 'meta' });
  if (hit.sentiment) {
    const score = hit.sentiment_score == null ? '' : ' ' + signed(hit.sentiment_score, 2);
    meta.append(el('span', { class: `badge ${hit.sentiment}` }, hit.sentiment + score));
  }
  if (hit.rating != null) meta.append(el('span', {}, '★'.repeat(hit.rating) + '☆'.repeat(5 - hit.rating)));
  if (hit.nps != null) meta.append(el('span', {}, `NPS ${hit.nps}`));
  const place = [hit.channel, hit.stage, hit.product].filter(Boolean).join(' / ');
  if (place) meta.append(el('span', {}, place));
  if (hit.created_at) meta.append(el('time', { datetime: hit.created_at }, hit.created_at.slice(0, 10)));
  for (const id of hit.topics) {
    const p = params();
    p.delete('page');
    if (!p.getAll('topic').includes(String(id))) p.append('topic', String(id));
    meta.append(el('a', {
      href: '/?' + p.toString(),
      class: 'topic',
      onclick: (e) => { e.preventDefault(); go(p); },
    }, topicName(id)));
  }
  meta.append(el('span', { class: 'id' }, hit.id));
  return el('li', { class: 'hit', 'data-id': hit.id },
    meta,
    el('p', { class: 'snippet', lang: hit.lang || null }, snippet(hit.snippet.fragment, hit.snippet.highlights)));
}

function toggle(name, value) {
  const p = params();
  p.delete('page');
  if (MULTI.has(name)) {
    const values = p.getAll(name);
    p.delete(name);
    const next = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
    for (const v of next) p.append(name, v);
  } else if (p.get(name) === value) {
    p.delete(name);
  } else {
    p.set(name, value);
  }
  go(p);
}

function facetGroup(name, title, counts, selected) {
  let entries = Object.entries(counts);
  // Keep selected values visible even when the other filters leave them no records.
  for (const value of selected) if (!(value in counts)) entries.push([value, 0]);
  if (name === 'sentiment') {
    entries.sort((a, b) => SENTIMENT_ORDER.indexOf(a[0]) - SENTIMENT_ORDER.indexOf(b[0]));
  } else {
    entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
  if (!entries.length) return null;
  const list = el('ul');
  for (const [value, n] of entries.slice(0, name === 'topic' ? 12 : 20)) {
    const label = name === 'topic' ? topicName(value) : value;
    list.append(el('li', {}, el('button', {
      type: 'button',
      'aria-pressed': String(selected.includes(value)),
      'data-facet': name,
      'data-value': value,
      onclick: () => toggle(name, value),
    }, el('span', { class: 'v' }, label), el('span', { class: 'n' }, n.toLocaleString('en')))));
  }
  return el('section', { class: 'facet', 'data-facet': name }, el('h3', {}, title), list);
}

function renderFilters(p, facets) {
  const box = $('facets');
  box.replaceChildren();
  for (const [name, title] of FACETS) {
    const group = facetGroup(name, title, facets[name] || {}, p.getAll(name));
    if (group) box.append(group);
  }
  const active = $('active');
  active.replaceChildren();
  for (const [k, v] of p.entries()) {
    if (k === 'q' || k === 'page' || k === 'per_page') continue;
    const label = k === 'topic' ? topicName(v) : `${k.replace('_', ' ')}: ${v}`;
    active.append(el('button', {
      type: 'button', class: 'chip', title: 'Remove this filter',
      onclick: () => {
        const next = params();
        const rest = next.getAll(k).filter((x) => x !== v);
        next.delete(k);
        for (const x of rest) next.append(k, x);
        next.delete('page');
        go(next);
      },
    }, label, ' ×'));
  }
  if (active.childElementCount) {
    active.append(el('button', {
      type: 'button', class: 'chip', id: 'clear',
      onclick: () => {
        const next = new URLSearchParams();
        if (params().get('q')) next.set('q', params().get('q'));
        go(next);
      },
    }, 'Clear all'));
  }
  $('since').value = (p.get('since') || '').slice(0, 10);
  $('until').value = (p.get('until') || '').slice(0, 10);
  $('min_rating').value = p.get('min_rating') || '';
  $('max_rating').value = p.get('max_rating') || '';
}

function showError(box, message) {
  box.textContent = message;
  box.hidden = !message;
}

async function search() {
  const p = params();
  $('q').value = p.get('q') || '';
  const page = Math.max(1, parseInt(p.get('page') || '1', 10) || 1);
  const perPage = parseInt(p.get('per_page') || String(PER_PAGE), 10) || PER_PAGE;
  const api = new URLSearchParams(p);
  if (!api.get('per_page')) api.set('per_page', String(perPage));
  $('results').setAttribute('aria-busy', 'true');
  let answer;
  try {
    const response = await fetch('/api/search?' + api.toString());
    answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
  } catch (e) {
    showError($('error'), e.message);
    $('results').setAttribute('aria-busy', 'false');
    return;
  }
  showError($('error'), '');
  current = answer;
  for (const [id, label] of Object.entries(answer.topic_labels || {})) topicLabels.set(id, label);
  renderFilters(p, answer.facets);
  const q = (p.get('q') || '').trim();
  const first = answer.total ? answer.offset + 1 : 0;
  const last = answer.offset + answer.hits.length;
  const count = $('count');
  count.dataset.total = String(answer.total);
  count.replaceChildren(
    el('strong', {}, answer.total.toLocaleString('en')),
    answer.total === 1 ? ' record' : ' records',
    q ? el('span', {}, answer.total === 1 ? ' matches 「' : ' match 「', el('span', { lang: 'ja' }, q), '」')
      : ' (all that pass the filters)',
    answer.total ? ` · showing ${first}–${last}` : '');
  $('hits').replaceChildren(...answer.hits.map(hitItem));
  const pages = Math.max(1, Math.ceil(answer.total / perPage));
  $('page-info').textContent = `page ${page} of ${pages.toLocaleString('en')}`;
  $('prev').disabled = page <= 1;
  $('next').disabled = page >= pages || (page * perPage) >= 10000;
  $('pager').hidden = answer.total <= perPage;
  $('results').setAttribute('aria-busy', 'false');
}

function turnPage(delta) {
  const p = params();
  const page = Math.max(1, (parseInt(p.get('page') || '1', 10) || 1) + delta);
  if (page === 1) p.delete('page'); else p.set('page', String(page));
  go(p);
  window.scrollTo(0, 0);
}

function sparkline(trend) {
  const ns = 'http://www.w3.org/2000/svg';
  const w = 90, h = 22;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', h);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  const shares = trend.map((t) => t.share);
  if (shares.length < 2) return svg;
  const max = Math.max(...shares, 1e-9);
  const points = shares.map((s, i) =>
    `${(i * (w - 2)) / (shares.length - 1) + 1},${h - 1 - (s / max) * (h - 2)}`).join(' ');
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#2456c9');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

let topicsLoaded = false;
async function painPoints() {
  if (topicsLoaded) return;
  const box = $('topics-error');
  let answer;
  try {
    const response = await fetch('/api/topics');
    answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
  } catch (e) {
    showError(box, e.message);
    $('topics').hidden = true;
    return;
  }
  topicsLoaded = true;
  const overall = answer.overall || {};
  const body = $('topics').tBodies[0];
  body.replaceChildren();
  answer.topics.forEach((t, i) => {
    topicLabels.set(String(t.id), t.label);
    const p = new URLSearchParams({ topic: String(t.id) });
    const nps = t.nps == null ? '—'
      : `${signed(t.nps, 0)}` + (overall.nps == null ? '' : ` (${signed(t.nps - overall.nps, 0)})`);
    const arrow = t.slope > 0.05 ? '↑' : t.slope < -0.05 ? '↓' : '→';
    body.append(el('tr', { 'data-topic': String(t.id) },
      el('td', { class: 'num' }, i + 1),
      el('td', {}, el('a', {
        href: '/?' + p.toString() + '#search',
        onclick: (e) => { e.preventDefault(); go(p); },
      }, t.label || `topic ${t.id}`)),
      el('td', { class: 'num' }, t.size.toLocaleString('en')),
      el('td', { class: 'num' }, `${t.share.toFixed(1)}%`),
      el('td', { class: 'num' }, `${t.share_negative.toFixed(0)}%`),
      el('td', { class: 'num' }, nps),
      el('td', { class: 'num' }, signed(t.impact, 1)),
      el('td', {}, sparkline(t.trend || []), ` ${arrow} ${signed(t.slope, 1)}pp `,
        t.emerging ? el('span', { class: 'emerging' }, '▲ emerging') : null)));
  });
}

async function summary() {
  try {
    const response = await fetch('/api/metrics');
    if (!response.ok) return;
    const m = await response.json();
    const o = m.overall;
    const parts = [`${o.records.toLocaleString('en')} records`];
    if (o.nps) parts.push(`NPS ${signed(o.nps.score, 0)}`);
    if (o.csat) parts.push(`CSAT ${o.csat.percent.toFixed(0)}%`);
    if (o.ces) parts.push(`CES ${o.ces.mean.toFixed(1)}`);
    if (o.sentiment) parts.push(`sentiment ${signed(o.sentiment.mean, 2)}`);
    if (o.negative) parts.push(`${o.negative.percent.toFixed(0)}% negative`);
    if (m.first_date && m.last_date) parts.push(`${m.first_date.slice(0, 10)} – ${m.last_date.slice(0, 10)}`);
    $('summary').textContent = parts.join(' · ');
  } catch (e) {
    // The summary is a nicety; searching works without it.
  }
}

function route() {
  const painView = location.hash === '#pain-points';
  $('search-view').hidden = painView;
  $('pain-points-view').hidden = !painView;
  const [on, off] = painView ? ['tab-pain-points', 'tab-search'] : ['tab-search', 'tab-pain-points'];
  $(on).setAttribute('aria-current', 'page');
  $(off).removeAttribute('aria-current');
  if (painView) painPoints(); else search();
}

function setRange(name, value) {
  const p = params();
  p.delete('page');
  if (value) p.set(name, value); else p.delete(name);
  go(p);
}

function init() {
  for (const id of ['min_rating', 'max_rating']) {
    const select = $(id);
    select.append(el('option', { value: '' }, 'any'));
    for (let r = 1; r <= 5; r++) select.append(el('option', { value: String(r) }, String(r)));
    select.addEventListener('change', () => setRange(id, select.value));
  }
  for (const id of ['since', 'until']) $(id).addEventListener('change', () => setRange(id, $(id).value));
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const p = params();
    p.set('q', $('q').value.trim());
    p.delete('page');
    go(p);
  });
  $('prev').addEventListener('click', () => turnPage(-1));
  $('next').addEventListener('click', () => turnPage(1));
  $('tab-search').addEventListener('click', (e) => { e.preventDefault(); go(params()); });
  window.addEventListener('popstate', route);
  window.addEventListener('hashchange', route);
  summary();
  route();
}

init();
