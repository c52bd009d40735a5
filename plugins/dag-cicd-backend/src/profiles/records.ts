import { Transform } from 'node:stream';

/** The row-oriented formats whose objects can be split into records. */
export type RecordFormat = 'csv' | 'jsonl';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Finds record boundaries in a byte stream, chunk by chunk, without decoding
 * it: a JSON Lines record ends at every `\n`; a CSV record ends at a `\n`
 * outside double quotes, so a quoted field may hold newlines (RFC 4180; an
 * escaped quote `""` toggles twice and changes nothing). Both bytes are plain
 * ASCII and never occur inside a multi-byte UTF-8 character, so scanning bytes
 * is safe. Each record is handed over with its terminator (`\n` or `\r\n`),
 * so that writing the records back reproduces the input byte for byte.
 *
 * Only a record that spans chunks is copied; every other record is a view
 * into its chunk.
 */
export class RecordScanner {
  readonly #csv: boolean;
  #inQuotes = false;
  #pending: Buffer[] = [];

  constructor(format: RecordFormat) {
    this.#csv = format === 'csv';
  }

  /** Calls `onRecord` for every record that ends in this chunk. */
  write(chunk: Buffer, onRecord: (record: Buffer) => void): void {
    let start = 0;
    let position = 0;
    // Where the next quote is, looked up again only once passed.
    let quote = -1;
    while (position < chunk.length) {
      if (this.#csv && quote < position) {
        quote = chunk.indexOf(QUOTE, position);
        if (quote === -1) quote = chunk.length;
      }
      if (this.#inQuotes) {
        if (quote === chunk.length) break;
        this.#inQuotes = false;
        position = quote + 1;
        continue;
      }
      let newline = chunk.indexOf(NEWLINE, position);
      if (newline === -1) newline = chunk.length;
      if (this.#csv && quote < newline) {
        this.#inQuotes = true;
        position = quote + 1;
        continue;
      }
      if (newline === chunk.length) break;
      onRecord(this.#take(chunk, start, newline + 1));
      start = position = newline + 1;
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
    }
  }

  /** Calls `onRecord` for a last record that has no terminator, if any. */
  end(onRecord: (record: Buffer) => void): void {
    if (this.#pending.length > 0) {
      onRecord(Buffer.concat(this.#pending));
      this.#pending = [];
    }
  }

  #take(chunk: Buffer, start: number, end: number): Buffer {
    if (this.#pending.length === 0) {
      return chunk.subarray(start, end);
    }
    const record = Buffer.concat([...this.#pending, chunk.subarray(start, end)]);
    this.#pending = [];
    return record;
  }
}

/**
 * A stream that turns bytes into records: its readable side is in object
 * mode and emits one `Buffer` per record, terminator included (see
 * {@link RecordScanner}).
 */
export function splitRecords(format: RecordFormat): Transform {
  const scanner = new RecordScanner(format);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      scanner.write(chunk, record => this.push(record));
      callback();
    },
    flush(callback) {
      scanner.end(record => this.push(record));
      callback();
    },
  });
}
