import { CsvRows, quote, unquote } from './csvRows';
import { JsonRows } from './jsonRows';
import { splice } from './rows';

const text = (b: Buffer | undefined) => b?.toString();
const first = () => 0;
const second = (n: number) => Math.min(1, n - 1);
const third = (n: number) => Math.min(2, n - 1);

describe('splice', () => {
  it('replaces a span with bytes or text', () => {
    const row = Buffer.from('a,bb,c');
    expect(text(splice(row, 2, 4, 'ü'))).toBe('a,ü,c');
    expect(text(splice(row, 2, 4, Buffer.from('x')))).toBe('a,x,c');
    expect(text(splice(row, 1, 4))).toBe('a,c');
  });
});

describe('CsvRows', () => {
  const rows = new CsvRows();
  rows.names = ['id', 'note', 'amount'];
  const row = Buffer.from('7,"a, ""quoted""\nnote",10');

  it('reads cells under the quoting rule, named after the header', () => {
    const cells = rows.cells(row);
    expect(cells.map(c => c.name)).toEqual(['id', 'note', 'amount']);
    expect(cells.map(c => rows.text(row, c))).toEqual([
      '7',
      'a, "quoted"\nnote',
      '10',
    ]);
    expect(rows.cells(Buffer.from('1,2,3,4'))[3].name).toBe('column 4');
    expect(rows.namesIn(Buffer.from('id,"a,b"'))).toEqual(['id', 'a,b']);
  });

  it('edits one value and keeps every other byte', () => {
    const cells = rows.cells(row);
    expect(text(rows.withNull(row, cells[2]))).toBe('7,"a, ""quoted""\nnote",');
    expect(text(rows.withText(row, cells[0], 'x,y'))).toBe(
      '"x,y","a, ""quoted""\nnote",10',
    );
    expect(text(rows.without(row, cells, cells[1]))).toBe('7,10');
    expect(text(rows.without(row, cells, cells[0]))).toBe(
      '"a, ""quoted""\nnote",10',
    );
    expect(
      text(
        rows.renamed(
          Buffer.from('id,note'),
          rows.cells(Buffer.from('id,note'))[1],
          'note_v2',
        ),
      ),
    ).toBe('id,note_v2');
  });

  it('knows nulls and numbers', () => {
    const r = Buffer.from('1,,"",-1.5e3, 2 ,x');
    const cells = rows.cells(r);
    expect(cells.map(c => rows.isNull(r, c))).toEqual([
      false,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(cells.map(c => rows.isNumber(r, c))).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it('retypes a value to text, and leaves an empty one alone', () => {
    const r = Buffer.from('1,10,');
    const cells = rows.cells(r);
    expect(text(rows.retyped(r, cells[1]))).toBe('1,text:10,');
    expect(rows.retyped(r, cells[2])).toBeUndefined();
  });

  it('malforms a row in one of three ways, each on that row only', () => {
    const r = Buffer.from('1,"say ""hi""",c');
    const cells = rows.cells(r);
    expect(rows.malformed(r, cells, first)).toEqual({
      row: Buffer.from('1,"say ""hi""",c,'),
      detail: 'extra-column',
    });
    // Text after a closing quote, in a column other than the key.
    const afterQuote = rows.malformed(r, cells, n => (n === 3 ? 1 : 0))!;
    expect(afterQuote.detail).toBe('text-after-quote');
    expect(text(afterQuote.row)).toBe('1,"say ""hi"""x,c');
    expect(rows.malformed(r, cells, third)).toEqual({
      row: Buffer.from('1,"say ""hi"""'),
      detail: 'missing-column',
    });
    // One column: no column to lose.
    const single = Buffer.from('1');
    expect(rows.malformed(single, rows.cells(single), second)!.detail).toBe(
      'text-after-quote',
    );
  });

  it('quotes only what needs quoting', () => {
    expect(quote('plain')).toBe('plain');
    expect(quote('a,b')).toBe('"a,b"');
    expect(quote('say "hi"')).toBe('"say ""hi"""');
    expect(quote('two\r\nlines')).toBe('"two\r\nlines"');
    expect(unquote(quote('say "hi", then\ngo'))).toBe('say "hi", then\ngo');
  });
});

describe('JsonRows', () => {
  const rows = new JsonRows();
  const row = Buffer.from(
    '{ "id" : 1, "ts":"2026-11-24T10:00:00Z","n":1.50,"o":{"a":[1,"}"]},"s":"x\\"y","z":null }',
  );

  it('reads the members of an object, nested values as one span', () => {
    const cells = rows.cells(row)!;
    expect(cells.map(c => c.name)).toEqual(['id', 'ts', 'n', 'o', 's', 'z']);
    expect(cells.map(c => row.toString('utf8', c.start, c.end))).toEqual([
      '1',
      '"2026-11-24T10:00:00Z"',
      '1.50',
      '{"a":[1,"}"]}',
      '"x\\"y"',
      'null',
    ]);
    expect(cells.map(c => rows.text(row, c))).toEqual([
      '1',
      '2026-11-24T10:00:00Z',
      '1.50',
      undefined,
      'x"y',
      undefined,
    ]);
    expect(rows.cells(Buffer.from('{}'))).toEqual([]);
  });

  it("reads each row's own names, however the rows before named theirs", () => {
    const reader = new JsonRows();
    const names = (line: string) =>
      reader.cells(Buffer.from(line))?.map(c => c.name);
    expect(names('{"id":1,"ts":2}')).toEqual(['id', 'ts']);
    expect(names('{"ts":1,"id":2}')).toEqual(['ts', 'id']);
    expect(names('{"id":1,"tz":2}')).toEqual(['id', 'tz']);
    expect(names('{"i\\u0064":1,"ts":2}')).toEqual(['id', 'ts']);
    expect(names('{"id":1,"t\u0001":2}')).toBeUndefined();
    expect(names('{"id":1,"ts":2}')).toEqual(['id', 'ts']);
  });

  it.each([
    '[1,2]',
    '"x"',
    '{"a":1',
    '{"a" 1}',
    '{"a":1}x',
    '{"a":}',
    'not json',
  ])('has no cells for %s: not an object', line =>
    expect(rows.cells(Buffer.from(line))).toBeUndefined(),
  );

  it('edits one member and keeps every other byte, 1.50 included', () => {
    const cells = rows.cells(row)!;
    const edited = (b: Buffer) => JSON.parse(b.toString());
    expect(text(rows.withNull(row, cells[4]))).toContain('"s":null,');
    expect(
      text(rows.withText(row, cells[1], '2026-11-21T10:00:00Z')),
    ).toContain('"ts":"2026-11-21T10:00:00Z","n":1.50');
    expect(text(rows.withText(row, cells[0], '42'))).toContain('"id" : 42,');
    expect(edited(rows.without(row, cells, cells[2]))).not.toHaveProperty('n');
    expect(text(rows.without(row, cells, cells[5]))).toBe(
      '{ "id" : 1, "ts":"2026-11-24T10:00:00Z","n":1.50,"o":{"a":[1,"}"]},"s":"x\\"y" }',
    );
    expect(text(rows.renamed(row, cells[3], 'o_v2'))).toContain('"o_v2":{"a"');
    const only = Buffer.from('{"a":1}');
    expect(
      text(rows.without(only, rows.cells(only)!, rows.cells(only)![0])),
    ).toBe('{}');
  });

  it('retypes numbers, booleans and objects to strings, strings to arrays', () => {
    const r = Buffer.from('{"n":10,"b":true,"o":{"a":1},"s":"x","z":null}');
    const cells = rows.cells(r)!;
    const retyped = cells.map(c => {
      const out = rows.retyped(r, c);
      return out && JSON.parse(out.toString())[c.name];
    });
    expect(retyped).toEqual(['10', 'true', '{"a":1}', ['x'], undefined]);
    expect(cells.map(c => rows.isNumber(r, c))).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(cells.map(c => rows.isNull(r, c))).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it.each(['{"a":1}', '{"a":{"b":[1]}}  ', '{}'])(
    'malforms %s so that no JSON reader accepts it',
    line => {
      const r = Buffer.from(line);
      for (const choose of [first, second]) {
        const broken = rows.malformed(r, rows.cells(r)!, choose)!;
        expect(['unterminated', 'trailing-comma']).toContain(broken.detail);
        expect(() => JSON.parse(broken.row.toString())).toThrow(SyntaxError);
      }
    },
  );
});
