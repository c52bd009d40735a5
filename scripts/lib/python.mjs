// The Python virtualenv for the Airflow-side package's own tests, made from a
// committed lock so every machine gets the same versions.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hashOf, isStampCurrent, writeStamp } from './stamp.mjs';
import { fail, step } from './log.mjs';

export const PYTHON_PACKAGE_DIR = path.join('plugins', 'airflow-dag-cicd');

export function venvPython(venvDir) {
  return path.join(venvDir, 'bin', 'python');
}

function run(cmd, args, what) {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    fail(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
  }
}

/**
 * Makes `venvDir` hold exactly what `lockFile` pins. The stamp is written
 * last, so a venv left half-made by an interrupted run is rebuilt, never used.
 * (It is built in place: a venv's scripts carry its absolute path.)
 */
export function ensureVenv(root, venvDir, lockFile) {
  const stamp = path.join(venvDir, '.dag-cicd-lock');
  const hash = hashOf([lockFile]);
  if (isStampCurrent(stamp, hash)) return venvPython(venvDir);

  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(
    python,
    ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0) {
    fail(
      `no ${python} found: install Python 3.10 or newer (or set PYTHON) and run again.`,
    );
  }
  step(
    `Creating ${path.relative(
      root,
      venvDir,
    )} with Python ${probe.stdout.trim()} from ${path.relative(
      root,
      lockFile,
    )}`,
  );
  fs.rmSync(venvDir, { recursive: true, force: true });
  run(python, ['-m', 'venv', venvDir], 'python3 -m venv');
  run(
    venvPython(venvDir),
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '-r',
      lockFile,
    ],
    `pip install -r ${lockFile}`,
  );
  writeStamp(stamp, hash);
  return venvPython(venvDir);
}

export function ensurePythonVenv(root) {
  return ensureVenv(
    root,
    path.join(root, '.tooling', 'venv'),
    path.join(root, PYTHON_PACKAGE_DIR, 'requirements-dev.lock'),
  );
}
