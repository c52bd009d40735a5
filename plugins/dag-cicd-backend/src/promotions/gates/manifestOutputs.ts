import { JsonObject, JsonValue } from '@backstage/types';
import { GateManifest } from '@dag-cicd/plugin-dag-cicd-node';
import { isJsonObject } from './options';

/** A column of an output's schema, as the Airflow-side package infers it. */
export interface OutputColumn {
  name: string;
  type: string;
  nullable: boolean;
}

/** One output of a run, read from its task's manifest. */
export interface ManifestOutput {
  /**
   * The output's name: its path relative to the environment's namespace
   * (`orders/part-0.csv`), the same in every stage, so that a source output
   * and production's are found by it.
   */
  name: string;
  taskId: string;
  path?: string;
  /** Undefined when the package cannot count rows of the format. */
  rows?: number;
  /** Undefined when the package cannot read the format's schema. */
  schema?: OutputColumn[];
  checksum?: string;
}

/** The outputs of a run's manifests by name, and what could not be read. */
export interface RunOutputs {
  outputs: Map<string, ManifestOutput>;
  /** Entries that are not outputs as the package writes them. */
  unreadable: string[];
}

function readSchema(value: JsonValue | undefined): OutputColumn[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const columns: OutputColumn[] = [];
  for (const column of value) {
    if (!isJsonObject(column) || typeof column.name !== 'string') {
      return undefined;
    }
    columns.push({
      name: column.name,
      type: typeof column.type === 'string' ? column.type : 'unknown',
      nullable: column.nullable === true,
    });
  }
  return columns;
}

// Manifest version 1 (the package's) holds `outputs: [...]` under a task;
// a flat manifest (`{ output, path, rows, schema, ... }`) is one output.
function entriesOf(manifest: JsonObject): JsonValue[] {
  return Array.isArray(manifest.outputs) ? manifest.outputs : [manifest];
}

function nameOf(entry: JsonObject, namespace: JsonValue | undefined) {
  if (typeof entry.output === 'string') return entry.output;
  if (typeof entry.path !== 'string') return undefined;
  return typeof namespace === 'string' && entry.path.startsWith(namespace)
    ? entry.path.slice(namespace.length)
    : entry.path;
}

/** Reads the outputs of one run's manifests. */
export function manifestOutputs(manifests: GateManifest[]): RunOutputs {
  const outputs = new Map<string, ManifestOutput>();
  const unreadable: string[] = [];
  for (const { taskId, manifest } of manifests) {
    for (const entry of entriesOf(manifest)) {
      const name = isJsonObject(entry)
        ? nameOf(entry, manifest.namespace)
        : undefined;
      if (!isJsonObject(entry) || name === undefined) {
        unreadable.push(`an output of task ${taskId} has no path`);
        continue;
      }
      if (outputs.has(name)) {
        unreadable.push(`${name} is written by two tasks`);
        continue;
      }
      const checksum = entry.sha256 ?? entry.checksum;
      outputs.set(name, {
        name,
        taskId,
        ...(typeof entry.path === 'string' && { path: entry.path }),
        ...(typeof entry.rows === 'number' && { rows: entry.rows }),
        ...(readSchema(entry.schema) && { schema: readSchema(entry.schema) }),
        ...(typeof checksum === 'string' && { checksum }),
      });
    }
  }
  return { outputs, unreadable };
}

/** How far a schema may move from production's. */
export type SchemaEvolution = 'none' | 'additive';

/**
 * What makes a source schema differ from production's. Columns are compared
 * by name (the package lists them in first-seen order, which carries no
 * meaning for JSON Lines). A column nullable in production that held no
 * null in the source is no change: the source saw fewer rows, not a new
 * schema. With `additive`, new nullable columns are allowed.
 */
export function schemaChanges(
  production: OutputColumn[],
  source: OutputColumn[],
  evolution: SchemaEvolution,
): string[] {
  const changes: string[] = [];
  const byName = new Map(source.map(c => [c.name, c]));
  for (const before of production) {
    const after = byName.get(before.name);
    if (!after) {
      changes.push(`column ${before.name} is gone`);
      continue;
    }
    byName.delete(before.name);
    const onlyNulls = after.type === 'null' && before.nullable;
    if (after.type !== before.type && !onlyNulls) {
      changes.push(
        `column ${before.name} changed type from ${before.type} to ${after.type}`,
      );
    }
    if (after.nullable && !before.nullable) {
      changes.push(`column ${before.name} now has nulls`);
    }
  }
  for (const added of byName.values()) {
    if (evolution === 'additive' && added.nullable) continue;
    changes.push(
      evolution === 'additive'
        ? `new column ${added.name} is not nullable`
        : `new column ${added.name}`,
    );
  }
  return changes;
}

/**
 * Whether a row count is within a fraction of production's: `|source −
 * production| ≤ tolerance × production`. An empty production output allows
 * only an empty source.
 */
export function rowsWithin(
  production: number,
  source: number,
  tolerance: number,
): boolean {
  return Math.abs(source - production) <= tolerance * production;
}
