/**
 * One column of one row: its name and the raw bytes of its value, as a span
 * of the row. Every edit the injector makes is a splice of such a span, so
 * every byte it does not mean to change stays as it was: quoting, spacing,
 * number formatting, even bytes that are not valid UTF-8.
 */
export interface Cell {
  name: string;
  /** Position in the row, from 0; column 0 is the row's key and is never touched. */
  index: number;
  start: number;
  end: number;
}

/**
 * Reading and editing single rows (without their line ending) of one format.
 * Only rows the injector changes are read, so none of this is on the path of
 * the rows it passes through.
 */
export interface Rows {
  /** The row's cells, or undefined when it is not a record (a JSON line that is not an object). */
  cells(row: Buffer): Cell[] | undefined;
  /** The value as text: a CSV field unquoted, a JSON string or number; undefined for anything else. */
  text(row: Buffer, cell: Cell): string | undefined;
  /** The row with the value replaced by `text`, of the value's own kind (a JSON number stays a number). */
  withText(row: Buffer, cell: Cell, text: string): Buffer;
  /** Whether the value is already null (CSV: empty). */
  isNull(row: Buffer, cell: Cell): boolean;
  withNull(row: Buffer, cell: Cell): Buffer;
  /** Whether the value is a number, the type schema drift likes to change. */
  isNumber(row: Buffer, cell: Cell): boolean;
  /** The row with the value changed to another type; undefined when null. */
  retyped(row: Buffer, cell: Cell): Buffer | undefined;
  /** The row without the cell (and its separator). */
  without(row: Buffer, cells: Cell[], cell: Cell): Buffer;
  /** The row with the cell renamed: a JSON key, or a CSV header field. */
  renamed(row: Buffer, cell: Cell, name: string): Buffer;
  /**
   * The row made unreadable in one of the format's ways, chosen with
   * `choose(n)` (a seeded integer below n); undefined when it cannot be.
   */
  malformed(
    row: Buffer,
    cells: Cell[],
    choose: (n: number) => number,
  ): { row: Buffer; detail: string } | undefined;
}

/** `row` with the bytes from `start` to `end` replaced. */
export function splice(
  row: Buffer,
  start: number,
  end: number,
  replacement: Buffer | string = '',
): Buffer {
  const length =
    typeof replacement === 'string'
      ? Buffer.byteLength(replacement)
      : replacement.length;
  const spliced = Buffer.allocUnsafe(row.length - (end - start) + length);
  spliced.set(row.subarray(0, start), 0);
  if (typeof replacement === 'string') {
    spliced.write(replacement, start);
  } else {
    spliced.set(replacement, start);
  }
  spliced.set(row.subarray(end), start + length);
  return spliced;
}
