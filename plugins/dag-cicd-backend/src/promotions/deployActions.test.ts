import { createAirflowClient } from '@dag-cicd/plugin-dag-cicd-node';
import {
  airflowMockServer,
  jwt,
  v1,
  v2,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import { DeployContext } from '@dag-cicd/plugin-dag-cicd-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  noneDeployAction,
  setVariableDeployAction,
  triggerDagDeployAction,
  webhookDeployAction,
} from './deployActions';

const msw = airflowMockServer();
const SHA = 'ab12cd3'.padEnd(40, '0');

const context: DeployContext = {
  promotion: {
    id: '6a1f9c1e-0000-4000-8000-000000000001',
    entityRef: 'component:default/orders',
    ownerRef: 'group:default/data',
    commit: SHA,
    fromStage: 'staging',
    toStage: 'production',
    toProduction: true,
    requestedBy: 'user:default/alice',
    requestedAt: new Date('2026-11-24T10:00:00Z'),
  },
  instance: 'prod',
  dagId: 'orders_daily',
};

function airflow(apiVersion: 'v1' | 'v2') {
  const mock = msw.mock(apiVersion, `http://airflow-${apiVersion}.test`);
  if (apiVersion === 'v2') mock.tokens(jwt(4_102_444_800));
  const client = createAirflowClient({
    name: 'prod',
    baseUrl: `http://airflow-${apiVersion}.test`,
    apiVersion,
    auth:
      apiVersion === 'v2'
        ? { type: 'simple', username: 'admin', password: 'pw' }
        : { type: 'basic', username: 'admin', password: 'pw' },
    timeoutMs: 2000,
    retries: 0,
  } as any);
  return { mock, clients: { get: () => client } };
}

// A webhook receiver on a free local port that answers `status`.
async function receiver(status: number, delayMs = 0) {
  const bodies: any[] = [];
  const timers: NodeJS.Timeout[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => {
      bodies.push({ headers: req.headers, body: JSON.parse(text) });
      timers.push(
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: status < 300 }));
        }, delayMs),
      );
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/deploy`,
    bodies,
    close: () => {
      timers.forEach(clearTimeout);
      server.closeAllConnections();
      return new Promise(resolve => server.close(resolve));
    },
  };
}

describe('deploy actions', () => {
  it('none succeeds and takes no options', async () => {
    await expect(noneDeployAction.run({}, context)).resolves.toMatchObject({
      status: 'succeeded',
    });
    expect(() => noneDeployAction.validateOptions({ url: 'x' })).toThrow(
      'unknown option "url" of none; its options are none',
    );
  });

  it.each(['v2', 'v1'] as const)(
    'trigger-dag starts the deployment DAG with the commit in its conf (%s)',
    async apiVersion => {
      const { mock, clients } = airflow(apiVersion);
      const api = `/api/${apiVersion}`;
      const fixtures = apiVersion === 'v2' ? v2 : v1;
      mock.on('POST', `${api}/dags/{dag_id}/dagRuns`, ({ params, body }) => ({
        body: fixtures.dagRun(params.dag_id, body.dag_run_id, {
          conf: body.conf,
          state: 'queued',
        }),
      }));
      const action = triggerDagDeployAction(clients);
      const options = action.validateOptions({
        dagId: 'deploy_orders',
        conf: { target: 'prod' },
      });
      const outcome = await action.run(options, context);
      expect(outcome).toMatchObject({
        status: 'succeeded',
        output: { instance: 'prod', dagId: 'deploy_orders' },
      });
      const sent = mock.calls('POST', `${api}/dags/{dag_id}/dagRuns`)[0];
      expect(sent.params.dag_id).toBe('deploy_orders');
      expect(sent.body.conf).toEqual({
        target: 'prod',
        dag_cicd: {
          commit: SHA,
          promotion: expect.objectContaining({
            id: context.promotion.id,
            commit: SHA,
            toStage: 'production',
          }),
        },
      });
      expect(() => action.validateOptions({})).toThrow(
        'trigger-dag needs the option dagId',
      );
    },
  );

  it.each(['v2', 'v1'] as const)(
    'set-variable sets an Airflow Variable to the commit (%s)',
    async apiVersion => {
      const { mock, clients } = airflow(apiVersion);
      const api = `/api/${apiVersion}`;
      mock.on(
        'PATCH',
        `${api}/variables/{variable_key}`,
        ({ params, body }) => ({
          body:
            apiVersion === 'v2'
              ? {
                  key: params.variable_key,
                  value: body.value,
                  is_encrypted: false,
                }
              : { key: params.variable_key, value: body.value },
        }),
      );
      const action = setVariableDeployAction(clients);
      const outcome = await action.run(
        action.validateOptions({ key: 'orders_{stage}_commit' }),
        context,
      );
      expect(outcome).toMatchObject({
        status: 'succeeded',
        output: { key: 'orders_production_commit', value: SHA },
      });
      expect(
        mock.calls('PATCH', `${api}/variables/{variable_key}`)[0].body,
      ).toEqual({ key: 'orders_production_commit', value: SHA });
    },
  );

  describe('webhook', () => {
    it('POSTs the promotion as JSON; 2xx succeeds', async () => {
      const hook = await receiver(202);
      try {
        const action = webhookDeployAction();
        const outcome = await action.run(
          action.validateOptions({
            url: hook.url,
            headers: { authorization: 'Bearer t' },
          }),
          context,
        );
        expect(outcome).toEqual({
          status: 'succeeded',
          detail: `The webhook ${hook.url} answered 202`,
          output: { status: 202, body: { accepted: true } },
        });
        expect(hook.bodies[0].headers.authorization).toBe('Bearer t');
        expect(hook.bodies[0].body.promotion).toMatchObject({
          commit: SHA,
          entity: 'component:default/orders',
          toStage: 'production',
        });
      } finally {
        await hook.close();
      }
    });

    it('fails on a non-2xx answer and on no answer in time', async () => {
      const refusing = await receiver(500);
      const slow = await receiver(200, 2000);
      try {
        const action = webhookDeployAction();
        const refused = await action.run(
          action.validateOptions({ url: refusing.url }),
          context,
        );
        expect(refused).toMatchObject({
          status: 'failed',
          detail: `The webhook ${refusing.url} answered 500 Internal Server Error`,
        });
        const late = await action.run(
          action.validateOptions({ url: slow.url, timeoutMs: 50 }),
          context,
        );
        expect(late).toMatchObject({
          status: 'failed',
          detail: `The webhook ${slow.url} did not answer within 50 ms`,
        });
      } finally {
        await refusing.close();
        await slow.close();
      }
    });

    it('refuses options it cannot use', () => {
      const action = webhookDeployAction();
      expect(() => action.validateOptions({})).toThrow(
        'webhook needs the option url',
      );
      expect(() =>
        action.validateOptions({ url: 'file:///etc/passwd' }),
      ).toThrow('url must be http or https, not file:');
      expect(() =>
        action.validateOptions({ url: 'https://x.test', timeoutMs: 0 }),
      ).toThrow('timeoutMs must be an integer from 1 to 300000');
    });
  });
});
