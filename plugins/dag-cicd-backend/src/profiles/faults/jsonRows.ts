import { Cell, Rows, splice } from './rows';

/** A member of a JSON object: its value's span, and its key's. */
interface JsonCell extends Cell {
  keyStart: number;
  keyEnd: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function skipSpace(row: Buffer, from: number): number {
  let i = from;
  while (i < row.length && isSpace(row[i])) i++;
  return i;
}

/** From an opening quote to just past its closing quote; -1 if none. */
function skipString(row: Buffer, i: number): number {
  for (let j = i + 1; j < row.length; j++) {
    if (row[j] === BACKSLASH) j++;
    else if (row[j] === QUOTE) return j + 1;
  }
  return -1;
}

/**
 * A member's name, from its key's opening quote to just past its closing
 * quote; undefined when the key is not a valid JSON string. Without escapes
 * or control characters the name is the bytes between the quotes, which is
 * what JSON.parse would answer, without its cost.
 */
function keyName(row: Buffer, start: number, end: number): string | undefined {
  for (let i = start + 1; i < end - 1; i++) {
    if (row[i] === BACKSLASH || row[i] < 0x20) {
      try {
        return JSON.parse(row.toString('utf8', start, end));
      } catch {
        return undefined;
      }
    }
  }
  return row.toString('utf8', start + 1, end - 1);
}

/**
 * Past one value: a string, a nested object or array (by bracket depth; the
 * injector never edits inside them), or a literal up to the next delimiter.
 */
function skipValue(row: Buffer, i: number): number {
  const first = row[i];
  if (first === QUOTE) {
    return skipString(row, i);
  }
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < row.length; ) {
      const byte = row[j];
      if (byte === QUOTE) {
        j = skipString(row, j);
        if (j === -1) return -1;
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
      j++;
      if (depth === 0) return j;
    }
    return -1;
  }
  let j = i;
  while (
    j < row.length &&
    row[j] !== COMMA &&
    row[j] !== CLOSE_BRACE &&
    row[j] !== CLOSE_BRACKET &&
    !isSpace(row[j])
  ) {
    j++;
  }
  return j;
}

/** The position of the object's closing brace. */
function closingBrace(row: Buffer): number {
  let i = row.length - 1;
  while (i > 0 && isSpace(row[i])) i--;
  return i;
}

/** JSON Lines rows whose records are JSON objects; cells are top-level members. */
export class JsonRows implements Rows {
  /**
   * The previous row's keys by position, raw and read: the rows of one file
   * mostly repeat their keys, and comparing a few bytes costs less than
   * decoding them again.
   */
  readonly #keys: Array<{ raw: Buffer; name: string }> = [];

  cells(row: Buffer): JsonCell[] | undefined {
    const cells: JsonCell[] = [];
    let i = skipSpace(row, 0);
    if (row[i] !== OPEN_BRACE) return undefined;
    i = skipSpace(row, i + 1);
    if (row[i] === CLOSE_BRACE) {
      return skipSpace(row, i + 1) === row.length ? cells : undefined;
    }
    for (;;) {
      if (row[i] !== QUOTE) return undefined;
      const keyStart = i;
      const keyEnd = skipString(row, i);
      if (keyEnd === -1) return undefined;
      i = skipSpace(row, keyEnd);
      if (row[i] !== COLON) return undefined;
      const start = skipSpace(row, i + 1);
      const end = skipValue(row, start);
      if (end === -1 || end === start) return undefined;
      const name = this.#name(row, cells.length, keyStart, keyEnd);
      if (name === undefined) return undefined;
      cells.push({ name, index: cells.length, start, end, keyStart, keyEnd });
      i = skipSpace(row, end);
      if (row[i] === CLOSE_BRACE) {
        return skipSpace(row, i + 1) === row.length ? cells : undefined;
      }
      if (row[i] !== COMMA) return undefined;
      i = skipSpace(row, i + 1);
    }
  }

  /** The name of the key at `index`, from its opening quote to just past its closing one. */
  #name(
    row: Buffer,
    index: number,
    start: number,
    end: number,
  ): string | undefined {
    const known = this.#keys[index];
    if (known && known.raw.length === end - start) {
      let i = 0;
      while (i < known.raw.length && known.raw[i] === row[start + i]) i++;
      if (i === known.raw.length) return known.name;
    }
    const name = keyName(row, start, end);
    if (name !== undefined) {
      this.#keys[index] = { raw: Buffer.from(row.subarray(start, end)), name };
    }
    return name;
  }

  private raw(row: Buffer, cell: Cell): string {
    return row.toString('utf8', cell.start, cell.end);
  }

  text(row: Buffer, cell: Cell): string | undefined {
    const raw = this.raw(row, cell);
    if (raw.startsWith('"')) {
      try {
        return JSON.parse(raw);
      } catch {
        return undefined;
      }
    }
    return NUMBER.test(raw) ? raw : undefined;
  }

  withText(row: Buffer, cell: Cell, text: string): Buffer {
    const keepNumber = this.isNumber(row, cell) && NUMBER.test(text);
    return splice(
      row,
      cell.start,
      cell.end,
      keepNumber ? text : JSON.stringify(text),
    );
  }

  isNull(row: Buffer, cell: Cell): boolean {
    return this.raw(row, cell) === 'null';
  }

  withNull(row: Buffer, cell: Cell): Buffer {
    return splice(row, cell.start, cell.end, 'null');
  }

  isNumber(row: Buffer, cell: Cell): boolean {
    return NUMBER.test(this.raw(row, cell));
  }

  /**
   * What a producer that changed its types writes: a number, boolean,
   * object or array becomes its JSON text as a string (`10` → `"10"`); a
   * string becomes an array of it (`"x"` → `["x"]`).
   */
  retyped(row: Buffer, cell: Cell): Buffer | undefined {
    const raw = this.raw(row, cell);
    if (raw === 'null') return undefined;
    const value = raw.startsWith('"') ? `[${raw}]` : JSON.stringify(raw);
    return splice(row, cell.start, cell.end, value);
  }

  without(row: Buffer, cells: JsonCell[], cell: JsonCell): Buffer {
    const next = cells[cell.index + 1];
    if (next) return splice(row, cell.keyStart, next.keyStart);
    const previous = cells[cell.index - 1];
    return previous
      ? splice(row, previous.end, cell.end)
      : splice(row, cell.keyStart, cell.end);
  }

  renamed(row: Buffer, cell: JsonCell, name: string): Buffer {
    return splice(row, cell.keyStart, cell.keyEnd, JSON.stringify(name));
  }

  /**
   * One of: the closing brace missing (a writer that died mid-line), or a
   * trailing comma before it (`{"a":1,}`). Both are refused by every strict
   * JSON reader, Python's included.
   */
  malformed(row: Buffer, _cells: Cell[], choose: (n: number) => number) {
    const brace = closingBrace(row);
    return choose(2) === 0
      ? { row: splice(row, brace, brace + 1), detail: 'unterminated' }
      : { row: splice(row, brace, brace, ','), detail: 'trailing-comma' };
  }
}
