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

/**
 * The report lines of one file's rows: {@link reportLine}'s text, with the
 * file's part made once.
 */
export class RowReportLines {
  readonly #start: string;

  constructor(file: string) {
    this.#start = `{"file":${jsonString(file)},"fault":"`;
  }

  /** @param end - from {@link reportLineEnd} */
  line(fault: FaultName, row: number, sourceRow: number, end: string): string {
    return `${
      this.#start
    }${fault}","row":${row},"sourceRow":${sourceRow}${end}`;
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
  text: string,
  callback: (error?: Error) => void,
): void {
  if (text === '') {
    callback();
  } else if (report.destroyed || report.writableEnded) {
    callback(new Error('The fault report stream is closed'));
  } else if (report.write(text)) {
    callback();
  } else {
    drained(report).then(() => callback(), callback);
  }
}
