import fc from 'fast-check';
import { FAULT_NAMES } from './FaultRates';
import { reportLine, reportLineEnd, ReportWriter } from './FaultReport';

describe('reportLine', () => {
  it('is the JSON of the entry, keys in order, one line', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(...FAULT_NAMES),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        (file, fault, row, column, detail) => {
          const entry = {
            file,
            fault,
            ...(row !== undefined && { row, sourceRow: row + 1 }),
            column,
            detail,
          };
          expect(reportLine(entry)).toBe(`${JSON.stringify(entry)}\n`);
        },
      ),
    );
  });
});

describe('ReportWriter', () => {
  it('writes the bytes of reportLine, and hands over each batch once', () => {
    // Any text, lone surrogates and control characters included.
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const line = fc.record({
      fault: fc.constantFrom(...FAULT_NAMES),
      row: fc.integer({ min: 1, max: 2 ** 40 }),
      sourceRow: fc.nat(),
      column: fc.option(text, { nil: undefined }),
      detail: fc.option(text, { nil: undefined }),
      duplicate: fc.boolean(),
    });
    fc.assert(
      fc.property(
        text,
        fc.array(fc.array(line, { maxLength: 40 }), { maxLength: 4 }),
        (file, batches) => {
          const writer = new ReportWriter(file);
          for (const batch of batches) {
            const expected = batch.map(l =>
              l.duplicate
                ? reportLine({
                    file,
                    fault: l.fault,
                    row: l.row,
                    sourceRow: l.sourceRow,
                    detail: `copy of row ${l.row - 1}`,
                  })
                : reportLine({ file, ...l }),
            );
            for (const l of batch) {
              writer.row(
                l.fault,
                l.row,
                l.sourceRow,
                l.duplicate ? undefined : reportLineEnd(l.column, l.detail),
              );
            }
            expect(writer.take()).toEqual(Buffer.from(expected.join('')));
          }
          expect(writer.take()).toEqual(Buffer.alloc(0));
        },
      ),
    );
  });

  it('never writes over what it handed over, across blocks of memory', () => {
    const writer = new ReportWriter('f');
    const taken: Buffer[] = [];
    const expected: string[] = [];
    // Batches of ~30 KiB to ~1 MiB: some fill a block, some outgrow one.
    for (let batch = 0; batch < 40; batch++) {
      const lines: string[] = [];
      for (let i = 0; i < 100 * (1 + (batch % 7) ** 2); i++) {
        const detail = `${'x'.repeat((batch * 31 + i) % 300)}é${i}`;
        writer.row('malformed', i + 1, i + 1, reportLineEnd(undefined, detail));
        lines.push(
          reportLine({
            file: 'f',
            fault: 'malformed',
            row: i + 1,
            sourceRow: i + 1,
            detail,
          }),
        );
      }
      taken.push(writer.take());
      expected.push(lines.join(''));
    }
    expect(taken.map(bytes => bytes.toString())).toEqual(expected);
  });

  it('keeps text and bytes in the order they were written', () => {
    const writer = new ReportWriter('f');
    writer.text('{"a":"é"}\n');
    writer.row('nulls', 1, 1, reportLineEnd('x'));
    writer.bytes(Buffer.from('{"summary":{}}\n'));
    expect(writer.take().toString()).toBe(
      '{"a":"é"}\n{"file":"f","fault":"nulls","row":1,"sourceRow":1,"column":"x"}\n{"summary":{}}\n',
    );
  });
});
