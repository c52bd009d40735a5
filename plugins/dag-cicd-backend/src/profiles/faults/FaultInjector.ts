import { InputError } from '@backstage/errors';
import { Transform, TransformCallback, Writable } from 'node:stream';
import { CsvRows } from './csvRows';
import { DataFormat } from './formats';
import { Draws } from './draws';
import {
  FAULT_NAMES,
  FaultName,
  FaultRates,
  validateFaultRates,
} from './FaultRates';
import {
  FaultReportEntry,
  FaultReportSummary,
  reportLine,
  reportLineEnd,
  ReportWriter,
  writeReport,
} from './FaultReport';
import { JsonRows } from './jsonRows';
import { OutputPieces } from './OutputPieces';
import { RecordRuns, RecordSplitter } from './RecordSplitter';
import { Cell, Rows } from './rows';
import { isTimestampName, shiftTimestamp } from './timestamps';

export interface FaultInjectorOptions {
  format: DataFormat;
  /** Decides every fault; an unsigned 32-bit integer. */
  seed: number;
  /** The object's key, e.g. `events/part-0.csv`: mixed into the seed so that files differ, and named in the report. */
  file: string;
  rates: FaultRates;
  /** Default: the first column named ts, timestamp, event_time or *_at; without one, `late` and `outOfOrder` do nothing. */
  timestampColumn?: string;
  /** How far `late` moves a timestamp back, in ms; default 3 days. */
  lateBy?: number;
  /**
   * Receives the report as JSON Lines, with backpressure respected. Never
   * ended by the injector, so that one report can collect many files.
   */
  report: Writable;
}

const DEFAULT_LATE_BY = 3 * 86_400_000;
/** A row held back by `outOfOrder` comes out after at most this many later rows: the bound of the buffer. */
const MAX_DELAY = 16;
/** A truncated file loses at most this many rows after the row it is cut in. */
const MAX_ROWS_AFTER_CUT = 15;

/** Bytes of input the injector accepts ahead of its work: a bound, whatever the file size. */
const INPUT_BUFFER = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// Decided per row, in this order; bit i of a row's hits is ROW_FAULTS[i].
const ROW_FAULTS = [
  'malformed',
  'nulls',
  'duplicates',
  'late',
  'outOfOrder',
] as const;

// The bits of ROW_FAULTS.
const MALFORMED = 1;
const NULLS = 2;
const DUPLICATES = 4;
const LATE = 8;
const OUT_OF_ORDER = 16;
const CHANGES_VALUES = MALFORMED | NULLS | LATE;

/** The draft of every duplicate: its detail names its row, known once emitted. */
const DUPLICATE: Draft = { fault: 'duplicates' };

/** Report line ends kept for reuse per kind (see remembered). */
const MAX_LINE_ENDS = 1024;

const DRIFT_KINDS = ['drop', 'rename', 'retype'] as const;
type DriftKind = (typeof DRIFT_KINDS)[number];

interface Drift {
  kind: DriftKind;
  /** The column's position in the source header or first JSON object. */
  index: number;
  column: string;
  renamedTo?: string;
}

/** The column `late` and `outOfOrder` work on, found once the columns are read. */
interface TimestampColumn {
  name: string;
  /**
   * A `late` report line's end up to its detail: the same for every late
   * row, since this is the only column `late` moves.
   */
  lateLineStart: string;
}

/** A fault on a row whose output row number is not known yet. */
interface Draft {
  fault: FaultName;
  /** Its report line after the row numbers (see reportLineEnd); for a duplicate, made once its row is known. */
  end?: string | Buffer;
}

/** A row on its way out. */
interface Entry {
  content: Buffer;
  eol: Buffer;
  sourceRow: number;
  drafts?: Draft[];
}

/** A row (and maybe its duplicate) held back by `outOfOrder`. */
interface Held {
  entries: Entry[];
  sourceRow: number;
  releaseAfter: number;
  /** How many rows from later in the input have been emitted since. */
  passedBy: number;
}

/** A finished report line. */
interface Line {
  fault: FaultName;
  bytes: Buffer;
}

/** An emitted row waiting in the tail of a file that will be truncated. */
interface TailRow {
  content: Buffer;
  eol: Buffer;
  /** Blank lines that followed it. */
  after: Buffer[];
  row: number;
  sourceRow: number;
  lines?: Line[];
}

interface Output {
  output: Buffer[];
  report: Buffer;
}

/**
 * The end of a report line that repeats (a column nulled, a way a row was
 * broken, how far a row fell behind), made once and as bytes: kept in `ends`
 * by `key` while there are few of them, since JSON rows may all have
 * different keys.
 */
function remembered<K>(
  ends: Map<K, Buffer>,
  key: K,
  column: string | undefined,
  detail?: string,
): Buffer {
  let end = ends.get(key);
  if (end === undefined) {
    end = Buffer.from(reportLineEnd(column, detail));
    if (ends.size < MAX_LINE_ENDS) ends.set(key, end);
  }
  return end;
}

/**
 * The end of the report line of a timestamp moved back, written without
 * looking for characters to escape: both times matched a timestamp's shape
 * (digits, signs, separators), which JSON leaves as they are.
 */
function lateLineEnd(
  timestamp: TimestampColumn,
  from: string,
  to: string,
): string {
  return `${timestamp.lateLineStart}${from} -> ${to}"}\n`;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CR;
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/**
 * The injector itself, free of streams: bytes in, bytes and report lines
 * out, one chunk at a time. Every decision comes from the fault's seeded
 * stream and the rows' content, never from where a chunk ends; memory is a
 * few rows (at most 2 × MAX_DELAY held back, MAX_ROWS_AFTER_CUT + 1 in the
 * tail) plus the current chunk.
 */
class FaultInjection implements RecordRuns {
  readonly #file: string;
  readonly #csv: boolean;
  readonly #rows: Rows;
  /** The same as `#rows`, for a CSV file. */
  readonly #csvRows?: CsvRows;
  readonly #splitter: RecordSplitter;
  readonly #rates: Record<FaultName, number>;
  readonly #draws: Record<FaultName, Draws>;
  readonly #lateBy: number;
  readonly #timestampOption?: string;

  // File faults, decided up front.
  readonly #empty: boolean;
  readonly #driftKind?: DriftKind;
  /** Rows kept in the tail when the file will be truncated: the cut row and those after it. */
  readonly #tailSize?: number;

  /** The file's first bytes, until it is known whether they are a BOM. */
  #head: Buffer | undefined = Buffer.alloc(0);
  /** A CSV file's header until the first data row decides its drift. */
  #header?: { content: Buffer; eol: Buffer };
  #settled = false;
  #drift?: Drift;
  #driftLine?: Line;
  /** Whether drift changes every row (it changes only the header when a CSV column is renamed). */
  #driftsRows = false;
  /** Whether rows no fault hits can pass straight through (no drift to apply, no tail to keep). */
  #fastPath = false;
  #timestamp?: TimestampColumn;
  /** Each row fault's rate and draws, in the order of ROW_FAULTS. */
  readonly #rowRates: number[];
  readonly #rowDraws: Draws[];
  /** The next row each row fault hits, in the order of ROW_FAULTS. */
  readonly #next = ROW_FAULTS.map(() => Infinity);
  /** The first of those. */
  #nextHit = Infinity;
  #held: Held[] = [];
  #nextRelease = Infinity;
  #tail?: TailRow[];
  #rowsIn = 0;
  #rowsOut = 0;
  #droppedBytes = 0;
  #eolKnown = false;
  readonly #byFault = Object.fromEntries(
    FAULT_NAMES.map(name => [name, 0]),
  ) as Record<FaultName, number>;

  /** Lines of rows in the tail of a file to be truncated, made ahead of their turn. */
  readonly #tailLines: ReportWriter;
  /** Report line ends by column nulled, and by way a row was broken (see remembered). */
  readonly #nullEnds = new Map<string, Buffer>();
  readonly #malformedEnds = new Map<string, Buffer>();
  /** By how many later rows overtook the row. */
  readonly #outOfOrderEnds = new Map<number, Buffer>();
  readonly #chooseMalformed = (n: number) => this.#draws.malformed.below(n);

  // What the current call produces.
  readonly #out = new OutputPieces();
  readonly #report: ReportWriter;

  constructor(options: FaultInjectorOptions) {
    const { format, seed, file, lateBy, timestampColumn } = options;
    if (format !== 'csv' && format !== 'jsonl') {
      throw new InputError(
        `format must be "csv" or "jsonl", got ${describe(format)}`,
      );
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InputError(
        `seed must be an unsigned 32-bit integer, got ${describe(seed)}`,
      );
    }
    if (lateBy !== undefined && !(Number.isSafeInteger(lateBy) && lateBy > 0)) {
      throw new InputError(
        `lateBy must be a positive whole number of milliseconds, got ${describe(
          lateBy,
        )}`,
      );
    }
    if (
      timestampColumn !== undefined &&
      (typeof timestampColumn !== 'string' || timestampColumn === '')
    ) {
      throw new InputError(
        `timestampColumn must be a column name, got ${describe(
          timestampColumn,
        )}`,
      );
    }
    const rates = validateFaultRates(options.rates, 'rates');
    this.#file = file;
    this.#report = new ReportWriter(file);
    this.#tailLines = new ReportWriter(file);
    this.#csv = format === 'csv';
    this.#csvRows = this.#csv ? new CsvRows() : undefined;
    this.#rows = this.#csvRows ?? new JsonRows();
    this.#splitter = new RecordSplitter(format, file);
    this.#lateBy = lateBy ?? DEFAULT_LATE_BY;
    this.#timestampOption = timestampColumn;
    this.#rates = Object.fromEntries(
      FAULT_NAMES.map(name => [name, rates[name] ?? 0]),
    ) as Record<FaultName, number>;
    this.#draws = Object.fromEntries(
      FAULT_NAMES.map(name => [name, new Draws(seed, file, name)]),
    ) as Record<FaultName, Draws>;

    this.#rowRates = ROW_FAULTS.map(fault => this.#rates[fault]);
    this.#rowDraws = ROW_FAULTS.map(fault => this.#draws[fault]);

    // Every file fault is drawn whatever the others decide, so that one's
    // rate never moves another. An empty file has nothing to drift or cut.
    this.#empty = this.#draws.empty.chance(this.#rates.empty);
    const drifts = this.#draws.drift.chance(this.#rates.drift);
    const driftKind = drifts
      ? DRIFT_KINDS[this.#draws.drift.below(DRIFT_KINDS.length)]
      : undefined;
    const truncated = this.#draws.truncated.chance(this.#rates.truncated);
    const tailSize = truncated
      ? 1 + this.#draws.truncated.below(MAX_ROWS_AFTER_CUT + 1)
      : undefined;
    if (!this.#empty) {
      this.#driftKind = driftKind;
      this.#tailSize = tailSize;
      this.#tail = tailSize === undefined ? undefined : [];
    }
  }

  push(chunk: Buffer): Output {
    let data: Buffer | undefined = chunk;
    if (this.#head !== undefined) {
      data = this.#readHead(chunk);
    }
    if (data) {
      this.#splitter.write(data, this.#onRecord, this);
    }
    return this.#take();
  }

  end(): Output {
    if (this.#head !== undefined) {
      // Fewer than three bytes, all a prefix of a BOM: data after all.
      const head = this.#head;
      this.#head = undefined;
      this.#splitter.write(head, this.#onRecord, this);
    }
    this.#splitter.end(this.#onRecord);
    if (!this.#settled) {
      this.#settle(undefined);
    }
    const held = this.#held;
    this.#held = [];
    for (const h of held) {
      this.#release(h);
    }
    this.#truncate();
    if (this.#empty && this.#droppedBytes > 0) {
      this.#commit('empty', {
        detail: this.#csv
          ? `kept the header, dropped ${this.#rowsIn} rows`
          : `dropped ${this.#rowsIn} rows`,
      });
    }
    const summary: FaultReportSummary = {
      file: this.#file,
      summary: {
        rowsIn: this.#rowsIn,
        rowsOut: this.#rowsOut,
        byFault: this.#byFault,
      },
    };
    this.#report.text(`${JSON.stringify(summary)}\n`);
    return this.#take();
  }

  #take(): Output {
    return { output: this.#out.take(), report: this.#report.take() };
  }

  /** Strips a UTF-8 BOM, which may arrive split over chunks; the rest is data. */
  #readHead(chunk: Buffer): Buffer | undefined {
    const head = this.#head!.length
      ? Buffer.concat([this.#head!, chunk])
      : chunk;
    if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) {
      this.#head = head;
      return undefined;
    }
    this.#head = undefined;
    if (!head.subarray(0, BOM.length).equals(BOM)) {
      return head;
    }
    // A JSON Lines file emptied is zero bytes; a CSV file keeps its header.
    if (this.#empty && !this.#csv) {
      this.#droppedBytes += BOM.length;
    } else {
      this.#out.write(BOM);
    }
    return head.subarray(BOM.length);
  }

  /**
   * How many rows from the next one on pass as they are, in runs the
   * splitter finds without handing over each record (see RecordRuns): up to
   * the next row a fault hits, or the row after which held rows are due.
   */
  passable(): number {
    if (!this.#fastPath) return 0;
    return Math.min(this.#nextHit - 1, this.#nextRelease) - this.#rowsIn;
  }

  /** The path nearly every row takes: counted, passed on, not even copied. */
  passed(buffer: Buffer, start: number, end: number, rows: number): void {
    this.#rowsIn += rows;
    this.#rowsOut += rows;
    if (rows > 0) {
      for (const held of this.#held) held.passedBy += rows;
    }
    this.#out.rowAt(buffer, start, end, true);
    if (this.#rowsIn >= this.#nextRelease) this.#releaseDue(this.#rowsIn);
  }

  readonly #onRecord = (buffer: Buffer, start: number, end: number): void => {
    let contentEnd = end;
    if (buffer[end - 1] === LF) {
      contentEnd =
        end - 2 >= start && buffer[end - 2] === CR ? end - 2 : end - 1;
    }
    this.#record(
      buffer.subarray(start, contentEnd),
      buffer.subarray(contentEnd, end),
    );
  };

  /** Any record but an untouched row: blank lines, the header, rows to change. */
  #record(content: Buffer, eol: Buffer): void {
    if (!this.#eolKnown && eol.length > 0) {
      this.#out.eol = Buffer.from(eol);
      this.#eolKnown = true;
    }
    if (this.#isBlank(content)) {
      this.#blank(content, eol);
      return;
    }
    if (this.#csv && !this.#header && !this.#settled) {
      this.#header = { content, eol };
      // Drift waits for the first row to see the columns' types.
      if (!this.#driftKind) this.#settle(undefined);
      return;
    }
    if (!this.#settled) {
      this.#settle(content);
    }
    const sourceRow = ++this.#rowsIn;
    if (this.#driftLine) {
      this.#commitLine(this.#driftLine);
      this.#driftLine = undefined;
    }
    if (this.#empty) {
      this.#droppedBytes += content.length + eol.length;
      return;
    }
    this.#changeRow(content, eol, sourceRow);
    if (sourceRow >= this.#nextRelease) {
      this.#releaseDue(sourceRow);
    }
  }

  #isBlank(content: Buffer): boolean {
    // In CSV a line of spaces is a row with one value; in JSON it is nothing.
    if (this.#csv) return content.length === 0;
    for (let i = 0; i < content.length; i++) {
      if (!isSpace(content[i])) return false;
    }
    return true;
  }

  /** Blank lines are not rows: never counted, never changed, kept in place. */
  #blank(content: Buffer, eol: Buffer): void {
    if (this.#empty && (!this.#csv || this.#header || this.#settled)) {
      this.#droppedBytes += content.length + eol.length;
      return;
    }
    if (this.#header && !this.#settled) {
      this.#settle(undefined);
    }
    const last = this.#tail?.[this.#tail.length - 1];
    if (last) {
      last.after.push(content, eol);
    } else {
      this.#out.row(content, eol);
    }
  }

  /**
   * Reads the columns once (the CSV header, or the first JSON object), then
   * decides drift, finds the timestamp column, writes the header and
   * schedules the row faults.
   */
  #settle(firstRow: Buffer | undefined): void {
    this.#settled = true;
    const rows = this.#rows;
    const firstCells = firstRow && rows.cells(firstRow);
    const csv = this.#csvRows;
    let header = this.#header?.content;
    const names = csv
      ? csv.namesIn(header)
      : firstCells?.map(c => c.name) ?? [];
    let timestamp = this.#timestampOption ?? names.find(isTimestampName);
    if (csv && timestamp !== undefined && !names.includes(timestamp)) {
      timestamp = undefined;
    }

    const kind = this.#driftKind;
    if (kind && names.length >= 2 && (csv ? header : firstCells)) {
      // Column 0 is the key; drift prefers retyping a number, where a
      // type change shows.
      let pool = names.map((_, i) => i).slice(1);
      if (kind === 'retype' && firstRow && firstCells) {
        const numbers = pool.filter(
          i => firstCells[i] && rows.isNumber(firstRow, firstCells[i]),
        );
        if (numbers.length > 0) pool = numbers;
      }
      const index = pool[this.#draws.drift.below(pool.length)];
      const column = names[index];
      let renamedTo: string | undefined;
      if (kind === 'rename') {
        renamedTo = `${column}_v2`;
        while (names.includes(renamedTo)) renamedTo += '_v2';
      }
      this.#drift = { kind, index, column, renamedTo };
      this.#driftsRows = !(this.#csv && kind === 'rename');
      if (timestamp === column) {
        // Renamed, it is found by its new name; dropped or retyped, it is
        // no timestamp any more.
        timestamp = renamedTo;
      }
      const line = this.#line('drift', {
        column,
        detail: renamedTo
          ? `renamed to ${renamedTo}`
          : { drop: 'dropped', retype: 'retyped' }[kind as 'drop' | 'retype'],
      });
      // A retype shows only in rows: reported with the first one, if any.
      if (kind === 'retype' && !firstRow) {
        this.#driftLine = line;
      } else {
        this.#commitLine(line);
      }
      if (csv && header && kind !== 'retype') {
        const cells = csv.cells(header);
        header =
          kind === 'drop'
            ? csv.without(header, cells, cells[index])
            : csv.renamed(header, cells[index], renamedTo!);
      }
    }
    if (csv) {
      csv.names = csv.namesIn(header);
    }
    if (header) {
      this.#out.row(header, this.#header!.eol);
    }

    this.#timestamp =
      timestamp === undefined
        ? undefined
        : {
            name: timestamp,
            // reportLineEnd's own layout, left open after the detail's quote.
            lateLineStart: reportLineEnd(timestamp, '').slice(
              0,
              -'"}\n'.length,
            ),
          };
    this.#fastPath = !this.#empty && !this.#driftsRows && !this.#tail;
    ROW_FAULTS.forEach((fault, i) => {
      const needsTimestamp = fault === 'late' || fault === 'outOfOrder';
      this.#next[i] =
        needsTimestamp && timestamp === undefined
          ? Infinity
          : this.#rowDraws[i].gap(this.#rowRates[i]);
    });
    this.#nextHit = Math.min(...this.#next);
  }

  /** The row faults that hit this row, one bit each in the order of ROW_FAULTS; schedules their next hits. */
  #hits(sourceRow: number): number {
    let hits = 0;
    let nextHit = Infinity;
    for (let i = 0; i < ROW_FAULTS.length; i++) {
      if (this.#next[i] === sourceRow) {
        hits |= 1 << i;
        this.#next[i] = sourceRow + this.#rowDraws[i].gap(this.#rowRates[i]);
      }
      nextHit = Math.min(nextHit, this.#next[i]);
    }
    this.#nextHit = nextHit;
    return hits;
  }

  #changeRow(row: Buffer, eol: Buffer, sourceRow: number): void {
    const hits = sourceRow >= this.#nextHit ? this.#hits(sourceRow) : 0;
    let content = this.#driftsRows ? this.#drifted(row) : row;
    if (hits === 0) {
      this.#emit(content, eol, sourceRow, undefined);
      return;
    }
    const rows = this.#rows;
    // The row's cells, for the faults that change values; read again once
    // the row has changed.
    let cells = hits & CHANGES_VALUES ? rows.cells(content) : undefined;
    let drafts: Draft[] | undefined;
    // A malformed row gets no other change to its values: no reader could
    // see them.
    if (hits & MALFORMED && cells) {
      const broken = rows.malformed(content, cells, this.#chooseMalformed);
      if (broken) {
        content = broken.row;
        drafts = [
          { fault: 'malformed', end: this.#malformedEnd(broken.detail) },
        ];
      }
    }
    const readable = !drafts;
    if (hits & NULLS && readable && cells) {
      let candidates = 0;
      for (const cell of cells) {
        if (cell.index > 0 && !rows.isNull(content, cell)) candidates++;
      }
      if (candidates > 0) {
        let chosen = this.#draws.nulls.below(candidates);
        let cell = cells[0];
        for (const candidate of cells) {
          if (candidate.index > 0 && !rows.isNull(content, candidate)) {
            cell = candidate;
            if (chosen-- === 0) break;
          }
        }
        content = rows.withNull(content, cell);
        if (hits & LATE) cells = rows.cells(content);
        drafts = [{ fault: 'nulls', end: this.#nullEnd(cell.name) }];
      }
    }
    const timestamp = this.#timestamp;
    if (hits & LATE && readable && cells && timestamp) {
      let cell: Cell | undefined;
      for (const candidate of cells) {
        if (candidate.name === timestamp.name) {
          cell = candidate;
          break;
        }
      }
      const from = cell && rows.text(content, cell);
      const to =
        from === undefined ? undefined : shiftTimestamp(from, this.#lateBy);
      if (cell && to !== undefined && to !== from) {
        content = rows.withText(content, cell, to);
        const draft: Draft = {
          fault: 'late',
          end: lateLineEnd(timestamp, from!, to),
        };
        if (drafts) drafts.push(draft);
        else drafts = [draft];
      }
    }
    const duplicate = (hits & DUPLICATES) !== 0;
    if (hits & OUT_OF_ORDER) {
      const entries: Entry[] = [{ content, eol, sourceRow, drafts }];
      if (duplicate) {
        entries.push({ content, eol, sourceRow, drafts: [DUPLICATE] });
      }
      const releaseAfter =
        sourceRow + 1 + this.#draws.outOfOrder.below(MAX_DELAY);
      this.#held.push({ entries, sourceRow, releaseAfter, passedBy: 0 });
      this.#nextRelease = Math.min(this.#nextRelease, releaseAfter);
      return;
    }
    this.#emit(content, eol, sourceRow, drafts);
    if (duplicate) this.#emit(content, eol, sourceRow, [DUPLICATE]);
  }

  #drifted(row: Buffer): Buffer {
    const rows = this.#rows;
    const drift = this.#drift!;
    const cells = rows.cells(row);
    // CSV columns are positions; JSON members are found by key.
    const cell = this.#csv
      ? cells?.[drift.index]
      : cells?.find(c => c.name === drift.column);
    if (!cells || !cell) return row;
    switch (drift.kind) {
      case 'drop':
        return rows.without(row, cells, cell);
      case 'rename':
        return rows.renamed(row, cell, drift.renamedTo!);
      default:
        return rows.retyped(row, cell) ?? row;
    }
  }

  #releaseDue(sourceRow: number): void {
    const due: Held[] = [];
    const kept: Held[] = [];
    let nextRelease = Infinity;
    for (const held of this.#held) {
      if (held.releaseAfter <= sourceRow) {
        due.push(held);
      } else {
        kept.push(held);
        nextRelease = Math.min(nextRelease, held.releaseAfter);
      }
    }
    this.#held = kept;
    this.#nextRelease = nextRelease;
    for (const held of due) this.#release(held);
  }

  /** A held row is out of order only if later rows overtook it (none may have, at the end). */
  #release(held: Held): void {
    const [first] = held.entries;
    if (held.passedBy > 0) {
      const draft: Draft = {
        fault: 'outOfOrder',
        end: this.#outOfOrderEnd(held.passedBy),
      };
      if (first.drafts) first.drafts.push(draft);
      else first.drafts = [draft];
    }
    for (const entry of held.entries) {
      this.#emit(entry.content, entry.eol, entry.sourceRow, entry.drafts);
    }
  }

  #emit(
    content: Buffer,
    eol: Buffer,
    sourceRow: number,
    drafts: Draft[] | undefined,
  ): void {
    const row = ++this.#rowsOut;
    for (const held of this.#held) {
      if (held.sourceRow < sourceRow) held.passedBy++;
    }
    if (!this.#tail) {
      this.#out.row(content, eol);
      if (drafts) {
        for (const draft of drafts) {
          this.#byFault[draft.fault]++;
          this.#report.row(draft.fault, row, sourceRow, draft.end);
        }
      }
      return;
    }
    const lines = drafts?.map(draft => this.#rowLine(draft, row, sourceRow));
    this.#tail.push({ content, eol, after: [], row, sourceRow, lines });
    if (this.#tail.length > this.#tailSize!) {
      this.#writeTailRow(this.#tail.shift()!);
    }
  }

  /** The end of the report line of a value nulled in `column`. */
  #nullEnd(column: string): Buffer {
    return remembered(this.#nullEnds, column, column);
  }

  /** The end of the report line of a row that `passedBy` later rows overtook. */
  #outOfOrderEnd(passedBy: number): Buffer {
    return remembered(
      this.#outOfOrderEnds,
      passedBy,
      undefined,
      `after ${passedBy} later row${passedBy === 1 ? '' : 's'}`,
    );
  }

  /** The end of the report line of a row broken in the way `detail` names. */
  #malformedEnd(detail: string): Buffer {
    return remembered(this.#malformedEnds, detail, undefined, detail);
  }

  #rowLine(draft: Draft, row: number, sourceRow: number): Line {
    this.#tailLines.row(draft.fault, row, sourceRow, draft.end);
    return { fault: draft.fault, bytes: this.#tailLines.take() };
  }

  #writeTailRow(tailRow: TailRow): void {
    this.#out.row(tailRow.content, tailRow.eol);
    for (const blank of tailRow.after) this.#out.write(blank);
    if (tailRow.lines) {
      for (const line of tailRow.lines) this.#commitLine(line);
    }
  }

  /** Cuts the oldest row of the tail at a seeded byte and drops the rest. */
  #truncate(): void {
    const tail = this.#tail;
    this.#tail = undefined;
    if (!tail?.length) return;
    const [cut, ...dropped] = tail;
    const size = cut.content.length;
    const at = size >= 2 ? 1 + this.#draws.truncated.below(size - 1) : size;
    if (
      at === size &&
      cut.eol.length === 0 &&
      cut.after.length === 0 &&
      dropped.length === 0
    ) {
      // A one-byte last row without a line ending: nothing to cut.
      this.#writeTailRow(cut);
      return;
    }
    this.#out.write(cut.content.subarray(0, at));
    this.#rowsOut = cut.row;
    this.#commit('truncated', {
      detail:
        `row ${cut.row} (source row ${cut.sourceRow}) cut after ${at} of ${size} bytes, ` +
        `${dropped.length} rows after it dropped`,
    });
  }

  #line(
    fault: FaultName,
    where: Omit<FaultReportEntry, 'file' | 'fault'>,
  ): Line {
    const json = reportLine({ file: this.#file, fault, ...where });
    return { fault, bytes: Buffer.from(json) };
  }

  #commit(fault: FaultName, where: Omit<FaultReportEntry, 'file' | 'fault'>) {
    this.#commitLine(this.#line(fault, where));
  }

  #commitLine(line: Line): void {
    this.#byFault[line.fault]++;
    this.#report.bytes(line.bytes);
  }
}

/**
 * The fault injector ("chaos"): a stream that mutates a CSV or JSON Lines
 * file, row by row, as the rates and the seed decide, and writes to
 * `options.report` one JSON line per fault it injected, then a summary.
 *
 * - Reproducible: the same seed, file name and input bytes give the same
 *   output and report, byte for byte, however the input is cut into chunks.
 * - Exact: every row the report does not list is byte-identical to its
 *   input row (line endings aside: the input's last row gets one when rows
 *   follow it); every listed row differs as its line says. Rows are
 *   edited in place, so quoting, spacing and number formatting of the
 *   values not touched are kept.
 * - Streaming: memory is the current chunk plus a bounded number of rows,
 *   whatever the file's size; the report is written with backpressure.
 *
 * A CSV file's first non-blank line is its header. Blank lines are not rows.
 * Column 0 (CSV) or the first member (JSON) is the row's key, and is left
 * alone by `nulls`, `drift` and `malformed`. `empty` keeps a CSV header (an
 * empty extract from a CSV writer has one) and leaves a JSON Lines file zero
 * bytes; it overrides `drift` and `truncated`.
 *
 * @throws InputError for an invalid option, naming it
 */
export function createFaultInjector(options: FaultInjectorOptions): Transform {
  const injection = new FaultInjection(options);
  const { report } = options;
  const forward = (
    stream: Transform,
    produce: () => Output,
    callback: TransformCallback,
  ) => {
    if (stream.destroyed) return;
    let result: Output;
    try {
      result = produce();
    } catch (error) {
      callback(error as Error);
      return;
    }
    // Piece by piece: cheaper than joining them, which copies every byte.
    for (const piece of result.output) stream.push(piece);
    writeReport(report, result.report, callback);
  };
  return new Transform({
    // Room for a few chunks ahead, so that the source reads the next ones
    // while this one is being worked on, instead of waiting its turn.
    writableHighWaterMark: INPUT_BUFFER,
    transform(chunk: Buffer, _encoding, callback) {
      // The work waits for the next turn of the event loop: the source, whose
      // push delivered this chunk, first asks for the next one, so that
      // reading it overlaps with this work instead of waiting for it.
      setImmediate(() => forward(this, () => injection.push(chunk), callback));
    },
    flush(callback) {
      forward(this, () => injection.end(), callback);
    },
  });
}
