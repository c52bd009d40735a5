import { Transform } from 'node:stream';
import { RecordFormat, RecordScanner } from './records';

/**
 * A stream that keeps a seeded fraction of the rows of a CSV or JSON Lines
 * object, and every byte of the rows it keeps. A CSV object's first record is
 * its header and is always kept. `random` decides each row in turn, so the
 * same generator state gives the same rows; the output is a subsequence of
 * the input's records and never larger than the input.
 *
 * Kept rows are gathered per input chunk and pushed as one buffer, so that a
 * file of small rows costs one push per chunk, not one per row.
 */
export function sampleRows(options: {
  format: RecordFormat;
  /** The fraction of rows to keep, from 0 to 1. */
  fraction: number;
  random: () => number;
}): Transform {
  const { format, fraction, random } = options;
  const scanner = new RecordScanner(format);
  let header = format === 'csv';
  const keep = (record: Buffer, kept: Buffer[]) => {
    if (header) {
      header = false;
      kept.push(record);
    } else if (random() < fraction) {
      kept.push(record);
    }
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const kept: Buffer[] = [];
      scanner.write(chunk, record => keep(record, kept));
      if (kept.length > 0) {
        this.push(kept.length === 1 ? kept[0] : Buffer.concat(kept));
      }
      callback();
    },
    flush(callback) {
      const kept: Buffer[] = [];
      scanner.end(record => keep(record, kept));
      if (kept.length > 0) {
        this.push(kept[0]);
      }
      callback();
    },
  });
}
