/**
 * The row-oriented formats whose objects can be split into records: by the
 * row sample ({@link sampleRows}) and by the fault injector. Both split with
 * the one `RecordSplitter` in `./faults/RecordSplitter`.
 */
export type RecordFormat = 'csv' | 'jsonl';
