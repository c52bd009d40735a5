import { InputError } from '@backstage/errors';
import { DataFormat } from './formats';

const QUOTE = 0x22;
const LF = 0x0a;

/** Records longer than this are refused rather than buffered: in practice, an unclosed quote. */
export const MAX_RECORD_BYTES = 64 * 2 ** 20;

/**
 * Receives one record: `buffer` from `start` to `end`, line ending included
 * (none for a last record without one). `buffer` is the chunk itself unless
 * the record spans chunks; it is only valid during the call, unless copied
 * or held as a view.
 */
export type OnRecord = (buffer: Buffer, start: number, end: number) => void;

/**
 * A reader that lets most records pass unseen: the splitter asks how many
 * rows may pass, and hands over runs of whole records in place of one call
 * per record. Blank lines are not rows (see {@link isBlankLine}); they pass
 * with the rows around them.
 */
export interface RecordRuns {
  /** How many rows, from the next record on, may pass unseen; 0 to see the next record. */
  passable(): number;
  /**
   * Whole records, line endings included, from `start` to `end` of
   * `buffer` (the chunk itself): `rows` rows, at most what `passable` said,
   * the last one ending the run, and any blank lines before them.
   */
  passed(buffer: Buffer, start: number, end: number, rows: number): void;
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;

/**
 * Whether a record (from `start` to the line feed at `end`) is a blank line,
 * which is no row: in CSV an empty line (a line of spaces is a row with one
 * value), in JSON Lines a line of spaces, tabs and carriage returns. The
 * fault injector's rule for the lines it is handed one by one.
 */
function isBlankLine(
  quotes: boolean,
  buffer: Buffer,
  start: number,
  end: number,
): boolean {
  if (quotes) {
    return end === start || (end === start + 1 && buffer[start] === CR);
  }
  for (let i = start; i < end; i++) {
    const byte = buffer[i];
    if (byte !== SPACE && byte !== TAB && byte !== CR) return false;
  }
  return true;
}

/**
 * Splits a byte stream into records, chunk by chunk, without decoding it and
 * without allocating per record: JSON Lines records end at every `\n`; CSV
 * records at a `\n` outside double quotes, so a quoted field may hold line
 * breaks (RFC 4180: a quote toggles quoting, and an escaped `""` toggles it
 * twice). Both bytes are ASCII and never part of a multi-byte UTF-8
 * character. The one splitter of the row formats: the row sample and the
 * fault injector both read records through it, as positions in the chunk
 * rather than one view per record.
 *
 * A record that spans chunks is the only thing buffered; one longer than
 * {@link MAX_RECORD_BYTES} fails the stream instead of filling memory.
 */
export class RecordSplitter {
  readonly #quotes: boolean;
  readonly #name: string;
  #inQuotes = false;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  /** @param name - what is being split, for the error message */
  constructor(format: DataFormat, name: string) {
    this.#quotes = format === 'csv';
    this.#name = name;
  }

  /**
   * Hands every record that ends in `chunk` to `onRecord`, or, with `runs`,
   * those that `runs` does not let pass unseen.
   */
  write(chunk: Buffer, onRecord: OnRecord, runs?: RecordRuns): void {
    const length = chunk.length;
    const quotes = this.#quotes;
    let inQuotes = this.#inQuotes;
    let start = 0;
    let position = 0;
    // The next quote and line feed at or after `position`, looked up again
    // only once passed; `length` when there is none.
    let quote = quotes ? -1 : length;
    let newline = -1;
    // The run of records passing unseen: from `runStart` to `start`, with
    // `rows` rows of the `allowance` that `runs` gave. A record completing
    // one that spans chunks is always handed over.
    let allowance = runs && this.#pending.length === 0 ? runs.passable() : 0;
    let runStart = 0;
    let rows = 0;
    while (position < length) {
      if (quote < position) {
        quote = chunk.indexOf(QUOTE, position);
        if (quote === -1) quote = length;
      }
      if (inQuotes) {
        if (quote === length) break;
        inQuotes = false;
        position = quote + 1;
        continue;
      }
      if (newline < position) {
        newline = chunk.indexOf(LF, position);
        if (newline === -1) newline = length;
      }
      if (quote < newline) {
        inQuotes = true;
        position = quote + 1;
        continue;
      }
      if (newline === length) break;
      position = newline + 1;
      if (allowance > 0) {
        if (!isBlankLine(quotes, chunk, start, newline)) rows++;
        start = position;
        if (rows === allowance) {
          runs!.passed(chunk, runStart, start, rows);
          runStart = start;
          rows = 0;
          allowance = runs!.passable();
        }
        continue;
      }
      if (this.#pending.length === 0) {
        onRecord(chunk, start, position);
      } else {
        const record = this.#takePending(chunk.subarray(start, position));
        onRecord(record, 0, record.length);
      }
      start = position;
      runStart = start;
      if (runs) allowance = runs.passable();
    }
    this.#inQuotes = inQuotes;
    if (start > runStart) {
      runs!.passed(chunk, runStart, start, rows);
    }
    if (start < length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += length - start;
      if (this.#pendingBytes > MAX_RECORD_BYTES) {
        throw new InputError(
          `${this.#name} has a record longer than ${
            MAX_RECORD_BYTES / 2 ** 20
          } MiB${inQuotes ? ', probably from an unclosed quote' : ''}`,
        );
      }
    }
  }

  /** Hands over a last record without a line ending, if any. */
  end(onRecord: OnRecord): void {
    if (this.#pending.length > 0) {
      const record = this.#takePending();
      onRecord(record, 0, record.length);
    }
  }

  #takePending(last?: Buffer): Buffer {
    const parts = last ? [...this.#pending, last] : this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}
