import { RecordFormat } from '../records';

/** The row formats the fault injector can mutate. */
export type DataFormat = RecordFormat;

const EXTENSIONS = new Map<string, DataFormat>([
  ['.csv', 'csv'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
]);

/**
 * The format of an object, by the extension of its key (case-insensitive).
 * Anything else (`.parquet`, `.csv.gz`, `_SUCCESS`) has no format and is
 * copied untouched.
 */
export function formatOf(key: string): DataFormat | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot === -1 ? undefined : EXTENSIONS.get(name.slice(dot).toLowerCase());
}
