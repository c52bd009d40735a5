// The embedded file store starts with the example DAGs' production data and
// fixture sets (examples/data), so that every input profile works on a fresh
// machine. Existing folders are left alone: they may hold a developer's runs.
import fs from 'node:fs';
import path from 'node:path';
import { step } from './log.mjs';

export function seedExampleData(root) {
  const store = path.join(root, '.data', 'store');
  for (const folder of ['lake', 'fixtures']) {
    const target = path.join(store, folder);
    if (fs.existsSync(target)) continue;
    step(`Copying examples/data/${folder} into .data/store/${folder}`);
    fs.mkdirSync(store, { recursive: true });
    fs.cpSync(path.join(root, 'examples', 'data', folder), target, {
      recursive: true,
    });
  }
}
