// Node 22 and the Yarn workspace, made to exist from nothing but the Node and
// npm that a new machine has. Everything lands in git-ignored folders
// (.tooling/, node_modules/) and is reused by later runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashOf, isStampCurrent, writeStamp } from './stamp.mjs';
import { fail, step } from './log.mjs';

// Backstage needs Node 22 or 24. The npm registry carries Node itself as the
// `node-<os>-<arch>` packages, which is how a machine without internet access
// beyond the registries gets it.
const NODE_VERSION = '22.23.3';
const MIN_NODE_MAJOR = 22;

function hasHeaders(dir) {
  return fs.existsSync(path.join(dir, 'include', 'node', 'node.h'));
}

export function ensureNode(root) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) {
    const dir = path.resolve(path.dirname(process.execPath), '..');
    return { bin: process.execPath, dir: hasHeaders(dir) ? dir : undefined };
  }
  const dir = path.join(root, '.tooling', `node-${NODE_VERSION}`);
  const bin = path.join(dir, 'bin', 'node');
  if (!fs.existsSync(bin)) {
    const pkg = `node-${process.platform}-${process.arch}@${NODE_VERSION}`;
    step(
      `Node ${process.versions.node} is too old; installing ${pkg} from the npm registry`,
    );
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-node-'));
    const npm = process.env.npm_execpath
      ? [process.execPath, process.env.npm_execpath]
      : ['npm'];
    const packed = spawnSync(
      npm[0],
      [...npm.slice(1), 'pack', pkg, '--pack-destination', tmp, '--silent'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (packed.status !== 0) {
      fail(
        `could not fetch ${pkg} from the npm registry (npm pack exited ${packed.status}). Install Node ${MIN_NODE_MAJOR}+ and run again.`,
      );
    }
    const tarball = path.join(tmp, packed.stdout.trim().split('\n').pop());
    const staging = `${dir}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const untar = spawnSync(
      'tar',
      ['-xzf', tarball, '-C', staging, '--strip-components=1'],
      {
        stdio: 'inherit',
      },
    );
    if (untar.status !== 0) fail(`could not unpack ${tarball}`);
    // Renamed into place only when complete, so an interrupted download is
    // never mistaken for a working Node.
    fs.renameSync(staging, dir);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { bin, dir };
}

function yarnRelease(root) {
  const rc = fs.readFileSync(path.join(root, '.yarnrc.yml'), 'utf8');
  const match = rc.match(/^yarnPath:\s*(\S+)/m);
  if (!match)
    fail('.yarnrc.yml has no yarnPath: the Yarn release must be committed');
  return path.join(root, match[1]);
}

// A `yarn` on PATH that runs the committed release with our Node: the
// Backstage CLI and workspace scripts call `yarn` by name.
function ensureYarnShim(root, node) {
  const binDir = path.join(root, '.tooling', 'bin');
  const shim = path.join(binDir, 'yarn');
  const body = `#!/bin/sh\nexec "${node.bin}" "${yarnRelease(root)}" "$@"\n`;
  if (!fs.existsSync(shim) || fs.readFileSync(shim, 'utf8') !== body) {
    fs.mkdirSync(binDir, { recursive: true });
    fs.writeFileSync(shim, body, { mode: 0o755 });
  }
  return binDir;
}

export function toolEnv(root, node) {
  const binDir = ensureYarnShim(root, node);
  const env = {
    ...process.env,
    PATH: [
      path.dirname(node.bin),
      binDir,
      path.join(root, 'node_modules', '.bin'),
      process.env.PATH,
    ].join(path.delimiter),
    YARN_ENABLE_TELEMETRY: '0',
  };
  // Native modules (better-sqlite3) must compile against the headers of the
  // Node that will load them; prebuilt binaries cannot be downloaded here.
  if (node.dir) {
    env.npm_config_nodedir = node.dir;
  }
  return env;
}

function workspaceManifests(root) {
  const manifests = [path.join(root, 'package.json')];
  for (const group of ['packages', 'plugins']) {
    const groupDir = path.join(root, group);
    if (!fs.existsSync(groupDir)) continue;
    for (const name of fs.readdirSync(groupDir).sort()) {
      const manifest = path.join(groupDir, name, 'package.json');
      if (fs.existsSync(manifest)) manifests.push(manifest);
    }
  }
  return manifests;
}

export function ensureYarnInstall(root, node) {
  const stamp = path.join(root, 'node_modules', '.dag-cicd-install');
  const hash = hashOf(
    [
      path.join(root, 'yarn.lock'),
      path.join(root, '.yarnrc.yml'),
      ...workspaceManifests(root),
    ],
    [node.bin, NODE_VERSION],
  );
  if (isStampCurrent(stamp, hash)) return;
  step('Installing workspace dependencies (yarn install --immutable)');
  const result = spawnSync(
    node.bin,
    [yarnRelease(root), 'install', '--immutable'],
    {
      cwd: root,
      stdio: 'inherit',
      env: toolEnv(root, node),
    },
  );
  if (result.status !== 0) {
    fail(
      'yarn install failed; see the output above. If you changed dependencies, run `yarn install` and commit yarn.lock.',
    );
  }
  writeStamp(stamp, hash);
}
