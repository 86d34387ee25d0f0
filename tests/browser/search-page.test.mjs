// Drives koe serve's search page in headless Chromium, as an analyst would: a Japanese
// query, a facet click, the pain-point view and a topic's records. Every count the page
// shows is checked against the API's answer for the same filters.
//
//   KOE_URL=http://127.0.0.1:7878/ node search-page.test.mjs
//
// scripts/browser-test.sh starts the server and runs this. Screenshots go to
// $SCREENSHOTS (default: target/browser/ of the repository).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const base = new URL(process.env.KOE_URL || 'http://127.0.0.1:7878/');
const shots = resolve(process.env.SCREENSHOTS || join(import.meta.dirname, '../../target/browser'));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(shots, { recursive: true });

async function api(path) {
  const response = await fetch(new URL(path, base));
  const body = await response.json();
  assert.equal(response.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
}

const profile = mkdtempSync(join(tmpdir(), 'koe-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const problems = [];
let failed = false;
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

  // Waits for the search an action starts to be answered and drawn.
  async function searched(action) {
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/search')),
      action(),
    ]);
    await page.waitForFunction(() => document.getElementById('results').getAttribute('aria-busy') === 'false');
  }
  const shown = async () => Number(await page.getAttribute('#count', 'data-total'));
  const hitCount = () => page.locator('#hits > li').count();

  await searched(() => page.goto(base.href));
  const everything = await api('/api/search');
  assert.equal(await shown(), everything.total, 'all records before any query');

  // 1. A Japanese query: the count is the API's, every snippet highlights the word.
  await page.fill('#q', '配送');
  await searched(() => page.press('#q', 'Enter'));
  const delivery = await api(`/api/search?q=${encodeURIComponent('配送')}`);
  assert.ok(delivery.total > 0);
  assert.equal(await shown(), delivery.total, 'count for 配送');
  assert.match(await page.textContent('#count'), /配送/);
  assert.equal(await hitCount(), Math.min(20, delivery.total));
  const marks = await page.$$eval('#hits > li', (items) =>
    items.map((li) => [...li.querySelectorAll('.snippet mark')].map((m) => m.textContent)));
  for (const m of marks) assert.ok(m.includes('配送'), `a snippet highlights 配送: ${JSON.stringify(m)}`);
  assert.equal(await page.getAttribute('#hits .snippet', 'lang'), 'ja');

  // 2. A facet click: sentiment negative narrows to the count the facet showed.
  const negative = page.locator('button[data-facet="sentiment"][data-value="negative"]');
  const facetCount = Number((await negative.locator('.n').textContent()).replace(/,/g, ''));
  assert.equal(facetCount, delivery.facets.sentiment.negative);
  await searched(() => negative.click());
  assert.match(page.url(), /sentiment=negative/);
  const narrowed = await api(`/api/search?q=${encodeURIComponent('配送')}&sentiment=negative`);
  assert.equal(narrowed.total, facetCount);
  assert.equal(await shown(), narrowed.total, 'count after the facet click');
  assert.equal(await negative.getAttribute('aria-pressed'), 'true');
  const badges = await page.$$eval('#hits .badge', (b) => b.map((x) => x.className));
  assert.ok(badges.length > 0 && badges.every((c) => c.includes('negative')), badges.join());
  const ids = await page.$$eval('#hits > li', (items) => items.map((li) => li.dataset.id));
  assert.deepEqual(ids, narrowed.hits.map((h) => h.id), 'the same records, in the same order');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(shots, 'search.png'), fullPage: true });

  // …and a channel on top of it.
  const channel = Object.keys(narrowed.facets.channel)[0];
  await searched(() => page.click(`button[data-facet="channel"][data-value="${channel}"]`));
  const both = await api(`/api/search?q=${encodeURIComponent('配送')}&sentiment=negative&channel=${channel}`);
  assert.equal(await shown(), both.total);
  assert.equal(both.total, narrowed.facets.channel[channel]);

  // A query Tantivy cannot parse is shown as the API's message, not a blank page.
  await page.fill('#q', 'nosuchfield:配送');
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/search')), page.press('#q', 'Enter')]);
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /^q: /);
  // Chromium logs the 400 itself; that one is expected.
  const expected = problems.findIndex((p) => p.includes('status of 400'));
  assert.ok(expected >= 0, 'the 400 was seen');
  problems.splice(expected, 1);

  // 3. The pain points, ranked by impact; a topic leads to its records.
  await page.click('#tab-pain-points');
  await page.waitForSelector('#topics tbody tr');
  const topics = await api('/api/topics');
  const rows = page.locator('#topics tbody tr');
  assert.equal(await rows.count(), topics.topics.length);
  const top = topics.topics[0];
  assert.equal(await rows.first().getAttribute('data-topic'), String(top.id));
  await page.screenshot({ path: join(shots, 'pain-points.png'), fullPage: true });
  await searched(() => rows.first().locator('a').click());
  assert.match(page.url(), new RegExp(`topic=${top.id}(&|#|$)`));
  assert.ok(await page.isVisible('#search-view'));
  const records = await api(`/api/search?topic=${top.id}`);
  assert.equal(await shown(), records.total);
  assert.equal(records.total, top.size, 'the topic has the records the table says');
  assert.equal(
    await page.getAttribute(`button[data-facet="topic"][data-value="${top.id}"]`, 'aria-pressed'),
    'true');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(shots, 'topic.png'), fullPage: true });

  // Back returns to the pain points.
  await page.goBack();
  await page.waitForSelector('#pain-points-view:not([hidden])');

  assert.deepEqual(problems, [], 'no script errors');
  console.log(`browser test: ok (配送 ${delivery.total} → negative ${narrowed.total} → ${channel} ${both.total}; `
    + `topic #${top.id} 「${top.label}」 ${records.total} records); screenshots in ${shots}`);
} catch (e) {
  failed = true;
  console.error(e);
  if (problems.length) console.error(problems.join('\n'));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
