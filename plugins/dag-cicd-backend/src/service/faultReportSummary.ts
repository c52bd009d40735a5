import { NotFoundError } from '@backstage/errors';
import { DataStore } from '@dag-cicd/plugin-dag-cicd-node';
import { createInterface } from 'node:readline';
import type { FaultReportSummary } from '../profiles/faults';

/** What the fault injector did to one file: its report's summary line. */
export type FaultedFile = FaultReportSummary['summary'] & { file: string };

/** What the fault injector did to one input, file by file and in all. */
export interface InputFaults {
  rowsIn: number;
  rowsOut: number;
  /** Report lines per fault, over every file of the input. */
  byFault: Record<string, number>;
  files: FaultedFile[];
}

/** A chaos environment's fault report, summarised per input. */
export interface FaultReportView {
  /** The whole report, a line per injected fault. */
  report: string;
  inputs: Record<string, InputFaults>;
}

// Report files are `inputs/<input name>/<key>`, relative to the namespace.
function inputOf(file: string): string {
  const [top, name] = file.split('/');
  return top === 'inputs' && name ? name : file;
}

/**
 * Reads a fault report (`_chaos/report.jsonl`) line by line, keeping only
 * each file's summary line: memory stays flat however many faults it lists.
 *
 * @returns undefined when there is no report (the profile is not `chaos`,
 * or provisioning has not written it yet)
 */
export async function summariseFaultReport(
  store: DataStore,
  uri: string,
): Promise<FaultReportView | undefined> {
  let body;
  try {
    body = await store.read(uri);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const inputs: Record<string, InputFaults> = {};
  for await (const line of createInterface({
    input: body,
    crlfDelay: Infinity,
  })) {
    // Only summary lines have this key (inside a string its quote would be
    // escaped); the many fault lines are skipped unparsed.
    if (!line.includes('"summary":{')) continue;
    const { file, summary } = JSON.parse(line) as FaultReportSummary;
    const input = (inputs[inputOf(file)] ??= {
      rowsIn: 0,
      rowsOut: 0,
      byFault: {},
      files: [],
    });
    input.rowsIn += summary.rowsIn;
    input.rowsOut += summary.rowsOut;
    for (const [fault, count] of Object.entries(summary.byFault)) {
      input.byFault[fault] = (input.byFault[fault] ?? 0) + count;
    }
    input.files.push({ file, ...summary });
  }
  return { report: uri, inputs };
}
