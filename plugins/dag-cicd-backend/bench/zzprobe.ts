import { RunStore } from '../src/runs/RunStore';
import { EnvironmentService } from '../src/service/EnvironmentService';
import { AirflowClientBase } from '../src/airflow/AirflowClientBase';
const totals: Record<string, [number, number]> = {};
function wrap(proto: any, name: string, label: string) {
  const orig = proto[name];
  proto[name] = async function (...args: any[]) {
    const t = performance.now();
    try { return await orig.apply(this, args); } finally {
      const e = (totals[label] ??= [0, 0]); e[0] += performance.now() - t; e[1]++;
    }
  };
}
wrap(RunStore.prototype, 'update', 'store.update');
wrap(RunStore.prototype, 'saveManifests', 'store.saveManifests');
wrap(RunStore.prototype, 'findActive', 'store.findActive');
wrap(EnvironmentService.prototype, 'getUnchecked', 'env.getUnchecked');
wrap(AirflowClientBase.prototype, 'listTaskInstances', 'client.listTaskInstances');
wrap(AirflowClientBase.prototype, 'listDagRunsBatch', 'client.listDagRunsBatch');
process.on('exit', () => { for (const [k, [t, n]] of Object.entries(totals)) console.log(k, n, (t / n).toFixed(3), 'ms avg', t.toFixed(0), 'total'); });
require('./runSync.bench');
