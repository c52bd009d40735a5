// The product as the end-to-end tests run it: a throwaway work folder whose
// file store holds the example lake and fixtures, a real Airflow 3 running
// the given DAGs with that store as production, and the backend from source
// configured for both, with orders-daily as a DAG of DAG CI/CD.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/ports.mjs';
import { AIRFLOW_USERNAME, startAirflow } from './airflow.mjs';
import { cleanUpOnExit } from './cleanup.mjs';
import { guestToken, startPortal, waitForEntity } from './portal.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/** The example DAG every end-to-end test provisions environments of. */
export const ORDERS_DAILY = 'component:default/orders-daily';

/**
 * Starts Airflow and the backend at once, and waits until the catalog holds
 * orders-daily.
 *
 * @param options.name - names the work folder (`dag-cicd-<name>-…`) and the
 *   backend log (`test-results/<name>-backend.log`)
 * @param options.dags - the DAG files Airflow runs (links are followed); the
 *   DAG ids are their names without `.py`
 * @param options.chaos - `dagCicd.environments.chaos`: the faults the chaos
 *   profile injects
 * @param options.config - more backend configuration, beside `dagCicd`
 * @returns `work` (a folder for the test's own files too), `store` (the
 *   file store's root folder in it), `airflow` and `portal` (as their
 *   harnesses return them), `ordersDaily` (the entity as the catalog serves
 *   it) and `stop()`, which stops both and removes `work`
 */
export async function startE2eStack({ name, dags, chaos, config = {} }) {
  // The store's URIs are real paths: no link may lie on the way.
  const work = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), `dag-cicd-${name}-`)),
  );
  const removeWork = () => fs.rmSync(work, { recursive: true, force: true });
  const forgetWork = cleanUpOnExit(removeWork);
  const store = path.join(work, 'store');
  for (const folder of ['lake', 'fixtures']) {
    fs.cpSync(
      path.join(root, 'examples', 'data', folder),
      path.join(store, folder),
      { recursive: true },
    );
  }
  const dagsFolder = path.join(work, 'dags');
  fs.mkdirSync(dagsFolder);
  for (const file of dags) {
    fs.copyFileSync(file, path.join(dagsFolder, path.basename(file)));
  }

  // Both start at once: Airflow's port and password are chosen here, since
  // the backend's configuration names them.
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  let airflow;
  let portal;
  const stop = async () => {
    await Promise.allSettled([airflow?.stop(), portal?.stop()]);
    removeWork();
    forgetWork();
  };
  const starting = [
    startAirflow({
      dagsFolder,
      dagIds: dags.map(file => path.basename(file, '.py')),
      port,
      password,
      env: { DAG_CICD_PRODUCTION_ROOT: `file://${store}/` },
    }).then(started => (airflow = started)),
    startPortal({
      logName: `${name}-backend.log`,
      watch: false,
      config: {
        ...config,
        dagCicd: dagCicdConfig({
          store,
          airflowUrl: `http://127.0.0.1:${port}`,
          password,
          chaos,
        }),
      },
    }).then(started => (portal = started)),
  ];
  try {
    const failures = (await Promise.allSettled(starting)).filter(
      result => result.status === 'rejected',
    );
    if (failures.length) throw failures[0].reason;
    const ordersDaily = await waitForEntity(
      portal.baseUrl,
      await guestToken(portal.baseUrl),
      ORDERS_DAILY,
    );
    return { work, store, airflow, portal, ordersDaily, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function dagCicdConfig({ store, airflowUrl, password, chaos }) {
  return {
    dataStore: { file: { root: store } },
    airflow: {
      instances: [
        {
          // The example entities say `airflow.apache.org/instance: local`.
          name: 'local',
          baseUrl: airflowUrl,
          apiVersion: 'v2',
          auth: { type: 'simple', username: AIRFLOW_USERNAME, password },
        },
      ],
    },
    environments: {
      sample: { maxObjects: 100, rowFraction: 1 },
      chaos,
    },
    dags: [
      {
        entityRef: ORDERS_DAILY,
        productionPrefix: 'lake/orders_daily/',
        inputs: { orders: 'lake/raw/orders/' },
        fixtures: 'fixtures/orders_daily/',
      },
    ],
  };
}
