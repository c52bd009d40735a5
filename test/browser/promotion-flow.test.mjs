// The whole promise in the browser, on a real Airflow 3: create an
// environment from the CI/CD tab's dialog, watch it become ready, start a
// run, request a promotion, approve it as a second user, execute it, and see
// production move. A screenshot of every step lands in test-results/.
//
// The second user: the portal signs in through the guest provider, whose
// identity is configuration (`auth.providers.guest.userEntityRef`). The
// backend restarts on the same SQLite folder as `user:default/alice` (a
// member of data-engineering, like the guest): the same mechanism a real
// portal's sign-in gives, with no test-only code in the product.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { AIRFLOW_USERNAME, startAirflow } from '../harness/airflow.mjs';
import { cleanUpOnExit } from '../harness/cleanup.mjs';
import { guestToken, startPortal, waitForEntity } from '../harness/portal.mjs';
import {
  accessibilityViolations,
  launchBrowser,
  screenshot,
} from '../harness/browser.mjs';
import { freePort } from '../../scripts/lib/ports.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const ENTITY = 'component:default/orders-daily';
const COMMIT = randomBytes(20).toString('hex');
const SHORT = COMMIT.slice(0, 7);

let work;
let forgetWork;
let airflow;
let portal;
let browser;
let page;
let airflowPort;
let airflowPassword;

function portalConfig(user) {
  return {
    auth: { providers: { guest: { userEntityRef: user } } },
    backend: {
      database: { connection: { directory: path.join(work, 'sqlite') } },
    },
    dagCicd: {
      dataStore: { file: { root: path.join(work, 'store') } },
      airflow: {
        instances: [
          {
            name: 'local',
            baseUrl: `http://127.0.0.1:${airflowPort}`,
            apiVersion: 'v2',
            auth: {
              type: 'simple',
              username: AIRFLOW_USERNAME,
              password: airflowPassword,
            },
          },
        ],
      },
      // Realistic but passable in a test: a green staging run and one
      // approval from the owning group, no soak time.
      promotions: {
        policies: {
          production: {
            gates: [
              { gate: 'runs-succeeded', options: { minRuns: 1 } },
              { gate: 'approvals', options: { min: 1 } },
            ],
          },
        },
      },
      dags: [
        {
          entityRef: ENTITY,
          productionPrefix: 'lake/orders_daily/',
          inputs: { orders: 'lake/raw/orders/' },
        },
      ],
    },
  };
}

async function signIn(user) {
  await page?.close();
  await portal?.stop();
  portal = await startPortal({
    logName: 'promotion-flow-backend.log',
    watch: false,
    config: portalConfig(user),
  });
  await waitForEntity(portal.baseUrl, await guestToken(portal.baseUrl), ENTITY);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(portal.baseUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  // Signed in once the sidebar is there; navigating sooner signs out.
  await page
    .getByRole('link', { name: 'Approvals' })
    .first()
    .waitFor({ timeout: 60_000 });
}

async function step(name) {
  await screenshot(page, `flow-${name}`);
  assert.deepEqual(await accessibilityViolations(page), [], name);
}

before(async () => {
  work = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-flow-')),
  );
  forgetWork = cleanUpOnExit(() =>
    fs.rmSync(work, { recursive: true, force: true }),
  );
  const store = path.join(work, 'store');
  fs.cpSync(
    path.join(root, 'examples', 'data', 'lake'),
    path.join(store, 'lake'),
    {
      recursive: true,
    },
  );
  const dags = path.join(work, 'dags');
  fs.mkdirSync(dags);
  fs.copyFileSync(
    path.join(root, 'examples', 'dags', 'orders_daily.py'),
    path.join(dags, 'orders_daily.py'),
  );
  airflowPort = await freePort();
  airflowPassword = randomBytes(12).toString('hex');
  airflow = await startAirflow({
    dagsFolder: dags,
    dagIds: ['orders_daily'],
    port: airflowPort,
    password: airflowPassword,
    env: { DAG_CICD_PRODUCTION_ROOT: `file://${store}/` },
  });
  browser = await launchBrowser();
  await signIn('user:default/guest');
});

after(async () => {
  await browser?.close();
  await Promise.allSettled([portal?.stop(), airflow?.stop()]);
  if (work) fs.rmSync(work, { recursive: true, force: true });
  forgetWork?.();
});

test(
  'create, run, promote, approve as a second user, execute',
  { timeout: 900_000 },
  async () => {
    // 1. Create a staging environment of the commit from the dialog.
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/orders-daily/ci-cd`,
    );
    await page
      .getByRole('button', { name: 'Create environment', exact: true })
      .click({ timeout: 60_000 });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /Commit/ }).fill(COMMIT);
    await dialog.locator('#create-environment-stage').click();
    await page.getByRole('option', { name: 'staging', exact: true }).click();
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await step('01-create-dialog');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();

    // 2. Watch it become ready: the dialog follows provisioning.
    await dialog
      .getByText(/^Ready: runs write under/)
      .waitFor({ timeout: 180_000 });
    await step('02-environment-ready');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    // 3. Start a run from the environment's details and wait for Airflow
    // to finish it: the drawer polls the run until it settles.
    await page.locator('tr', { hasText: SHORT }).first().click();
    const details = page.getByRole('region', { name: 'Environment staging' });
    await details
      .getByRole('button', { name: 'Start run', exact: true })
      .click({ timeout: 60_000 });
    const run = details.getByRole('article').first();
    await run.waitFor({ timeout: 60_000 });
    const runState = run.locator(':scope > div').first();
    await runState
      .getByText(/^(success|failed)$/)
      .waitFor({ timeout: 300_000 });
    assert.equal(
      (await runState.innerText()).includes('success'),
      true,
      `the run did not succeed: ${await run.innerText()}`,
    );
    await run.scrollIntoViewIfNeeded();
    await step('03-run-succeeded');
    await details.getByRole('button', { name: 'Close', exact: true }).click();
    await details.waitFor({ state: 'detached' });

    // 4. Request the promotion to production from the pipeline; its gates
    // are evaluated at once: the run passes, the approval is pending.
    await page.getByText('Nothing runs in production yet').waitFor();
    await page
      .getByRole('button', { name: 'Promote to production', exact: true })
      .click({ timeout: 60_000 });
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Request promotion', exact: true })
      .click();
    const promotion = page.getByLabel(`Promotion of ${SHORT}`);
    await gate(promotion, 'runs-succeeded').getByText('passed').waitFor();
    await gate(promotion, 'approvals').getByText('pending').waitFor();
    await step('04-promotion-requested');

    // 5. Approve it as alice, from the approvals queue.
    await signIn('user:default/alice');
    await page.getByRole('link', { name: 'Approvals' }).first().click();
    const row = page.locator('tr', { hasText: SHORT });
    await row
      .getByRole('button', { name: 'Approve', exact: true })
      .click({ timeout: 60_000 });
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Approve', exact: true })
      .click();
    await row.getByText('approve by alice').waitFor({ timeout: 60_000 });
    await gate(row, 'approvals').getByText('passed').waitFor();
    await step('05-approved');

    // 6. Execute it: every gate passes now.
    await row
      .getByRole('button', { name: 'Execute', exact: true })
      .click({ timeout: 60_000 });
    await row
      .waitFor({ state: 'detached', timeout: 120_000 })
      .catch(async error => {
        const alerts = await page.getByRole('alert').allInnerTexts();
        throw new Error(`not executed: ${alerts.join('; ') || error.message}`);
      });
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/orders-daily/ci-cd`,
    );
    const production = page.getByLabel('production runs');
    await production.getByText(SHORT).waitFor({ timeout: 60_000 });
    await production.getByText('promoted by alice').waitFor();
    // … and the same commit cannot be promoted there again.
    await page
      .getByRole('button', {
        name: `Promote to production (production already runs ${SHORT})`,
      })
      .waitFor();
    await step('06-executed');

    // 7. The Overview card says who moved production, and when.
    await page.goto(`${portal.baseUrl}/catalog/default/component/orders-daily`);
    await page
      .locator('tr', { hasText: 'production' })
      .getByText(/alice/i)
      .waitFor({ timeout: 60_000 });
    await step('07-production-moved');
  },
);

/** One gate of a promotion, in the pipeline or the approvals queue. */
function gate(scope, name) {
  return scope
    .getByRole('list', { name: 'Gates' })
    .getByRole('listitem')
    .filter({ hasText: name });
}
