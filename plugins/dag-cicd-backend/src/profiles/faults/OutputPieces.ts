/**
 * The bytes one call of the injector produces, as views of its input where
 * it can. Bytes that follow each other in memory (rows passed through, the
 * line ending after a changed row) become one view, so that a chunk with a
 * few changed rows costs a few pieces, not one per row, and nothing is
 * copied.
 *
 * Rows keep their own line endings. The input's last row may have none; it
 * gets the file's own as soon as anything is written after it (its
 * duplicate, a row held back).
 */
export class OutputPieces {
  /** The file's line ending, once known. */
  eol = Buffer.from('\n');
  #pieces: Buffer[] = [];
  #run?: ArrayBufferLike;
  #runStart = 0;
  #runEnd = 0;
  /** The run's one buffer, while the run is that buffer whole: handed over as it is, not as a new view. */
  #runBuffer?: Buffer;
  #missingEol = false;

  /** A row or line, `buffer` from `start` to `end`; `endsLine` unless it is the input's last. */
  rowAt(buffer: Buffer, start: number, end: number, endsLine: boolean): void {
    if (this.#missingEol) this.#restoreEol();
    this.#append(
      buffer.buffer,
      buffer.byteOffset + start,
      buffer.byteOffset + end,
    );
    this.#missingEol = !endsLine;
  }

  /** A row and its line ending (empty for the input's last row). */
  row(content: Buffer, eol: Buffer): void {
    this.write(content);
    if (eol.length > 0) {
      this.write(eol);
    } else {
      this.#missingEol = true;
    }
  }

  write(bytes: Buffer): void {
    if (this.#missingEol) this.#restoreEol();
    if (
      this.#append(
        bytes.buffer,
        bytes.byteOffset,
        bytes.byteOffset + bytes.length,
      )
    ) {
      this.#runBuffer = bytes;
    }
  }

  /** Everything since the last call. */
  take(): Buffer[] {
    this.#flushRun();
    const pieces = this.#pieces;
    this.#pieces = [];
    return pieces;
  }

  /** Adds bytes to the run, or starts a new one with them: then true. */
  #append(memory: ArrayBufferLike, start: number, end: number): boolean {
    if (memory === this.#run && start === this.#runEnd) {
      this.#runEnd = end;
      this.#runBuffer = undefined;
    } else if (start < end) {
      this.#flushRun();
      this.#run = memory;
      this.#runStart = start;
      this.#runEnd = end;
      return true;
    }
    return false;
  }

  #flushRun(): void {
    if (this.#run) {
      this.#pieces.push(
        this.#runBuffer ??
          Buffer.from(this.#run, this.#runStart, this.#runEnd - this.#runStart),
      );
      this.#run = undefined;
      this.#runBuffer = undefined;
    }
  }

  #restoreEol(): void {
    this.#missingEol = false;
    this.write(this.eol);
  }
}
