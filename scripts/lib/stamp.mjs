// A stamp records the hash of the inputs an install step was made from, so a
// repeated run can tell in milliseconds that there is nothing to do.
import { createHash } from 'node:crypto';
import fs from 'node:fs';

export function hashOf(files, extra = []) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
  }
  for (const value of extra) hash.update(String(value));
  return hash.digest('hex');
}

export function isStampCurrent(stampFile, hash) {
  return (
    fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === hash
  );
}

export function writeStamp(stampFile, hash) {
  fs.writeFileSync(stampFile, hash);
}
