import { once } from 'node:events';
import { Writable } from 'node:stream';
import { FaultName } from './FaultRates';

/** One line of the report: one fault injected, and where. */
export interface FaultReportEntry {
  file: string;
  fault: FaultName;
  /** The 1-based data row in the output (header excluded); absent for file faults. */
  row?: number;
  /** The 1-based data row of the input it came from. */
  sourceRow?: number;
  column?: string;
  detail?: string;
}

/** The report's last line for a file. */
export interface FaultReportSummary {
  file: string;
  summary: {
    rowsIn: number;
    rowsOut: number;
    /** Report lines per fault. */
    byFault: Record<FaultName, number>;
  };
}

// What JSON.stringify would escape in a string: a quote, a backslash, a
// control character, or a lone surrogate (any surrogate, to keep the test
// short: a pair just takes the slow way).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON: JSON.stringify's answer, without its cost for plain text. */
function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * The end of a row's report line, after its row numbers: column, detail and
 * the closing brace. Known before the row's output number is.
 */
export function reportLineEnd(column?: string, detail?: string): string {
  let json = '';
  if (column !== undefined) {
    json += `,"column":${jsonString(column)}`;
  }
  if (detail !== undefined) {
    json += `,"detail":${jsonString(detail)}`;
  }
  return `${json}}\n`;
}

/**
 * One report line, in the key order of {@link FaultReportEntry}. Written by
 * hand: JSON.stringify of one object per line was a fair share of the time
 * spent at high rates.
 */
export function reportLine(entry: FaultReportEntry): string {
  let json = `{"file":${jsonString(entry.file)},"fault":"${entry.fault}"`;
  if (entry.row !== undefined) {
    json += `,"row":${entry.row},"sourceRow":${entry.sourceRow}`;
  }
  return json + reportLineEnd(entry.column, entry.detail);
}

const ROW = Buffer.from('","row":');
const SOURCE_ROW = Buffer.from(',"sourceRow":');
const COPY_OF_ROW = Buffer.from(',"detail":"copy of row ');
const COPY_END = Buffer.from('"}\n');

/** Bytes of report written into one block of memory before the next is taken. */
const BLOCK = 256 * 1024;

/**
 * One file's report, written as bytes line after line: {@link reportLine}'s
 * text, without a string per line to build, join and encode again, which at
 * a few faults per hundred rows cost a fair share of the injector's time.
 * `take` hands over what was written since the last call, as a view of a
 * block that is never written over: one allocation per block, not per call.
 */
export class ReportWriter {
  readonly #start: Buffer;
  /** Each fault's line start, up to its row number. */
  readonly #faults = new Map<FaultName, Buffer>();
  #bytes = Buffer.allocUnsafe(BLOCK);
  /** Where the bytes not taken yet start, and end. */
  #taken = 0;
  #length = 0;

  constructor(file: string) {
    this.#start = Buffer.from(`{"file":${jsonString(file)},"fault":"`);
  }

  /** Whole lines of text. */
  text(lines: string): void {
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    this.#room(lines.length * 3);
    this.#length += this.#bytes.write(lines, this.#length);
  }

  /** Lines already written as bytes. */
  bytes(lines: Buffer): void {
    this.#room(lines.length);
    if (lines.length < 64) {
      // A few bytes are copied faster by hand than by a call into memcpy.
      const bytes = this.#bytes;
      let at = this.#length;
      for (let i = 0; i < lines.length; i++) bytes[at++] = lines[i];
    } else {
      this.#bytes.set(lines, this.#length);
    }
    this.#length += lines.length;
  }

  /**
   * A row's line; `end` from {@link reportLineEnd} (as text, or as bytes when
   * it is written often), or none for a duplicate, whose detail names the row
   * it copies.
   */
  row(
    fault: FaultName,
    row: number,
    sourceRow: number,
    end?: string | Buffer,
  ): void {
    // The line up to its row number is the same for every line of a fault.
    let start = this.#faults.get(fault);
    if (!start) {
      start = Buffer.concat([this.#start, Buffer.from(fault), ROW]);
      this.#faults.set(fault, start);
    }
    this.#room(start.length + 80);
    this.bytes(start);
    this.#number(row);
    this.bytes(SOURCE_ROW);
    this.#number(sourceRow);
    if (end === undefined) {
      this.bytes(COPY_OF_ROW);
      this.#number(row - 1);
      this.bytes(COPY_END);
    } else if (typeof end === 'string') {
      this.text(end);
    } else {
      this.bytes(end);
    }
  }

  /** Everything written since the last call. */
  take(): Buffer {
    const taken = this.#bytes.subarray(this.#taken, this.#length);
    this.#taken = this.#length;
    return taken;
  }

  /** A whole number, in decimal, as JavaScript writes it. */
  #number(value: number): void {
    let digits = 1;
    for (let power = 10; power <= value; power *= 10) digits++;
    this.#room(digits);
    let at = this.#length + digits;
    this.#length = at;
    let rest = value;
    do {
      this.#bytes[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** Makes room for `bytes` more: in a new block when this one is full, the bytes not taken yet moved along. */
  #room(bytes: number): void {
    if (this.#length + bytes <= this.#bytes.length) return;
    const pending = this.#length - this.#taken;
    const block = Buffer.allocUnsafe(Math.max(BLOCK, 2 * (pending + bytes)));
    this.#bytes.copy(block, 0, this.#taken, this.#length);
    this.#bytes = block;
    this.#taken = 0;
    this.#length = pending;
  }
}

/** Resolves once `stream` drains; fails if it errors or closes first. */
async function drained(stream: Writable): Promise<void> {
  const stop = new AbortController();
  try {
    // `once` rejects if the stream emits 'error' first.
    await Promise.race([
      once(stream, 'drain', { signal: stop.signal }),
      once(stream, 'close', { signal: stop.signal }).then(() => {
        throw new Error('The fault report stream closed before it drained');
      }),
    ]);
  } finally {
    stop.abort();
  }
}

/**
 * Writes report lines, and calls back once the report can take more: at
 * once, or when it drains. Whoever waits for the callback before producing
 * more keeps the report's memory flat, however many faults there are.
 */
export function writeReport(
  report: Writable,
  lines: Buffer,
  callback: (error?: Error) => void,
): void {
  if (lines.length === 0) {
    callback();
  } else if (report.destroyed || report.writableEnded) {
    callback(new Error('The fault report stream is closed'));
  } else if (report.write(lines)) {
    callback();
  } else {
    drained(report).then(() => callback(), callback);
  }
}
