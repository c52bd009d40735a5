// The portal as a newcomer sees it after `npm start`: sign in as guest, open
// an example DAG, open its CI/CD tab and see the (empty) environments list.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { guestToken, startPortal, waitForEntity } from '../harness/portal.mjs';
import { launchBrowser, screenshot } from '../harness/browser.mjs';

let portal;
let browser;

before(async () => {
  portal = await startPortal();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

test(
  'a guest opens the CI/CD tab of an example DAG',
  { timeout: 240_000 },
  async () => {
    const token = await guestToken(portal.baseUrl);
    await waitForEntity(
      portal.baseUrl,
      token,
      'component:default/orders-daily',
    );

    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
    });
    const errors = [];
    page.on('pageerror', error => errors.push(error.message));

    await page.goto(portal.baseUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .getByRole('link', { name: 'Orders (daily)' })
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot(page, '01-catalog');

    await page.getByRole('link', { name: 'Orders (daily)' }).first().click();
    // Entity page tabs are links in the new frontend system's header.
    const tab = page.getByRole('link', { name: 'CI/CD', exact: true });
    await tab.waitFor({ timeout: 60_000 });
    await tab.click();

    await page.getByText(/^No environments match/).waitFor({ timeout: 60_000 });
    assert.match(
      page.url(),
      /\/catalog\/default\/component\/orders-daily\/ci-cd$/,
    );
    const file = await screenshot(page, '02-ci-cd-tab-empty');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot has content');
    assert.deepEqual(errors, [], 'no uncaught errors in the page');
  },
);

test(
  'the CI/CD tab is offered only on DAG entities',
  { timeout: 120_000 },
  async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.baseUrl}/catalog/default/component/dag-cicd`);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .getByRole('link', { name: 'Overview', exact: true })
      .waitFor({ timeout: 60_000 });
    await page.getByText('DAG CI/CD for Backstage').first().waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'CI/CD', exact: true }).count(),
      0,
    );
  },
);
