import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import {
  GateOutcome,
  GateRun,
  PromotionGate,
} from '@dag-cicd/plugin-dag-cicd-node';
import { CHAOS_PROFILE } from './chaosRun';
import { count, firstFew, shortSha } from './describe';
import {
  ManifestOutput,
  SchemaEvolution,
  manifestOutputs,
  rowsWithin,
  schemaChanges,
} from './manifestOutputs';
import { assertKnownOptions, isJsonObject, toleranceOption } from './options';
import { RUN_WINDOW, runInput } from './runs';

const EVOLUTIONS: SchemaEvolution[] = ['none', 'additive'];

interface OutputDiffOptions {
  rowTolerance: number;
  outputs: Record<string, number>;
  allowSchemaEvolution: SchemaEvolution;
}

function readOptions(options: JsonObject): OutputDiffOptions {
  assertKnownOptions(options, [
    'rowTolerance',
    'outputs',
    'allowSchemaEvolution',
  ]);
  const outputs: Record<string, number> = {};
  if (options.outputs !== undefined) {
    if (!isJsonObject(options.outputs)) {
      throw new InputError(
        'outputs must map output names to row tolerances, e.g. { "orders/part-0.csv": 0.2 }',
      );
    }
    for (const [name, tolerance] of Object.entries(options.outputs)) {
      outputs[name] = toleranceOption(
        `outputs[${JSON.stringify(name)}]`,
        tolerance,
        0,
      );
    }
  }
  const evolution = options.allowSchemaEvolution ?? 'none';
  if (!EVOLUTIONS.includes(evolution as SchemaEvolution)) {
    throw new InputError(
      `allowSchemaEvolution must be one of ${EVOLUTIONS.join(
        ', ',
      )}, not ${JSON.stringify(evolution)}`,
    );
  }
  return {
    rowTolerance: toleranceOption('rowTolerance', options.rowTolerance, 0.1),
    outputs,
    allowSchemaEvolution: evolution as SchemaEvolution,
  };
}

const percent = (fraction: number) =>
  `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;

/** What differs between one output in the source and in production. */
function outputChanges(
  production: ManifestOutput,
  source: ManifestOutput | undefined,
  tolerance: number,
  evolution: SchemaEvolution,
): string[] {
  if (!source) return ['is missing'];
  const changes: string[] = [];
  if (production.rows !== undefined && source.rows !== undefined) {
    if (!rowsWithin(production.rows, source.rows, tolerance)) {
      changes.push(
        `has ${source.rows} rows against production's ${
          production.rows
        } (tolerance ±${percent(tolerance)})`,
      );
    }
  } else if (production.rows !== source.rows) {
    changes.push(
      `has rows counted in ${
        source.rows === undefined ? 'production only' : 'the source only'
      }: did its format change?`,
    );
  }
  if (production.schema && source.schema) {
    changes.push(...schemaChanges(production.schema, source.schema, evolution));
  } else if (production.schema || source.schema) {
    changes.push(
      `has a schema in ${
        source.schema ? 'the source only' : 'production only'
      }: did its format change?`,
    );
  }
  return changes;
}

const outputInput = (output: ManifestOutput | undefined) =>
  output
    ? {
        taskId: output.taskId,
        rows: output.rows ?? null,
        checksum: output.checksum ?? null,
      }
    : null;

/**
 * `output-diff`: the outputs of the commit's newest successful run in the
 * source stage against those of production's newest successful run, by
 * output name: no output missing, schemas equal (or evolved as
 * `allowSchemaEvolution` allows), row counts within `rowTolerance` (a
 * fraction, default 0.1) or the per-output tolerance in `outputs`.
 *
 * Chaos runs are never the source: their outputs are damaged on purpose. A
 * first release (production never ran) passes, saying so; a run without
 * manifests never does.
 */
export const outputDiffGate: PromotionGate = {
  type: 'output-diff',
  validateOptions: options => ({ ...readOptions(options) }),

  async evaluate(options, context): Promise<GateOutcome> {
    const policy = readOptions(options);
    const { commit, fromStage: stage } = context.promotion;
    const sha = shortSha(commit);
    const [runs, baseline] = await Promise.all([
      context.runs({ stage, limit: RUN_WINDOW }),
      context.productionBaseline(),
    ]);
    const source = runs.find(
      run => run.state === 'success' && run.profile !== CHAOS_PROFILE,
    );
    const inputs: JsonObject = {
      stage,
      ...policy,
      sourceRun: source ? runInput(source) : null,
      productionRun: baseline ? runInput(baseline) : null,
    };
    if (!source) {
      return {
        status: 'pending',
        detail: `No successful run of ${sha} in ${stage} (outside the chaos profile) to compare with production yet; start one.`,
        inputs,
      };
    }

    const manifests = await context.manifests(
      baseline ? [source.id, baseline.id] : [source.id],
    );
    const of = (run: GateRun) => manifests.filter(m => m.runId === run.id);
    const sourceManifests = of(source);
    inputs.sourceManifests = sourceManifests.map(m => m.taskId);
    if (sourceManifests.length === 0) {
      return {
        status: 'error',
        detail: `Run ${source.dagRunId} of ${sha} in ${stage} wrote no manifests: the DAG writes no manifests, so isolation and diff are not enforced. Write its outputs through the airflow-dag-cicd package.`,
        inputs,
      };
    }
    if (!baseline) {
      return {
        status: 'passed',
        detail: `Production has no successful run yet (a first release), so there was nothing to compare ${sha}'s outputs with.`,
        inputs,
      };
    }
    const baselineManifests = of(baseline);
    inputs.productionManifests = baselineManifests.map(m => m.taskId);
    if (baselineManifests.length === 0) {
      return {
        status: 'error',
        detail: `Production's newest successful run ${baseline.dagRunId} wrote no manifests, so there is nothing to compare with; production must run a version that writes them first.`,
        inputs,
      };
    }

    const fromSource = manifestOutputs(sourceManifests);
    const fromProduction = manifestOutputs(baselineManifests);
    const unreadable = [
      ...fromSource.unreadable.map(u => `source: ${u}`),
      ...fromProduction.unreadable.map(u => `production: ${u}`),
    ];
    if (unreadable.length) {
      return {
        status: 'error',
        detail: `The manifests cannot be compared: ${firstFew(unreadable)}.`,
        inputs: { ...inputs, unreadable },
      };
    }

    const problems: string[] = [];
    const outputs: JsonObject = {};
    for (const [name, production] of fromProduction.outputs) {
      const tolerance = policy.outputs[name] ?? policy.rowTolerance;
      const sourceOutput = fromSource.outputs.get(name);
      const changes = outputChanges(
        production,
        sourceOutput,
        tolerance,
        policy.allowSchemaEvolution,
      );
      problems.push(...changes.map(c => `${name} ${c}`));
      outputs[name] = {
        source: outputInput(sourceOutput),
        production: outputInput(production),
        tolerance,
        changes,
      };
    }
    for (const [name, added] of fromSource.outputs) {
      if (fromProduction.outputs.has(name)) continue;
      const changes =
        policy.allowSchemaEvolution === 'additive' ? [] : ['is new'];
      problems.push(...changes.map(c => `${name} ${c}`));
      outputs[name] = {
        source: outputInput(added),
        production: null,
        changes,
      };
    }
    inputs.outputs = outputs;

    const compared = `${sha}'s run ${source.dagRunId} in ${stage} against production's run ${baseline.dagRunId}`;
    if (problems.length) {
      return {
        status: 'failed',
        detail: `${count(
          problems.length,
          'difference',
        )} in ${compared}: ${firstFew(problems)}.`,
        inputs,
      };
    }
    return {
      status: 'passed',
      detail: `All ${count(
        fromProduction.outputs.size,
        'output',
      )} of production match ${compared}: schemas ${
        policy.allowSchemaEvolution === 'additive' ? 'compatible' : 'equal'
      }, rows within tolerance.`,
      inputs,
    };
  },
};
