import request from 'supertest';

/**
 * The status an environment settles on (`ready`, `failed`), polled through
 * the API as a client would, every 50 ms for up to 5 s; still
 * `provisioning` after that.
 */
export async function settledStatus(
  server: Parameters<typeof request>[0],
  id: string,
  authorization: string,
): Promise<string> {
  let status = 'provisioning';
  for (let i = 0; i < 100 && status === 'provisioning'; i++) {
    if (i > 0) await new Promise(r => setTimeout(r, 50));
    const got = await request(server)
      .get(`/api/dag-cicd/environments/${id}`)
      .set('Authorization', authorization);
    status = got.body.status;
  }
  return status;
}
