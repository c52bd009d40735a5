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
 *
 * `options.afterInstall(python)` runs after the lock is installed and before the
 * stamp is written; `options.inputs` are further files it depends on, whose
 * change rebuilds the venv too.
 */
export function ensureVenv(root, venvDir, lockFile, options = {}) {
  const { inputs = [], afterInstall } = options;
  const stamp = path.join(venvDir, '.dag-cicd-lock');
  const hash = hashOf([lockFile, ...inputs]);
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
  afterInstall?.(venvPython(venvDir));
  writeStamp(stamp, hash);
  return venvPython(venvDir);
}

export const AIRFLOW_LOCK_FILE = path.join(
  'test',
  'airflow',
  'requirements.lock',
);

/**
 * Makes `.tooling/airflow-venv` hold Apache Airflow 3 as pinned by
 * test/airflow/requirements.lock, with the Airflow-side package installed
 * editable on top (its plugin and cluster policy are found through entry
 * points, so it must be installed, not just on the path). Returns its python.
 * The package's pytest suite and the end-to-end test run in it.
 */
export function ensureAirflowVenv(root) {
  const packageDir = path.join(root, PYTHON_PACKAGE_DIR);
  return ensureVenv(
    root,
    path.join(root, '.tooling', 'airflow-venv'),
    path.join(root, AIRFLOW_LOCK_FILE),
    {
      // Entry points are written at install time: a changed pyproject.toml
      // needs a new install.
      inputs: [path.join(packageDir, 'pyproject.toml')],
      afterInstall: python =>
        run(
          python,
          [
            '-m',
            'pip',
            'install',
            '--quiet',
            '--disable-pip-version-check',
            '--no-deps',
            // hatchling comes from the lock: nothing is fetched here.
            '--no-build-isolation',
            '-e',
            packageDir,
          ],
          `pip install -e ${PYTHON_PACKAGE_DIR}`,
        ),
    },
  );
}
