import { createHash } from 'node:crypto';

/**
 * A seeded hash of a key: 64 bits as 16 hex digits, so that comparing two
 * hashes as strings compares them as numbers. The same seed and key give the
 * same hash on every machine, which is what makes a sample reproducible.
 */
export function seededHash(seed: number, key: string): string {
  return createHash('sha256')
    .update(`${seed}\u0000${key}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * A seeded pseudo-random generator of numbers in [0, 1), one stream per
 * (seed, key): sfc32, seeded from the SHA-256 of both. Not cryptographic; it
 * only has to be fast, uniform and the same everywhere.
 */
export function seededRandom(seed: number, key: string): () => number {
  const digest = createHash('sha256').update(`${seed}\u0000${key}`).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // sfc32's first outputs still echo the seed; the reference discards them.
  for (let i = 0; i < 12; i++) next();
  return next;
}
