// `yarn bench`: runs every benchmark (`plugins/*/bench/*.bench.ts`), one
// process each so that one benchmark's heap and JIT state cannot skew the
// next. Each prints its figures next to a baseline measured in the same run.
// `yarn bench <word>` runs only the benchmarks whose file name contains it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

const files = fs
  .readdirSync(path.join(root, 'plugins'))
  .flatMap(plugin => {
    const dir = path.join(root, 'plugins', plugin, 'bench');
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter(f => f.endsWith('.bench.ts'))
          .map(f => path.join(dir, f))
      : [];
  })
  .filter(f => filters.every(w => path.basename(f).includes(w)))
  .sort();

// The UI benchmark drives Chromium against the built app, which the TS
// runner cannot host: a script of its own, picked by the word `ui`.
if (filters.length > 0 && filters.every(w => 'table.ui'.includes(w))) {
  files.push(path.join(root, 'scripts', 'bench-ui.mjs'));
}

if (files.length === 0) {
  console.error(`No benchmark matches ${filters.join(' ')}`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  console.log(`\n# ${path.relative(root, file)}`);
  const result = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--require',
      '@backstage/cli-node/config/nodeTransform.cjs',
      file,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
