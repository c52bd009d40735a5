import { Cell, Rows, splice } from './rows';

const QUOTE = 0x22;
const COMMA = 0x2c;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A record's fields as cells, under the record splitter's quoting rule
 * (`./RecordSplitter`): a quote toggles quoting, so `""` toggles twice, and a
 * comma separates fields only outside quotes.
 */
function fieldCells(row: Buffer, names: string[]): Cell[] {
  // One pass in JavaScript: rows are short, and a native search per comma
  // costs more in calls than it saves in bytes.
  const cells: Cell[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const byte = row[i];
    if (byte === QUOTE) {
      quoted = !quoted;
    } else if (byte === COMMA && !quoted) {
      cells.push(fieldCell(names, cells.length, start, i));
      start = i + 1;
    }
  }
  cells.push(fieldCell(names, cells.length, start, row.length));
  return cells;
}

/** Field `index` of a row, named after the header's column there if it has one. */
function fieldCell(
  names: string[],
  index: number,
  start: number,
  end: number,
): Cell {
  return {
    name: index < names.length ? names[index] : `column ${index + 1}`,
    index,
    start,
    end,
  };
}

/** A field's value: quotes removed, `""` inside quotes read as one quote. */
export function unquote(raw: string): string {
  if (!raw.includes('"')) {
    return raw;
  }
  let value = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '"') {
      value += raw[i];
    } else if (quoted && raw[i + 1] === '"') {
      value += '"';
      i++;
    } else {
      quoted = !quoted;
    }
  }
  return value;
}

/** A value as a field, quoted only when it has to be (RFC 4180). */
export function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * CSV rows. Cells are named after the header, which the injector sets once
 * it has read (and maybe drifted) it.
 */
export class CsvRows implements Rows {
  names: string[] = [];

  cells(row: Buffer): Cell[] {
    return fieldCells(row, this.names);
  }

  /** The column names a header row holds; none without a header. */
  namesIn(header: Buffer | undefined): string[] {
    return header ? this.cells(header).map(c => this.text(header, c)) : [];
  }

  text(row: Buffer, cell: Cell): string {
    return unquote(row.toString('utf8', cell.start, cell.end));
  }

  withText(row: Buffer, cell: Cell, text: string): Buffer {
    return splice(row, cell.start, cell.end, quote(text));
  }

  isNull(row: Buffer, cell: Cell): boolean {
    const length = cell.end - cell.start;
    return (
      length === 0 ||
      (length === 2 &&
        row[cell.start] === QUOTE &&
        row[cell.start + 1] === QUOTE)
    );
  }

  withNull(row: Buffer, cell: Cell): Buffer {
    return splice(row, cell.start, cell.end);
  }

  isNumber(row: Buffer, cell: Cell): boolean {
    return NUMBER.test(this.text(row, cell).trim());
  }

  /** `10` becomes `text:10`: what a number column looks like once a producer writes strings. */
  retyped(row: Buffer, cell: Cell): Buffer | undefined {
    const text = this.text(row, cell);
    return text === '' ? undefined : this.withText(row, cell, `text:${text}`);
  }

  without(row: Buffer, cells: Cell[], cell: Cell): Buffer {
    return cell.index > 0
      ? splice(row, cells[cell.index - 1].end, cell.end)
      : splice(row, cell.start, cells[1]?.start ?? cell.end);
  }

  renamed(row: Buffer, cell: Cell, name: string): Buffer {
    return this.withText(row, cell, name);
  }

  /**
   * One of: a trailing extra field, a missing last field, or text after a
   * closing quote (`"10"x`), which strict readers refuse and lenient ones
   * read as another value. Never an unbalanced quote: every reader would
   * run on into the following rows, turning a row fault into a file fault,
   * which is what `truncated` is for.
   */
  malformed(row: Buffer, cells: Cell[], choose: (n: number) => number) {
    const ways = ['extra-column', 'text-after-quote'];
    if (cells.length >= 2) {
      ways.push('missing-column');
    }
    const detail = ways[choose(ways.length)];
    if (detail === 'extra-column') {
      return { row: splice(row, row.length, row.length, ','), detail };
    }
    if (detail === 'missing-column') {
      const last = cells[cells.length - 1];
      return {
        row: splice(row, cells[cells.length - 2].end, last.end),
        detail,
      };
    }
    // The key column stays readable, so that a quarantine can name the row.
    const cell =
      cells.length > 1 ? cells[1 + choose(cells.length - 1)] : cells[0];
    const value = this.text(row, cell).replaceAll('"', '""');
    return { row: splice(row, cell.start, cell.end, `"${value}"x`), detail };
  }
}
