// `yarn bench ui`: the environments page with 5,000 environments of one DAG
// in headless Chromium against the built app and the backend on SQLite —
// time to first render and to change page (the server pages, so neither
// should grow with the count) — and the plugin's share of the app bundle.
// Needs `packages/app/dist` (`yarn --cwd packages/app build`) and Chromium.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startPortal } from '../test/harness/portal.mjs';
import { launchBrowser } from '../test/harness/browser.mjs';
import { seedEnvironments, signInAsGuest } from '../test/harness/guest.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTITY = 'component:default/orders-daily';
const COUNT = Number(process.env.DAG_CICD_BENCH_ENVIRONMENTS ?? 5000);
const SAMPLES = 7;

const median = values =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function bundleSizes() {
  // The plugin's code is in the chunks that hold its own strings: its entry
  // (API ref, routes) in main, each page and card in a lazy chunk.
  const dir = path.join(root, 'packages', 'app', 'dist', 'static');
  const markers = [
    'plugin.dag-cicd.api',
    'Environments of every DAG',
    'Waiting on me',
    'What runs where',
    'This DAG has not run yet',
    'Create an environment',
  ];
  const rows = [];
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(dir, file));
    const hits = markers.filter(m => text.includes(m));
    if (hits.length === 0) continue;
    rows.push({
      file,
      holds: hits.join(', '),
      kB: (text.length / 1024).toFixed(1),
      gzipKB: (zlib.gzipSync(text).length / 1024).toFixed(1),
    });
  }
  return rows;
}

const portal = await startPortal({
  logName: 'bench-ui-backend.log',
  watch: false,
});
const browser = await launchBrowser();
try {
  const seeding = Date.now();
  await seedEnvironments(portal.baseUrl, {
    entityRef: ENTITY,
    count: COUNT,
    // Named: 5,000 random short SHAs may collide.
    name: i => `bench_${i}`,
    concurrency: 8,
  });
  console.log(
    `seeded ${COUNT} environments of ${ENTITY} in ${(
      (Date.now() - seeding) /
      1000
    ).toFixed(0)}s`,
  );
  const page = await signInAsGuest(browser, portal.baseUrl);

  const url = `${portal.baseUrl}/dag-cicd/environments`;
  const firstRender = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await page.goto(url);
    await page.getByText(`1-20 of ${COUNT}`).last().waitFor();
    firstRender.push(performance.now() - started);
  }
  const pageChange = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await page.getByRole('button', { name: /next page/i }).click();
    await page
      .getByText(`${(i + 1) * 20 + 1}-${(i + 2) * 20} of ${COUNT}`)
      .last()
      .waitFor();
    pageChange.push(performance.now() - started);
  }
  console.table([
    {
      measure: `first render, ${COUNT} environments (full page load)`,
      medianMs: median(firstRender).toFixed(0),
      maxMs: Math.max(...firstRender).toFixed(0),
    },
    {
      measure: 'change page (server round trip + render)',
      medianMs: median(pageChange).toFixed(0),
      maxMs: Math.max(...pageChange).toFixed(0),
    },
  ]);
  console.table(bundleSizes());
} finally {
  await browser.close();
  await portal.stop();
}
