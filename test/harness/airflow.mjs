// Starts a real Apache Airflow 3 (`airflow standalone`) from
// .tooling/airflow-venv for end-to-end tests: a throwaway AIRFLOW_HOME with a
// SQLite metadata database, a free local port, a known simple-auth-manager
// login, and only the DAGs of `dagsFolder`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAirflowVenv } from '../../scripts/lib/python.mjs';
import { freePort, waitForHttp } from '../../scripts/lib/ports.mjs';
import { cleanUpOnExit } from './cleanup.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

export const AIRFLOW_USERNAME = 'dag-cicd-e2e';

/**
 * Starts Airflow and waits until its API is healthy and every DAG of `dagIds`
 * is parsed. `env` is added to the environment of every Airflow process (for
 * example `DAG_CICD_PRODUCTION_ROOT`, which the Airflow-side package reads).
 *
 * `port` and `password` (of the admin login) are chosen when not given.
 *
 * @returns `baseUrl`, `auth` (as `dagCicd.airflow.instances[].auth` takes
 *   it), `token()` for calling the API directly, `logDir` and `stop()`
 */
export async function startAirflow({
  dagsFolder,
  dagIds,
  env = {},
  port,
  password = randomBytes(12).toString('hex'),
  timeoutMs = 240_000,
}) {
  const python = ensureAirflowVenv(root);
  const bin = path.dirname(python);
  port ??= await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-airflow-'));
  const logDir = path.join(root, 'test-results', 'airflow');
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });

  // The simple auth manager keeps passwords in a JSON file and only generates
  // one for a user the file does not hold: writing it first fixes the login.
  const passwordsFile = path.join(home, 'passwords.json');
  fs.writeFileSync(
    passwordsFile,
    JSON.stringify({ [AIRFLOW_USERNAME]: password }),
  );

  const airflowEnv = {
    ...process.env,
    // standalone starts its components as `airflow …` from the PATH.
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
    AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
    AIRFLOW__CORE__PARALLELISM: '4',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${AIRFLOW_USERNAME}:admin`,
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: passwordsFile,
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${baseUrl}/execution/`,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(
      home,
      'airflow.db',
    )}`,
    AIRFLOW__API__HOST: '127.0.0.1',
    AIRFLOW__API__PORT: String(port),
    AIRFLOW__API__BASE_URL: baseUrl,
    AIRFLOW__API__WORKERS: '1',
    AIRFLOW__API_AUTH__JWT_SECRET: randomBytes(32).toString('hex'),
    // Only the runs a test starts: the example DAGs' own schedules would
    // write production data the moment they are unpaused.
    AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE: 'False',
    AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: '1',
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: path.join(logDir, 'tasks'),
    ...env,
  };

  const logFile = path.join(logDir, 'standalone.log');
  const log = fs.openSync(logFile, 'w');
  const airflow = spawn(path.join(bin, 'airflow'), ['standalone'], {
    cwd: home,
    stdio: ['ignore', log, log],
    env: airflowEnv,
    // Its own process group, so that stop() ends every component at once.
    detached: true,
  });
  let exited = false;
  const gone = new Promise(resolve =>
    airflow.on('exit', () => {
      exited = true;
      resolve();
    }),
  );

  // Whatever happens to this process, Airflow must not outlive it.
  const forget = cleanUpOnExit(() => {
    signalSession(airflow.pid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      // Politely first, so that components close the database cleanly.
      signalSession(airflow.pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (signalSession(airflow.pid, 0) > 0 && Date.now() < deadline) {
        await sleep(200);
      }
      for (let i = 0; i < 50 && signalSession(airflow.pid, 'SIGKILL'); i++) {
        await sleep(200);
      }
      await gone;
      forget();
      fs.closeSync(log);
      fs.rmSync(home, { recursive: true, force: true });
    })();
    return stopped;
  };

  const auth = { type: 'simple', username: AIRFLOW_USERNAME, password };
  const token = () => accessToken(baseUrl, auth);
  try {
    const deadline = Date.now() + timeoutMs;
    await waitForHealthy(baseUrl, deadline, () => !exited);
    await waitForDags(baseUrl, dagIds, await token(), deadline, () => !exited);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}; Airflow log: ${logFile}`);
  }
  return { baseUrl, auth, token, logDir, stop };
}

async function accessToken(baseUrl, { username, password }) {
  const response = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) {
    throw new Error(`Airflow login failed: HTTP ${response.status}`);
  }
  return (await response.json()).access_token;
}

// `/api/v2/monitor/health` answers 200 as soon as the API is up, with the
// state of each component in the body: runs need the database, the scheduler
// and the DAG processor (no DAG here defers to the triggerer).
async function waitForHealthy(baseUrl, deadline, isAlive) {
  const url = `${baseUrl}/api/v2/monitor/health`;
  await waitForHttp(url, { timeoutMs: deadline - Date.now(), isAlive });
  let last;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('airflow standalone exited');
    last = await (await fetch(url)).json();
    const components = ['metadatabase', 'scheduler', 'dag_processor'];
    if (components.every(c => last[c]?.status === 'healthy')) return;
    await sleep(1000);
  }
  throw new Error(`Airflow is not healthy: ${JSON.stringify(last)}`);
}

async function waitForDags(baseUrl, dagIds, token, deadline, isAlive) {
  for (const dagId of dagIds) {
    let last = 'no answer';
    for (;;) {
      if (!isAlive()) throw new Error('airflow standalone exited');
      if (Date.now() > deadline) {
        throw new Error(`DAG ${dagId} was not parsed in time (last: ${last})`);
      }
      const response = await fetch(`${baseUrl}/api/v2/dags/${dagId}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (response.ok) break;
      last = `HTTP ${response.status}`;
      await sleep(1000);
    }
  }
}

/**
 * Sends `signal` to every process of the session `sid` (the one a detached
 * spawn makes): standalone, its components, and the task processes, which
 * make process groups of their own but stay in the session. All of them were
 * started by this harness. Signal 0 only counts them.
 *
 * @returns how many live processes the session had
 */
function signalSession(sid, signal) {
  let count = 0;
  for (const pid of sessionMembers(sid)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      /* already gone */
    }
  }
  return count;
}

function sessionMembers(sid) {
  let names;
  try {
    names = fs.readdirSync('/proc').filter(name => /^\d+$/.test(name));
  } catch {
    // No /proc: the process group is what can be reached.
    try {
      process.kill(-sid, 0);
      return [-sid];
    } catch {
      return [];
    }
  }
  const members = [];
  for (const name of names) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // pid (comm) state ppid pgrp session …: comm may hold spaces and ")".
      const [state, , , session] = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ');
      if (Number(session) === sid && state !== 'Z') members.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return members;
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}
