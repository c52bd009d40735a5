// Headless Chromium through playwright-core, with the flags this kind of
// machine needs (root, no GPU, no network beyond loopback).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
export const screenshotsDir = path.join(root, 'test-results', 'screenshots');

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function screenshot(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const file = path.join(screenshotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs axe-core in the page and returns its violations of `impact`
 * (default `critical`), each as "rule: help (n nodes)" so that a failing
 * assertion reads as what to fix.
 */
export async function accessibilityViolations(page, impact = 'critical') {
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  // Evaluated rather than added as a <script>: the portal's CSP forbids
  // inline scripts, and evaluation through the DevTools protocol is not one.
  await page.evaluate(fs.readFileSync(axe, 'utf8'));
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
    }));
  });
  return violations
    .filter(v => v.impact === impact)
    .map(v => `${v.id}: ${v.help} (${v.nodes} nodes)`);
}
