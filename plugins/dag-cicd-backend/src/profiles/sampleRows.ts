import { Transform } from 'node:stream';
import { RecordSplitter } from './faults/RecordSplitter';
import { RecordFormat } from './records';

/**
 * A stream that keeps a seeded fraction of the rows of a CSV or JSON Lines
 * object, and every byte of the rows it keeps. A CSV object's first non-blank
 * record is its header and is always kept, with any blank lines before it. `random` decides each row in turn, so the
 * same generator state gives the same rows; the output is a subsequence of
 * the input's records, never larger than the input.
 *
 * Kept rows are gathered per input chunk and pushed as one buffer, so that a
 * file of small rows costs one push per chunk, not one per row.
 */
export function sampleRows(options: {
  format: RecordFormat;
  /** The fraction of rows to keep, from 0 to 1. */
  fraction: number;
  random: () => number;
  /** What is being sampled, for errors. */
  name: string;
}): Transform {
  const { format, fraction, random } = options;
  const splitter = new RecordSplitter(format, options.name);
  let header = format === 'csv';
  let kept: Buffer[] = [];
  const keep = (record: Buffer, start: number, end: number) => {
    if (header) {
      // Like the fault injector: the header is the first non-blank line.
      header = isBlank(record, start, end);
      kept.push(record.subarray(start, end));
    } else if (random() < fraction) {
      // A view, not a copy: the chunk stays alive until it is pushed.
      kept.push(record.subarray(start, end));
    }
  };
  const pushKept = (stream: Transform) => {
    if (kept.length > 0) {
      stream.push(kept.length === 1 ? kept[0] : Buffer.concat(kept));
      kept = [];
    }
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        splitter.write(chunk, keep);
      } catch (error) {
        callback(error as Error);
        return;
      }
      pushKept(this);
      callback();
    },
    flush(callback) {
      splitter.end(keep);
      pushKept(this);
      callback();
    },
  });
}

function isBlank(record: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (record[i] !== 0x0a && record[i] !== 0x0d) return false;
  }
  return true;
}
