import fc from 'fast-check';
import { DataFormat } from './formats';
import { MAX_RECORD_BYTES, RecordRuns, RecordSplitter } from './RecordSplitter';

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

function split(format: DataFormat, chunks: Buffer[]): string[] {
  const splitter = new RecordSplitter(format, 'events.csv');
  const records: string[] = [];
  const onRecord = (buffer: Buffer, start: number, end: number) =>
    records.push(buffer.toString('utf8', start, end));
  for (const chunk of chunks) splitter.write(chunk, onRecord);
  splitter.end(onRecord);
  return records;
}

/** The specification, on a whole string: RFC 4180 record boundaries. */
function csvRecords(text: string): string[] {
  const records: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n' && !quoted) {
      records.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start));
  return records;
}

// A CSV field: plain, or quoted with commas, escaped quotes and line breaks.
const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 é€]{0,6}$/),
  fc
    .array(fc.constantFrom('a', ',', '""', '\n', '\r\n', 'ü', ' '), {
      maxLength: 6,
    })
    .map(parts => `"${parts.join('')}"`),
);
const csvRecord = fc
  .tuple(
    fc.array(field, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([fields, end]) => `${fields.join(',')}${end}`);

describe('RecordSplitter', () => {
  it('ends a CSV record only at a line feed outside quotes', () => {
    const csv =
      'id,note\r\n1,"two\nlines, and a comma"\n2,"say ""hi""\r\nthen go"\n3,last';
    expect(split('csv', [Buffer.from(csv)])).toEqual([
      'id,note\r\n',
      '1,"two\nlines, and a comma"\n',
      '2,"say ""hi""\r\nthen go"\n',
      '3,last',
    ]);
  });

  it('ends a JSON Lines record at every line feed; quotes mean nothing', () => {
    expect(split('jsonl', [Buffer.from('{"a":"\n"}\n\n{"b":1}')])).toEqual([
      '{"a":"\n',
      '"}\n',
      '\n',
      '{"b":1}',
    ]);
  });

  it('hands over records in place, and copies only those that span chunks', () => {
    const chunk = Buffer.from('a\nb\nc');
    const seen: Array<[Buffer, number, number]> = [];
    const splitter = new RecordSplitter('csv', 'x.csv');
    splitter.write(chunk, (buffer, start, end) =>
      seen.push([buffer, start, end]),
    );
    splitter.write(Buffer.from('c\n'), (buffer, start, end) =>
      seen.push([buffer, start, end]),
    );
    expect(seen[0]).toEqual([chunk, 0, 2]);
    expect(seen[1]).toEqual([chunk, 2, 4]);
    expect(seen[2][0].toString('utf8', seen[2][1], seen[2][2])).toBe('cc\n');
  });

  it('gives nothing for empty input', () => {
    expect(split('csv', [])).toEqual([]);
    expect(split('jsonl', [Buffer.alloc(0)])).toEqual([]);
  });

  it('finds the same CSV records however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(csvRecord, { maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (records, trailingNewline, cuts) => {
          let text = records.join('');
          if (!trailingNewline) text = text.replace(/\r?\n$/, '');
          // Cuts may fall inside a multi-byte character: records are bytes.
          expect(split('csv', cut(Buffer.from(text), cuts))).toEqual(
            csvRecords(text),
          );
        },
      ),
    );
  });

  it('finds the same JSON Lines records however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 10 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (lines, cuts) => {
          const text = lines.join('\n');
          const expected = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
          expect(split('jsonl', cut(Buffer.from(text), cuts))).toEqual(
            expected,
          );
        },
      ),
    );
  });

  describe('with runs', () => {
    const blank = (format: DataFormat, record: string) =>
      format === 'csv' ? /^\r?\n$/.test(record) : /^[ \t\r]*\n$/.test(record);

    /**
     * Splits with `runs` that let `allowances[i]` rows pass at the i-th ask
     * (0 when they run out), and gives what came out: every record handed
     * over and every run passed, as text, in order.
     */
    function splitInRuns(
      format: DataFormat,
      chunks: Buffer[],
      allowances: number[],
    ) {
      const splitter = new RecordSplitter(format, 'events');
      const out: string[] = [];
      let asked = 0;
      let allowed = 0;
      let passedRows = 0;
      const onRecord = (buffer: Buffer, start: number, end: number) =>
        out.push(buffer.toString('latin1', start, end));
      const runs: RecordRuns = {
        passable: () => {
          allowed = allowances[asked++] ?? 0;
          return allowed;
        },
        passed: (buffer, start, end, rows) => {
          // In place, whole records, and as many rows as it says, no more
          // than allowed.
          expect(chunks).toContain(buffer);
          const run = buffer.toString('latin1', start, end);
          const records =
            format === 'csv' ? csvRecords(run) : run.match(/[^\n]*\n/g)!;
          expect(records.join('')).toBe(run);
          expect(records.filter(r => !blank(format, r))).toHaveLength(rows);
          expect(rows).toBeLessThanOrEqual(allowed);
          passedRows += rows;
          out.push(run);
        },
      };
      for (const chunk of chunks) splitter.write(chunk, onRecord, runs);
      splitter.end(onRecord);
      return { text: out.join(''), pieces: out, passedRows };
    }

    it.each(['csv', 'jsonl'] as const)(
      'passes %s records in runs of at most the rows allowed, blank lines not counted',
      format => {
        const records =
          format === 'csv'
            ? ['id\n', '1,"a\nb"\n', '\r\n', '2,x\n', ' \n', '3,y\n', '4']
            : ['{}\n', '\n', ' \t\n', '{"a":1}\n', ' {}\n', '{}'];
        fc.assert(
          fc.property(
            fc.array(fc.nat({ max: 4 }), { maxLength: 10 }),
            fc.array(fc.nat(), { maxLength: 6 }),
            (allowances, cuts) => {
              const text = records.join('');
              const { text: out, passedRows } = splitInRuns(
                format,
                cut(Buffer.from(text, 'latin1'), cuts),
                allowances,
              );
              // Nothing lost, nothing repeated, nothing reordered.
              expect(out).toBe(text);
              const allRows = records.filter(
                r => r.endsWith('\n') && !blank(format, r),
              ).length;
              expect(passedRows).toBeLessThanOrEqual(allRows);
            },
          ),
        );
      },
    );

    it('ends a run right after its last allowed row, and hands over the next record', () => {
      const chunk = Buffer.from('a\n\nb\nc\nd\n');
      const { pieces, passedRows } = splitInRuns('csv', [chunk], [2, 0, 5]);
      // Two rows pass (with the blank line between them); `c` is handed
      // over on its own; then `d` passes in a run cut short by the chunk.
      expect(pieces).toEqual(['a\n\nb\n', 'c\n', 'd\n']);
      expect(passedRows).toBe(3);
    });

    it('always hands over a record that spans chunks', () => {
      const chunks = [Buffer.from('a\nb'), Buffer.from('b\nc\n')];
      const { pieces } = splitInRuns('jsonl', chunks, [9, 9, 9]);
      expect(pieces).toEqual(['a\n', 'bb\n', 'c\n']);
    });
  });

  it('refuses a record too long to buffer, such as one after an unclosed quote', () => {
    const splitter = new RecordSplitter('csv', 'events.csv');
    splitter.write(Buffer.from('id\n"unclosed'), () => {});
    const chunk = Buffer.alloc(2 ** 20, 'a');
    expect(() => {
      for (let i = 0; i <= MAX_RECORD_BYTES / chunk.length; i++) {
        splitter.write(chunk, () => {});
      }
    }).toThrow(
      'events.csv has a record longer than 64 MiB, probably from an unclosed quote',
    );
  });
});
