// Headless Chromium for the browser tests: Debian's `chromium` package.
// Browser downloads (`playwright install`) are not possible on every machine
// this project runs on; a distribution's package is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fail, step } from './log.mjs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

function found() {
  return [process.env.CHROMIUM_PATH, ...CANDIDATES].find(
    p => p && fs.existsSync(p),
  );
}

export function ensureChromium() {
  const existing = found();
  if (existing) return existing;
  const canApt = process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
  if (!canApt) {
    fail(
      'the browser tests need Chromium: install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  step('Installing Debian chromium for the browser tests (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0)
      fail(`apt-get ${args.join(' ')} failed; install chromium and run again.`);
  }
  return (
    found() ??
    fail('chromium was installed but no binary was found; set CHROMIUM_PATH.')
  );
}
