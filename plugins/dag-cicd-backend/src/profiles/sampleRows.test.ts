import fc from 'fast-check';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { seededRandom } from './random';
import { InputError } from '@backstage/errors';
import { MAX_RECORD_BYTES } from './faults/RecordSplitter';
import { RecordFormat } from './records';
import { sampleRows } from './sampleRows';

async function sample(
  format: RecordFormat,
  parts: string[],
  fraction: number,
  seed = 7,
): Promise<string> {
  const filter = sampleRows({
    format,
    fraction,
    random: seededRandom(seed, 'part-0'),
    name: 'part-0.csv',
  });
  return (
    await buffer(Readable.from(parts.map(p => Buffer.from(p))).pipe(filter))
  ).toString();
}

const csv = [
  'id,note\n',
  ...Array.from({ length: 2000 }, (_, i) => `${i},"row\n${i}"\n`),
];

describe('sampleRows', () => {
  it('keeps every byte at fraction 1', async () => {
    expect(await sample('csv', csv, 1)).toBe(csv.join(''));
    expect(await sample('jsonl', ['{"a":1}\n{"a":2}'], 1)).toBe(
      '{"a":1}\n{"a":2}',
    );
  });

  it('keeps only the CSV header at fraction 0, and nothing of JSON Lines', async () => {
    expect(await sample('csv', csv, 0)).toBe('id,note\n');
    expect(await sample('jsonl', ['{"a":1}\n{"a":2}\n'], 0)).toBe('');
  });

  it('keeps about the fraction asked for, whole rows, in their order', async () => {
    const kept = await sample('csv', csv, 0.1);
    const rows = kept.match(/\d+,"row\n\d+"\n/g)!;
    expect(kept.startsWith('id,note\n')).toBe(true);
    expect(kept).toBe(`id,note\n${rows.join('')}`);
    expect(rows.length).toBeGreaterThan(140);
    expect(rows.length).toBeLessThan(260);
    const ids = rows.map(r => Number(r.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('keeps the same rows for the same seed, and others for another', async () => {
    const first = await sample('csv', csv, 0.1, 7);
    expect(await sample('csv', csv, 0.1, 7)).toBe(first);
    expect(await sample('csv', csv, 0.1, 8)).not.toBe(first);
  });

  it('keeps the same rows however the bytes arrive', async () => {
    const whole = await sample('csv', [csv.join('')], 0.3);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 500 }), async size => {
        const text = csv.join('');
        const parts = [];
        for (let i = 0; i < text.length; i += size) {
          parts.push(text.slice(i, i + size));
        }
        expect(await sample('csv', parts, 0.3)).toBe(whole);
      }),
      { numRuns: 30 },
    );
  });

  it('keeps blank lines before the CSV header, and the header', async () => {
    expect(await sample('csv', ['\r\n\nid\n1\n2\n'], 0)).toBe('\r\n\nid\n');
  });

  it('fails on a record too long to hold, rather than buffering the object', async () => {
    const unclosed = ['id\n"', 'x'.repeat(MAX_RECORD_BYTES)];
    await expect(sample('csv', unclosed, 0.5)).rejects.toThrow(InputError);
    await expect(sample('csv', unclosed, 0.5)).rejects.toThrow(
      /part-0.csv has a record longer than/,
    );
  });
});
