// The DAG CI/CD pages and cards in the built app: the sidebar leads to the
// approvals queue and the environments page (seeded through the API), and a
// DAG's Overview tab carries the CI/CD and Airflow DAG cards. Each screen is
// screenshotted and checked with axe-core for critical violations.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedEnvironments, signInAsGuest } from '../harness/guest.mjs';
import { startPortal } from '../harness/portal.mjs';
import {
  accessibilityViolations,
  launchBrowser,
  screenshot,
} from '../harness/browser.mjs';

const ENTITY = 'component:default/orders-daily';
const SEEDED = 30;

let portal;
let browser;
let page;

before(async () => {
  portal = await startPortal({ logName: 'pages-backend.log', watch: false });
  browser = await launchBrowser();
  await seedEnvironments(portal.baseUrl, { entityRef: ENTITY, count: SEEDED });
  page = await signInAsGuest(browser, portal.baseUrl);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

async function assertAccessible(name) {
  assert.deepEqual(
    await accessibilityViolations(page),
    [],
    `critical accessibility violations on ${name}`,
  );
}

test(
  'the sidebar leads to the environments of every DAG, paged by the server',
  {
    timeout: 120_000,
  },
  async () => {
    await page.getByRole('link', { name: 'Environments' }).first().click();
    await page.waitForURL(/\/dag-cicd\/environments$/);
    await page
      .getByText('Environments of every DAG')
      .waitFor({ timeout: 60_000 });
    await page
      .getByText(/^ci_[0-9a-f]{7}$/)
      .first()
      .waitFor({ timeout: 60_000 });
    assert.equal(await page.getByText(/^ci_[0-9a-f]{7}$/).count(), 20);
    await page.getByText(`1-20 of ${SEEDED}`).last().waitFor();
    await screenshot(page, 'pages-01-environments');
    await assertAccessible('the environments page');

    await page.getByRole('button', { name: /next page/i }).click();
    await page.getByText(`21-${SEEDED} of ${SEEDED}`).last().waitFor();
    assert.equal(await page.getByText(/^ci_[0-9a-f]{7}$/).count(), SEEDED - 20);
  },
);

test(
  'the sidebar leads to the approvals queue',
  { timeout: 120_000 },
  async () => {
    await page.getByRole('link', { name: 'Approvals' }).first().click();
    await page.waitForURL(/\/dag-cicd\/approvals$/);
    await page.getByText('Waiting on me').waitFor({ timeout: 60_000 });
    await page.getByText('Open for my groups').waitFor();
    await screenshot(page, 'pages-02-approvals');
    await assertAccessible('the approvals page');
  },
);

test(
  "a DAG's Overview tab has the CI/CD and Airflow DAG cards",
  {
    timeout: 120_000,
  },
  async () => {
    await page.goto(`${portal.baseUrl}/catalog/default/component/orders-daily`);
    await page.getByText('What runs where').waitFor({ timeout: 60_000 });
    await page
      .getByText('Airflow DAG orders_daily')
      .waitFor({ timeout: 60_000 });
    await screenshot(page, 'pages-03-overview-cards');
    await assertAccessible("the DAG's overview");
  },
);
