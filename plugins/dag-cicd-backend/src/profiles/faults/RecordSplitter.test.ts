import fc from 'fast-check';
import { DataFormat } from './formats';
import { MAX_RECORD_BYTES, RecordSplitter } from './RecordSplitter';

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
