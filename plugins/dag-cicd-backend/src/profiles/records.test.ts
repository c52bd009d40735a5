import fc from 'fast-check';
import { Readable } from 'node:stream';
import { RecordFormat, RecordScanner, splitRecords } from './records';

/** Cuts a buffer into chunks at the given positions. */
function chunks(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map(c => c % (data.length + 1)))].sort(
    (a, b) => a - b,
  );
  const result: Buffer[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    if (point > start) result.push(data.subarray(start, point));
    start = point;
  }
  return result;
}

function scan(format: RecordFormat, parts: Buffer[]): string[] {
  const scanner = new RecordScanner(format);
  const records: string[] = [];
  const onRecord = (record: Buffer) => records.push(record.toString('utf8'));
  for (const part of parts) scanner.write(part, onRecord);
  scanner.end(onRecord);
  return records;
}

// A CSV field: plain, or quoted with commas, quotes and newlines inside.
const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 é€]{0,6}$/),
  fc
    .array(fc.constantFrom('a', ',', '""', '\n', '\r\n', 'ü', ' '), {
      maxLength: 6,
    })
    .map(parts => `"${parts.join('')}"`),
);
const csvRecord = fc
  .tuple(fc.array(field, { minLength: 1, maxLength: 4 }), fc.constantFrom('\n', '\r\n'))
  .map(([fields, end]) => `${fields.join(',')}${end}`);

describe('RecordScanner', () => {
  it('splits JSON Lines at every newline, keeping each terminator', () => {
    expect(
      scan('jsonl', [Buffer.from('{"a":1}\n{"a":"x\\ny"}\r\n\n{"a":')]),
    ).toEqual(['{"a":1}\n', '{"a":"x\\ny"}\r\n', '\n', '{"a":']);
  });

  it('keeps newlines and escaped quotes inside quoted CSV fields', () => {
    const csv = 'id,note\n1,"two\nlines"\n2,"say ""hi""\nthen go"\r\n3,plain';
    expect(scan('csv', [Buffer.from(csv)])).toEqual([
      'id,note\n',
      '1,"two\nlines"\n',
      '2,"say ""hi""\nthen go"\r\n',
      '3,plain',
    ]);
  });

  it('reads a quote in JSON Lines as an ordinary character', () => {
    expect(scan('jsonl', [Buffer.from('{"a":"\n"}\n')])).toEqual([
      '{"a":"\n',
      '"}\n',
    ]);
  });

  it('gives nothing for empty input', () => {
    expect(scan('csv', [])).toEqual([]);
    expect(scan('jsonl', [Buffer.alloc(0)])).toEqual([]);
  });

  it('finds the same CSV records however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(csvRecord, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (records, cuts) => {
          const data = Buffer.from(records.join(''));
          // Cuts may fall inside a multi-byte character: records are bytes.
          expect(scan('csv', chunks(data, cuts))).toEqual(records);
        },
      ),
    );
  });

  it('finds the same JSON Lines records however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 10 }).map(s => s.replace(/\n/g, '')), {
          maxLength: 8,
        }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (lines, trailingNewline, cuts) => {
          const text = lines.join('\n') + (trailingNewline ? '\n' : '');
          const expected = text === '' ? [] : text.match(/[^\n]*\n|[^\n]+$/g);
          expect(scan('jsonl', chunks(Buffer.from(text), cuts))).toEqual(
            expected,
          );
        },
      ),
    );
  });
});

describe('splitRecords', () => {
  it('emits one buffer per record in object mode', async () => {
    const records: string[] = [];
    for await (const record of Readable.from([
      Buffer.from('h\n"a\n'),
      Buffer.from('b"\nc'),
    ]).pipe(splitRecords('csv'))) {
      records.push((record as Buffer).toString());
    }
    expect(records).toEqual(['h\n', '"a\nb"\n', 'c']);
  });
});
