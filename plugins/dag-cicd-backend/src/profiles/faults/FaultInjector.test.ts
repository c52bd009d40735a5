import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createFaultInjector, FaultInjectorOptions } from './FaultInjector';
import { FaultReportEntry, FaultReportSummary } from './FaultReport';
import { FAULT_NAMES, FaultRates } from './FaultRates';

interface Injected {
  output: string;
  bytes: Buffer;
  /** Every report line but the summary. */
  entries: FaultReportEntry[];
  summary: FaultReportSummary['summary'];
  report: string;
}

type Options = Omit<FaultInjectorOptions, 'report' | 'seed' | 'file'> &
  Partial<Pick<FaultInjectorOptions, 'seed' | 'file'>>;

async function inject(
  input: string | Buffer | Buffer[],
  options: Options,
): Promise<Injected> {
  const chunks = Array.isArray(input)
    ? input
    : [typeof input === 'string' ? Buffer.from(input) : input];
  let report = '';
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    createFaultInjector({
      seed: 42,
      file: 'events/part-0',
      report: new Writable({
        write(chunk, _encoding, callback) {
          report += chunk;
          callback();
        },
      }),
      ...options,
    }),
    new Writable({
      write(chunk, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  const lines = report
    .trimEnd()
    .split('\n')
    .map(line => JSON.parse(line));
  const last = lines.pop() as FaultReportSummary;
  const bytes = Buffer.concat(out);
  return {
    output: bytes.toString(),
    bytes,
    entries: lines,
    summary: last.summary,
    report,
  };
}

/** Cuts a buffer into chunks at the given positions. */
function cut(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map(c => c % (data.length + 1)))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    if (point > start) chunks.push(data.subarray(start, point));
    start = point;
  }
  return chunks;
}

// The test's own reading of the output, independent of the injector's:
// RFC 4180 on whole strings.

/** Records without their line endings; blank lines left out. */
function rowsOf(text: string, csv: boolean): string[] {
  const records: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (csv && text[i] === '"') quoted = !quoted;
    else if ((text[i] === '\n' && !quoted) || i === text.length) {
      const record = text.slice(start, i).replace(/\r$/, '');
      if (record.trim() !== '') records.push(record);
      start = i + 1;
    }
  }
  return records;
}

/** Raw fields of a CSV record. */
function fieldsOf(record: string): string[] {
  const fields: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < record.length; i++) {
    if (record[i] === '"') quoted = !quoted;
    else if (record[i] === ',' && !quoted) {
      fields.push(record.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(record.slice(start));
  return fields;
}

function valueOf(field: string): string {
  return field.startsWith('"')
    ? field.slice(1, -1).replaceAll('""', '"')
    : field;
}

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

const ALL_ROW_FAULTS = (rate: number): FaultRates => ({
  nulls: rate,
  malformed: rate,
  duplicates: rate,
  late: rate,
  outOfOrder: rate,
});

/**
 * The report's promise, checked against the input and output: every row the
 * report does not list is byte-identical to its input row, in input order;
 * every listed row differs exactly as its lines say.
 */
function expectExactReport(
  format: 'csv' | 'jsonl',
  input: string,
  result: Injected,
) {
  const csv = format === 'csv';
  const inputRows = rowsOf(input, csv);
  const outputRows = rowsOf(result.output, csv);
  let header: string[] = [];
  if (csv) {
    const inputHeader = inputRows.shift()!;
    expect(outputRows.shift()).toBe(inputHeader);
    header = fieldsOf(inputHeader);
  }

  const listed = new Map<number, FaultReportEntry[]>();
  for (const entry of result.entries) {
    if (entry.row === undefined) continue;
    listed.set(entry.row, [...(listed.get(entry.row) ?? []), entry]);
  }
  // Rows changed or moved take their input row out of the untouched ones;
  // a duplicate's copy does not.
  const taken = new Set<number>();
  for (const entries of listed.values()) {
    expect(new Set(entries.map(e => e.sourceRow)).size).toBe(1);
    if (entries.some(e => e.fault !== 'duplicates')) {
      taken.add(entries[0].sourceRow!);
    }
  }
  const untouched = inputRows
    .map((_, i) => i + 1)
    .filter(row => !taken.has(row));
  const sourceOf: number[] = [];
  let next = 0;
  outputRows.forEach((row, i) => {
    const entries = listed.get(i + 1);
    if (entries) {
      sourceOf[i + 1] = entries[0].sourceRow!;
    } else {
      sourceOf[i + 1] = untouched[next++];
      expect(row).toBe(inputRows[sourceOf[i + 1] - 1]);
    }
  });
  expect(next).toBe(untouched.length);

  for (const [row, entries] of listed) {
    const faults = new Map(entries.map(e => [e.fault, e]));
    const out = outputRows[row - 1];
    const source = inputRows[sourceOf[row] - 1];
    if (faults.has('duplicates')) {
      expect(out).toBe(outputRows[row - 2]);
      expect(sourceOf[row - 1]).toBe(sourceOf[row]);
      expect(faults.get('duplicates')!.detail).toBe(`copy of row ${row - 1}`);
      continue;
    }
    const moved = faults.get('outOfOrder');
    if (moved) {
      const overtaken = sourceOf
        .slice(1, row)
        .filter(s => s > sourceOf[row]).length;
      expect(overtaken).toBeGreaterThan(0);
      expect(moved.detail).toBe(
        `after ${overtaken} later row${overtaken === 1 ? '' : 's'}`,
      );
    }
    const malformed = faults.get('malformed');
    if (malformed) {
      expect(faults.has('nulls') || faults.has('late')).toBe(false);
      if (!csv) {
        expect(parses(out)).toBe(false);
      } else if (malformed.detail === 'extra-column') {
        expect(out).toBe(`${source},`);
      } else if (malformed.detail === 'missing-column') {
        expect(fieldsOf(out)).toEqual(fieldsOf(source).slice(0, -1));
      } else {
        expect(malformed.detail).toBe('text-after-quote');
        const changed = fieldsOf(out).filter(
          (f, i) => f !== fieldsOf(source)[i],
        );
        expect(changed).toHaveLength(1);
        expect(changed[0]).toMatch(/^"[^]*"x$/);
      }
      continue;
    }
    const nulled = faults.get('nulls')?.column;
    const late = faults.get('late');
    const [from, to] = late?.detail?.split(' -> ') ?? [];
    if (csv) {
      const outFields = fieldsOf(out);
      const sourceFields = fieldsOf(source);
      expect(outFields).toHaveLength(sourceFields.length);
      outFields.forEach((field, i) => {
        const name = header[i];
        if (name === nulled) {
          expect(field).toBe('');
          expect(valueOf(sourceFields[i])).not.toBe('');
        } else if (name === late?.column) {
          expect([valueOf(sourceFields[i]), valueOf(field)]).toEqual([
            from,
            to,
          ]);
        } else {
          expect(field).toBe(sourceFields[i]);
        }
      });
    } else {
      const outObject = JSON.parse(out);
      const sourceObject = JSON.parse(source);
      expect(Object.keys(outObject)).toEqual(Object.keys(sourceObject));
      for (const key of Object.keys(outObject)) {
        if (key === nulled) {
          expect([outObject[key], sourceObject[key]]).not.toContain(undefined);
          expect(outObject[key]).toBeNull();
          expect(sourceObject[key]).not.toBeNull();
        } else if (key === late?.column) {
          expect([String(sourceObject[key]), String(outObject[key])]).toEqual([
            from,
            to,
          ]);
        } else {
          expect(outObject[key]).toEqual(sourceObject[key]);
        }
      }
    }
    if (!moved) expect(out).not.toBe(source);
  }

  const counts = Object.fromEntries(FAULT_NAMES.map(f => [f, 0]));
  for (const entry of result.entries) counts[entry.fault]++;
  expect(result.summary).toEqual({
    rowsIn: inputRows.length,
    rowsOut: outputRows.length,
    byFault: counts,
  });
}

// Generated tables: quoted values with commas, quotes and line breaks,
// empty values, timestamps that are sometimes missing.
const note = fc.constantFrom(
  'plain',
  '',
  '"a, b"',
  '"say ""hi"""',
  '"two\nlines"',
  '"crlf\r\ninside"',
  'ünïcödé €',
);
const tableRow = fc.record({
  ts: fc.option(
    fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
    { freq: 5 },
  ),
  amount: fc.option(fc.integer({ min: -1000, max: 100000 }), { freq: 5 }),
  note,
});
type TableRow = { ts: Date | null; amount: number | null; note: string };

function csvTable(rows: TableRow[], eol = '\n'): string {
  const body = rows.map(
    (r, i) =>
      `${i + 1},${r.ts?.toISOString() ?? ''},${r.amount ?? ''},${r.note}${eol}`,
  );
  return `id,event_time,amount,note${eol}${body.join('')}`;
}

function jsonTable(rows: TableRow[]): string {
  return rows
    .map(
      (r, i) =>
        `${JSON.stringify({
          id: i + 1,
          event_time: r.ts ? r.ts.getTime() / 1000 : null,
          amount: r.amount,
          note: r.note,
        })}\n`,
    )
    .join('');
}

const orders = Array.from(
  { length: 40 },
  (_, i) =>
    `${i + 1},2026-11-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z,${
      i * 10
    },"note ${i}, with a comma\nand a line"\n`,
);
const ORDERS_CSV = `id,created_at,amount,note\n${orders.join('')}`;
const ORDERS_JSONL = Array.from(
  { length: 40 },
  (_, i) =>
    `${JSON.stringify({
      id: i + 1,
      ts: 1_700_000_000 + i * 60,
      amount: i * 1.5,
      tags: ['x', i],
      note: `n${i}`,
    })}\n`,
).join('');

describe('createFaultInjector', () => {
  it('passes every byte through when no fault is set', async () => {
    const input = `\uFEFFid,note\r\n1,"a, ""b""\r\nc"\r\n\r\n2,x\r\n3,last`;
    const result = await inject(input, { format: 'csv', rates: {} });
    expect(result.bytes.equals(Buffer.from(input))).toBe(true);
    expect(result.entries).toEqual([]);
    expect(result.summary.rowsIn).toBe(3);
    expect(result.summary.rowsOut).toBe(3);
  });

  it('gives empty output and a summary for empty input', async () => {
    for (const format of ['csv', 'jsonl'] as const) {
      const result = await inject('', { format, rates: ALL_ROW_FAULTS(1) });
      expect(result.output).toBe('');
      expect(result.report).toBe(
        `{"file":"events/part-0","summary":{"rowsIn":0,"rowsOut":0,"byFault":${JSON.stringify(
          Object.fromEntries(FAULT_NAMES.map(f => [f, 0])),
        )}}}\n`,
      );
    }
  });

  it('is reproducible: the same seed and file give the same bytes and report', async () => {
    const rates = { ...ALL_ROW_FAULTS(0.2), drift: 0.5, truncated: 0.5 };
    const first = await inject(ORDERS_CSV, { format: 'csv', rates });
    const again = await inject(ORDERS_CSV, { format: 'csv', rates });
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.report).toBe(first.report);
    const otherSeed = await inject(ORDERS_CSV, {
      format: 'csv',
      rates,
      seed: 43,
    });
    const otherFile = await inject(ORDERS_CSV, {
      format: 'csv',
      rates,
      file: 'events/part-1',
    });
    expect(otherSeed.output).not.toBe(first.output);
    expect(otherFile.output).not.toBe(first.output);
  });

  // Pinned bytes: a change meant to keep the injector's output (a
  // refactoring, an optimisation) must keep these digests; a change meant to
  // alter it updates them, and says so.
  const ODD_TIMESTAMP_CSV = `id,"at ""t""\tz",v\n${Array.from(
    { length: 30 },
    (_, i) => `${i + 1},2026-11-${String(i + 1).padStart(2, '0')},${i}\n`,
  ).join('')}`;
  it.each([
    [
      'CSV',
      ORDERS_CSV,
      { format: 'csv', rates: { ...ALL_ROW_FAULTS(0.3), drift: 1 } },
      '8e8fbdaff5d4ac363612db26a22c29502317fd8061fe6db0cb931a3018c62ea2',
    ],
    [
      'JSON Lines',
      ORDERS_JSONL,
      { format: 'jsonl', rates: { ...ALL_ROW_FAULTS(0.3), truncated: 1 } },
      'd3b9001cb6747377713daab8709eac868fcbe8a58b88a50dc54444e2cfe0ff96',
    ],
    [
      'CSV with a timestamp column JSON escapes',
      ODD_TIMESTAMP_CSV,
      {
        format: 'csv',
        rates: ALL_ROW_FAULTS(0.4),
        timestampColumn: 'at "t"\tz',
      },
      'e77adcfe78cbfc0d70e6c484e45f2cf49c5ce0a40c598b9f0737bf2ad202f7d1',
    ],
  ] as Array<[string, string, Options, string]>)(
    'gives the pinned output and report for a fixed seed: %s',
    async (_name, input, options, digest) => {
      const result = await inject(input, options);
      expect(result.entries.some(e => e.fault === 'late')).toBe(true);
      expect(
        createHash('sha256')
          .update(result.bytes)
          .update(result.report)
          .digest('hex'),
      ).toBe(digest);
    },
  );

  it('gives the same output and report however the input is cut into chunks', async () => {
    const rate = fc.oneof(
      fc.constant(0),
      fc.constant(1),
      fc.double({ min: 0, max: 1, noNaN: true }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(tableRow, { maxLength: 30 }),
        fc.record({
          format: fc.constantFrom('csv' as const, 'jsonl' as const),
          bom: fc.boolean(),
          eol: fc.constantFrom('\n', '\r\n'),
          trailingNewline: fc.boolean(),
          seed: fc.nat(),
        }),
        fc.record(Object.fromEntries(FAULT_NAMES.map(f => [f, rate]))),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (rows, how, rates, cuts) => {
          let text =
            how.format === 'csv' ? csvTable(rows, how.eol) : jsonTable(rows);
          if (!how.trailingNewline) text = text.replace(/\r?\n$/, '');
          const input = Buffer.from(`${how.bom ? '\uFEFF' : ''}${text}`);
          const options = { format: how.format, seed: how.seed, rates };
          const whole = await inject(input, options);
          const chunked = await inject(cut(input, cuts), options);
          expect(chunked.bytes.equals(whole.bytes)).toBe(true);
          expect(chunked.report).toBe(whole.report);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports exactly what it injected, and where', async () => {
    expect.hasAssertions();
    await fc.assert(
      fc.asyncProperty(
        fc.array(tableRow, { minLength: 1, maxLength: 80 }),
        fc.constantFrom('csv' as const, 'jsonl' as const),
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        fc.nat(),
        async (rows, format, rate, seed) => {
          const input = format === 'csv' ? csvTable(rows) : jsonTable(rows);
          const result = await inject(input, {
            format,
            seed,
            rates: ALL_ROW_FAULTS(rate),
          });
          expectExactReport(format, input, result);
        },
      ),
      { numRuns: 100 },
    );
  });

  describe('nulls', () => {
    it('empties one non-key value per CSV row, other bytes untouched', async () => {
      const result = await inject(ORDERS_CSV, {
        format: 'csv',
        rates: { nulls: 1 },
      });
      expect(result.entries).toHaveLength(40);
      for (const entry of result.entries) {
        expect(entry.fault).toBe('nulls');
        expect(['created_at', 'amount', 'note']).toContain(entry.column);
      }
      // Row 1's amount is 0, a value like any other.
      expect(new Set(result.entries.map(e => e.column)).size).toBe(3);
      expectExactReport('csv', ORDERS_CSV, result);
    });

    it('sets one non-key member per JSON row to null', async () => {
      const result = await inject(ORDERS_JSONL, {
        format: 'jsonl',
        rates: { nulls: 1 },
      });
      expect(result.entries).toHaveLength(40);
      expect(result.entries.map(e => e.column)).not.toContain('id');
      expectExactReport('jsonl', ORDERS_JSONL, result);
    });
  });

  describe('malformed', () => {
    it('breaks CSV rows in every way, each on its own row', async () => {
      const result = await inject(ORDERS_CSV, {
        format: 'csv',
        rates: { malformed: 1 },
      });
      expect(new Set(result.entries.map(e => e.detail))).toEqual(
        new Set(['extra-column', 'missing-column', 'text-after-quote']),
      );
      // The row count is unchanged: no fault runs on into the next row.
      expect(result.summary.rowsOut).toBe(40);
      expectExactReport('csv', ORDERS_CSV, result);
    });

    it('breaks JSON rows so that no JSON reader accepts them', async () => {
      const result = await inject(ORDERS_JSONL, {
        format: 'jsonl',
        rates: { malformed: 1 },
      });
      const lines = result.output.trimEnd().split('\n');
      expect(lines).toHaveLength(40);
      expect(lines.filter(parses)).toEqual([]);
      expect(new Set(result.entries.map(e => e.detail))).toEqual(
        new Set(['unterminated', 'trailing-comma']),
      );
    });
  });

  describe('duplicates', () => {
    it('emits each hit row twice, the copy right after it', async () => {
      const input = 'id,v\n1,a\n2,b';
      const result = await inject(input, {
        format: 'csv',
        rates: { duplicates: 1 },
      });
      // The last row had no line ending; its copy needs one between them.
      expect(result.output).toBe('id,v\n1,a\n1,a\n2,b\n2,b');
      expect(result.entries).toEqual([
        {
          file: 'events/part-0',
          fault: 'duplicates',
          row: 2,
          sourceRow: 1,
          detail: 'copy of row 1',
        },
        {
          file: 'events/part-0',
          fault: 'duplicates',
          row: 4,
          sourceRow: 2,
          detail: 'copy of row 3',
        },
      ]);
      expect(result.summary).toMatchObject({ rowsIn: 2, rowsOut: 4 });
    });
  });

  describe('late', () => {
    it('moves the timestamp column back 3 days, written as it was', async () => {
      const input =
        'id,created_at,v\r\n1,2026-11-24T10:00:00.123+01:00,a\r\n2,,b\r\n';
      const result = await inject(input, { format: 'csv', rates: { late: 1 } });
      // The empty timestamp is no timestamp: nothing to move.
      expect(result.output).toBe(
        'id,created_at,v\r\n1,2026-11-21T10:00:00.123+01:00,a\r\n2,,b\r\n',
      );
      expect(result.entries).toEqual([
        {
          file: 'events/part-0',
          fault: 'late',
          row: 1,
          sourceRow: 1,
          column: 'created_at',
          detail:
            '2026-11-24T10:00:00.123+01:00 -> 2026-11-21T10:00:00.123+01:00',
        },
      ]);
    });

    it('moves JSON epoch numbers by lateBy, in a named column', async () => {
      const input = '{"id":1,"when":1700000000000,"ts":"x"}\n';
      const result = await inject(input, {
        format: 'jsonl',
        rates: { late: 1 },
        timestampColumn: 'when',
        lateBy: 60_000,
      });
      expect(result.output).toBe('{"id":1,"when":1699999940000,"ts":"x"}\n');
      expect(result.entries[0]).toMatchObject({
        column: 'when',
        detail: '1700000000000 -> 1699999940000',
      });
    });

    it('does nothing, nor does outOfOrder, without a timestamp column', async () => {
      const input = 'id,v\n1,2026-11-24\n2,2026-11-25\n';
      const result = await inject(input, {
        format: 'csv',
        rates: { late: 1, outOfOrder: 1 },
      });
      expect(result.output).toBe(input);
      expect(result.entries).toEqual([]);
      const named = await inject(input, {
        format: 'csv',
        rates: { late: 1 },
        timestampColumn: 'missing',
      });
      expect(named.output).toBe(input);
    });
  });

  describe('outOfOrder', () => {
    it('moves rows later by at most 16, holding no more than that', async () => {
      const result = await inject(ORDERS_CSV, {
        format: 'csv',
        rates: { outOfOrder: 1 },
      });
      const out = rowsOf(result.output, true).slice(1);
      const source = rowsOf(ORDERS_CSV, true).slice(1);
      expect([...out].sort()).toEqual([...source].sort());
      expect(out).not.toEqual(source);
      out.forEach((row, i) => {
        expect(Math.abs(source.indexOf(row) - i)).toBeLessThanOrEqual(16);
      });
      expectExactReport('csv', ORDERS_CSV, result);
    });
  });

  describe('drift', () => {
    async function drifted(
      format: 'csv' | 'jsonl',
      input: string,
      kind: string,
    ) {
      for (let seed = 0; seed < 100; seed++) {
        const result = await inject(input, {
          format,
          seed,
          rates: { drift: 1 },
        });
        if (result.entries[0].detail!.startsWith(kind)) return result;
      }
      throw new Error(`no seed below 100 gives ${kind}`);
    }

    it('drops a CSV column from the header and every row', async () => {
      const result = await drifted('csv', ORDERS_CSV, 'dropped');
      const column = result.entries[0].column!;
      const at = fieldsOf(ORDERS_CSV.split('\n')[0]).indexOf(column);
      expect(at).toBeGreaterThan(0);
      const expected = rowsOf(ORDERS_CSV, true).map(row =>
        fieldsOf(row).filter((_, i) => i !== at),
      );
      expect(rowsOf(result.output, true).map(fieldsOf)).toEqual(expected);
      expect(result.entries).toHaveLength(1);
    });

    it('renames a CSV column in the header only', async () => {
      const result = await drifted('csv', ORDERS_CSV, 'renamed');
      const { column } = result.entries[0];
      expect(result.entries[0].detail).toBe(`renamed to ${column}_v2`);
      const [header, ...rest] = rowsOf(result.output, true);
      expect(fieldsOf(header)).toContain(`${column}_v2`);
      expect(rest).toEqual(rowsOf(ORDERS_CSV, true).slice(1));
    });

    it('retypes a CSV number column to text in every row', async () => {
      const result = await drifted('csv', ORDERS_CSV, 'retyped');
      expect(result.entries[0].column).toBe('amount');
      const amounts = rowsOf(result.output, true)
        .slice(1)
        .map(r => fieldsOf(r)[2]);
      expect(amounts).toEqual(orders.map((_, i) => `text:${i * 10}`));
    });

    it('drifts a JSON member consistently in every row', async () => {
      const source = ORDERS_JSONL.trimEnd()
        .split('\n')
        .map(l => JSON.parse(l));
      const dropped = await drifted('jsonl', ORDERS_JSONL, 'dropped');
      const gone = dropped.entries[0].column!;
      expect(
        dropped.output
          .trimEnd()
          .split('\n')
          .map(l => JSON.parse(l)),
      ).toEqual(source.map(({ [gone]: _, ...rest }) => rest));
      const renamed = await drifted('jsonl', ORDERS_JSONL, 'renamed');
      const was = renamed.entries[0].column!;
      for (const line of renamed.output.trimEnd().split('\n')) {
        expect(Object.keys(JSON.parse(line))).toContain(`${was}_v2`);
        expect(Object.keys(JSON.parse(line))).not.toContain(was);
      }
      const retyped = await drifted('jsonl', ORDERS_JSONL, 'retyped');
      const column = retyped.entries[0].column!;
      expect(['ts', 'amount']).toContain(column);
      retyped.output
        .trimEnd()
        .split('\n')
        .forEach((line, i) => {
          expect(JSON.parse(line)[column]).toBe(String(source[i][column]));
        });
    });

    it('moves late data to the renamed timestamp column', async () => {
      const input = 'id,ts\n1,2026-11-24\n';
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, seed) =>
          inject(input, { format: 'csv', seed, rates: { drift: 1, late: 1 } }),
        ),
      );
      const renamed = results.find(
        r => r.entries[0].detail === 'renamed to ts_v2',
      );
      expect(renamed?.output).toBe('id,ts_v2\n1,2026-11-21\n');
      expect(renamed?.entries[1]).toMatchObject({
        fault: 'late',
        column: 'ts_v2',
      });
    });
  });

  describe('truncated', () => {
    it('cuts the file inside a row near its end', async () => {
      for (const [format, input] of [
        ['csv', ORDERS_CSV],
        ['jsonl', ORDERS_JSONL],
      ] as const) {
        const result = await inject(input, { format, rates: { truncated: 1 } });
        expect(input.startsWith(result.output)).toBe(true);
        const [entry] = result.entries;
        expect(entry.fault).toBe('truncated');
        const [, row, sourceRow, at, size, dropped] =
          /^row (\d+) \(source row (\d+)\) cut after (\d+) of (\d+) bytes, (\d+) rows after it dropped$/
            .exec(entry.detail!)!
            .map(Number);
        expect(row).toBe(sourceRow);
        expect(at).toBeLessThan(size);
        expect(row + dropped).toBe(40);
        expect(dropped).toBeLessThanOrEqual(15);
        expect(result.summary).toMatchObject({ rowsIn: 40, rowsOut: row });
        const rows = rowsOf(result.output, format === 'csv');
        const lastRow = rows[rows.length - 1];
        const full = rowsOf(input, format === 'csv')[
          row - (format === 'csv' ? 0 : 1)
        ];
        expect(full.startsWith(lastRow) && lastRow !== full).toBe(true);
      }
    });

    it('drops the report lines of the rows it cuts off', async () => {
      const result = await inject(ORDERS_CSV, {
        format: 'csv',
        rates: { truncated: 1, duplicates: 1 },
      });
      const cutRow = result.summary.rowsOut;
      const rowLines = result.entries.filter(e => e.row !== undefined);
      expect(Math.max(...rowLines.map(e => e.row!))).toBeLessThan(cutRow);
      expect(result.entries[result.entries.length - 1].fault).toBe('truncated');
    });
  });

  describe('empty', () => {
    it('keeps a CSV header, BOM included, and drops every row', async () => {
      const result = await inject(`\uFEFF${ORDERS_CSV}`, {
        format: 'csv',
        rates: { empty: 1, drift: 1, truncated: 1, nulls: 1 },
      });
      expect(result.output).toBe('\uFEFFid,created_at,amount,note\n');
      expect(result.entries).toEqual([
        {
          file: 'events/part-0',
          fault: 'empty',
          detail: 'kept the header, dropped 40 rows',
        },
      ]);
      expect(result.summary).toMatchObject({ rowsIn: 40, rowsOut: 0 });
    });

    it('leaves a JSON Lines file zero bytes', async () => {
      const result = await inject(`\uFEFF${ORDERS_JSONL}`, {
        format: 'jsonl',
        rates: { empty: 1 },
      });
      expect(result.output).toBe('');
      expect(result.entries[0].detail).toBe('dropped 40 rows');
    });

    it('reports nothing for a file that was empty already', async () => {
      const result = await inject('id,v\n', {
        format: 'csv',
        rates: { empty: 1 },
      });
      expect(result.output).toBe('id,v\n');
      expect(result.entries).toEqual([]);
    });
  });

  it('keeps a BOM, CRLF line endings and blank lines around changed rows', async () => {
    const input =
      '\uFEFF{"id":1,"ts":"2026-11-24","v":"a"}\r\n\r\n{"id":2,"ts":"2026-11-25","v":"b"}\r\n';
    const result = await inject(input, { format: 'jsonl', rates: { late: 1 } });
    expect(result.output).toBe(
      '\uFEFF{"id":1,"ts":"2026-11-21","v":"a"}\r\n\r\n{"id":2,"ts":"2026-11-22","v":"b"}\r\n',
    );
  });

  it('waits for the report to drain, so that memory stays flat at any rate', async () => {
    const received: string[] = [];
    let writesWhileFull = 0;
    const report = new Writable({
      highWaterMark: 64,
      write(chunk, _encoding, callback) {
        received.push(chunk.toString());
        setImmediate(callback);
      },
    });
    const write = report.write.bind(report);
    report.write = ((chunk: string) => {
      if (report.writableNeedDrain) writesWhileFull++;
      return write(chunk);
    }) as typeof report.write;
    const input = Buffer.from(ORDERS_CSV);
    await pipeline(
      Readable.from(
        cut(
          input,
          Array.from({ length: 60 }, (_, i) => i * 37),
        ),
      ),
      createFaultInjector({
        format: 'csv',
        seed: 1,
        file: 'f',
        rates: ALL_ROW_FAULTS(1),
        report,
      }),
      new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    );
    expect(writesWhileFull).toBe(0);
    const lines = received.join('').trimEnd().split('\n');
    expect(JSON.parse(lines[lines.length - 1]).summary.rowsIn).toBe(40);
  });

  it('fails the stream when the report is closed', async () => {
    const report = new Writable({ write: (_c, _e, callback) => callback() });
    report.destroy();
    await expect(
      pipeline(
        Readable.from([Buffer.from(ORDERS_CSV)]),
        createFaultInjector({
          format: 'csv',
          seed: 1,
          file: 'f',
          rates: { nulls: 1 },
          report,
        }),
        new Writable({ write: (_chunk, _encoding, callback) => callback() }),
      ),
    ).rejects.toThrow('The fault report stream is closed');
  });

  it.each([
    [{ seed: -1 }, 'seed must be an unsigned 32-bit integer, got -1'],
    [
      { seed: 2 ** 32 },
      'seed must be an unsigned 32-bit integer, got 4294967296',
    ],
    [{ seed: 1.5 }, 'seed must be an unsigned 32-bit integer, got 1.5'],
    [{ format: 'parquet' }, 'format must be "csv" or "jsonl", got "parquet"'],
    [
      { lateBy: 0 },
      'lateBy must be a positive whole number of milliseconds, got 0',
    ],
    [{ timestampColumn: '' }, 'timestampColumn must be a column name, got ""'],
    [
      { rates: { nulls: 2 } },
      'rates.nulls must be a probability from 0 to 1, got 2',
    ],
    [{ rates: { chaos: 1 } }, 'rates.chaos is not a fault'],
  ])('refuses options %j with an InputError naming them', (bad, message) => {
    const options = {
      format: 'csv',
      seed: 1,
      file: 'f',
      rates: {},
      report: new Writable(),
      ...bad,
    } as FaultInjectorOptions;
    expect(() => createFaultInjector(options)).toThrow(message);
    expect(() => createFaultInjector(options)).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});
