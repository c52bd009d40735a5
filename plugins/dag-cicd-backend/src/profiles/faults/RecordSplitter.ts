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
 * Splits a byte stream into records, chunk by chunk, without decoding it and
 * without allocating per record: JSON Lines records end at every `\n`; CSV
 * records at a `\n` outside double quotes, so a quoted field may hold line
 * breaks (RFC 4180: a quote toggles quoting, and an escaped `""` toggles it
 * twice). Both bytes are ASCII and never part of a multi-byte UTF-8
 * character. The same rule as `RecordScanner` in `../records`, for the
 * injector's hot loop: positions instead of one view per record.
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

  write(chunk: Buffer, onRecord: OnRecord): void {
    const length = chunk.length;
    let start = 0;
    let position = 0;
    // The next quote and line feed at or after `position`, looked up again
    // only once passed; `length` when there is none.
    let quote = this.#quotes ? -1 : length;
    let newline = -1;
    while (position < length) {
      if (quote < position) {
        quote = chunk.indexOf(QUOTE, position);
        if (quote === -1) quote = length;
      }
      if (this.#inQuotes) {
        if (quote === length) break;
        this.#inQuotes = false;
        position = quote + 1;
        continue;
      }
      if (newline < position) {
        newline = chunk.indexOf(LF, position);
        if (newline === -1) newline = length;
      }
      if (quote < newline) {
        this.#inQuotes = true;
        position = quote + 1;
        continue;
      }
      if (newline === length) break;
      position = newline + 1;
      if (this.#pending.length === 0) {
        onRecord(chunk, start, position);
      } else {
        const record = this.#takePending(chunk.subarray(start, position));
        onRecord(record, 0, record.length);
      }
      start = position;
    }
    if (start < length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += length - start;
      if (this.#pendingBytes > MAX_RECORD_BYTES) {
        throw new InputError(
          `${this.#name} has a record longer than ${
            MAX_RECORD_BYTES / 2 ** 20
          } MiB${this.#inQuotes ? ', probably from an unclosed quote' : ''}`,
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
