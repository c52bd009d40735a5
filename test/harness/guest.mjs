// Acting as the portal's guest user, as the browser tests and the UI
// benchmark do: through the API (seeding environments) and in the browser
// (signing in).
import { randomBytes } from 'node:crypto';
import { guestToken, waitForEntity } from './portal.mjs';

/**
 * Creates `count` environments of `entityRef` in `ci` with the `empty`
 * profile, which needs no Airflow: each is ready as soon as its namespace
 * exists. Waits first until the catalog has the entity, and at the end
 * until every one is ready.
 *
 * @param options.name - the name of the i-th environment; without it, the
 *   default `ci_<sha7>` (thousands of random short SHAs may collide)
 * @param options.concurrency - how many requests at once
 * @param options.ownershipTimeoutMs - how long the guest may be refused:
 *   it owns the example DAGs only once the catalog has ingested its groups
 */
export async function seedEnvironments(
  baseUrl,
  {
    entityRef,
    count,
    name = () => undefined,
    concurrency = 1,
    ownershipTimeoutMs = 120_000,
  },
) {
  let token = await guestToken(baseUrl);
  await waitForEntity(baseUrl, token, entityRef);
  const deadline = Date.now() + ownershipTimeoutMs;
  const create = async i => {
    for (;;) {
      const response = await fetch(`${baseUrl}/api/dag-cicd/environments`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          entityRef,
          stage: 'ci',
          name: name(i),
          commit: randomBytes(20).toString('hex'),
          profile: 'empty',
        }),
      });
      if (response.ok) return;
      if (response.status !== 403 || Date.now() > deadline) {
        throw new Error(
          `seeding failed: HTTP ${response.status} ${await response.text()}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
      // The guest's ownership is in its token's claims: a new one may carry it.
      token = await guestToken(baseUrl);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < count) await create(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await untilNoneProvisioning(baseUrl, token, entityRef);
}

/**
 * Waits until no environment of `entityRef` is provisioning, and throws
 * with the first failure if one failed: seeded means ready, and a store
 * that cannot be written (a missing data root) must fail the run rather than
 * show as red rows in a screenshot.
 */
async function untilNoneProvisioning(baseUrl, token, entityRef) {
  const page = async status => {
    const query = new URLSearchParams({ entityRef, status, limit: '1' });
    const response = await fetch(
      `${baseUrl}/api/dag-cicd/environments?${query}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (!response.ok) {
      throw new Error(`listing failed: HTTP ${response.status}`);
    }
    return response.json();
  };
  for (const deadline = Date.now() + 120_000; ; ) {
    const failed = await page('failed');
    if (failed.totalCount > 0) {
      throw new Error(
        `${failed.totalCount} seeded environments failed, e.g. ${failed.items[0].name}: ${failed.items[0].error}`,
      );
    }
    if ((await page('provisioning')).totalCount === 0) return;
    if (Date.now() > deadline) {
      throw new Error('seeded environments still provisioning after 2 min');
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/** A new page of `browser`, signed in to the portal as the guest. */
export async function signInAsGuest(browser, baseUrl) {
  const page = await browser.newPage({
    viewport: { width: 1400, height: 900 },
  });
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  // Signed in once the sidebar is there; navigating sooner signs out.
  await page
    .getByRole('link', { name: 'Environments' })
    .first()
    .waitFor({ timeout: 60_000 });
  return page;
}
