import { resolvePackagePath } from '@backstage/backend-plugin-api';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * Checks HTTP exchanges against a published OpenAPI document: the operation
 * exists for the method and path, path and query parameters and the request
 * body match their schemas (no undocumented parameter, no read-only field
 * sent), the credentials fit the operation's security schemes, and the
 * answer's status is documented and its body matches the schema. Each check
 * returns the list of violations, empty when the exchange is the API's.
 *
 * OpenAPI 3.0 schemas are turned into JSON Schema for Ajv: `nullable: true`
 * becomes `anyOf [schema, null]` (so it also works beside `$ref` and
 * `enum`), `$ref`s into `components` are resolved, and OpenAPI-only
 * keywords are dropped. OpenAPI 3.1 documents (Airflow 3's) are JSON Schema
 * already and pass through the same transformation untouched.
 */

/**
 * The package's copies of Airflow's specs (see their README), shipped with
 * it so that a module's tests validate against the same files.
 */
export const AIRFLOW_SPECS = resolvePackagePath(
  '@dag-cicd/plugin-dag-cicd-node',
  'airflow-openapi',
);

type Json = Record<string, any>;
type Mode = 'request' | 'response';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}

interface Operation {
  method: string;
  /** The full path template, server prefix included: `/api/v1/dags/{dag_id}`. */
  template: string;
  pattern: RegExp;
  names: string[];
  literals: number;
  parameters: Parameter[];
  requestBody?: Json;
  responses: Json;
  security?: Json[];
}

export interface Exchange {
  method: string;
  /** The path below the instance's base URL, still encoded. */
  path: string;
  query: URLSearchParams;
  headers?: Headers;
  /** The parsed JSON body, or undefined when there was none. */
  body?: unknown;
}

// Values of these keywords are data, not schemas: copied as they are.
const DATA_KEYWORDS = new Set([
  'enum',
  'const',
  'default',
  'example',
  'examples',
]);
const DROPPED = new Set([
  'nullable',
  'discriminator',
  'xml',
  'externalDocs',
  'example',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

function forbiddenIn(mode: Mode, schema: Json | undefined): boolean {
  return mode === 'request' ? !!schema?.readOnly : !!schema?.writeOnly;
}

/** An OpenAPI schema as JSON Schema for one direction of the exchange. */
function toJsonSchema(node: any, mode: Mode, refBase: string): any {
  if (Array.isArray(node)) return node.map(n => toJsonSchema(n, mode, refBase));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (DROPPED.has(key)) continue;
    if (DATA_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (key === '$ref') {
      out.$ref = String(value).replace(
        /^#\/components\/schemas\//,
        `${refBase}#/definitions/`,
      );
    } else if (key === 'properties') {
      // A read-only property may not be sent, a write-only one not answered.
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, schema]) => [
          name,
          forbiddenIn(mode, schema)
            ? false
            : toJsonSchema(schema, mode, refBase),
        ]),
      );
    } else if (key === 'required') {
      out.required = (value as string[]).filter(
        name => !forbiddenIn(mode, node.properties?.[name]),
      );
    } else {
      out[key] = toJsonSchema(value, mode, refBase);
    }
  }
  return node.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

function formatErrors(
  where: string,
  errors: ErrorObject[] = [],
  mode: Mode = 'response',
): string[] {
  return errors.map(e => {
    const at = `${where}${e.instancePath || ''}`;
    // A property `toJsonSchema` replaced by `false`.
    if (e.keyword === 'false schema') {
      return mode === 'request'
        ? `${at} is read-only and may not be sent`
        : `${at} is write-only and may not be answered`;
    }
    return `${at} ${e.message}${
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as any).additionalProperty})`
        : ''
    }`;
  });
}

/** A query value as the server would read it for this schema type. */
function coerce(value: string, type: unknown): unknown {
  if (type === 'integer' || type === 'number') {
    return value.trim() !== '' && !Number.isNaN(Number(value))
      ? Number(value)
      : value;
  }
  if (type === 'boolean') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return value;
}

export class OpenApiContract {
  readonly title: string;
  readonly #doc: Json;
  readonly #ajv: Ajv;
  readonly #operations: Operation[] = [];
  readonly #compiled = {
    request: new Map<object, ValidateFunction>(),
    response: new Map<object, ValidateFunction>(),
  };

  /** One of the package's copies of Airflow's specs, by file name. */
  static load(file: string): OpenApiContract {
    return OpenApiContract.fromFile(path.join(AIRFLOW_SPECS, file), file);
  }

  /** An OpenAPI document in a YAML (or JSON) file, named `name` in violations. */
  static fromFile(file: string, name = path.basename(file)): OpenApiContract {
    return new OpenApiContract(YAML.parse(fs.readFileSync(file, 'utf8')), name);
  }

  constructor(doc: Json, name: string) {
    this.#doc = doc;
    this.title = `${name} (${doc.info?.title} ${doc.info?.version})`;
    this.#ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    // Airflow 2's spec writes `datetime` for some date-times and has a few
    // formats that only document a string's role.
    this.#ajv.addFormat('datetime', this.#ajv.formats['date-time']!);
    this.#ajv.addFormat('path', true);
    this.#ajv.addFormat('password', true);
    const schemas: Json = doc.components?.schemas ?? {};
    for (const mode of ['request', 'response'] as Mode[]) {
      this.#ajv.addSchema({
        $id: mode,
        definitions: Object.fromEntries(
          Object.entries(schemas).map(([schemaName, schema]) => [
            schemaName,
            toJsonSchema(schema, mode, mode),
          ]),
        ),
      });
    }
    const prefix = String(doc.servers?.[0]?.url ?? '').replace(/\/$/, '');
    for (const [suffix, item] of Object.entries(doc.paths as Json)) {
      const template = `${prefix}${suffix}`;
      const names: string[] = [];
      const source = template
        .split('/')
        .map(part => {
          const param = /^\{(.+)\}$/.exec(part);
          if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]);
          return '([^/]+)';
        })
        .join('/');
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const op = (item as Json)[method];
        if (!op) continue;
        const parameters = new Map<string, Parameter>();
        for (const p of [
          ...(item.parameters ?? []),
          ...(op.parameters ?? []),
        ]) {
          const param = this.#resolve(p) as Parameter;
          parameters.set(`${param.in}:${param.name}`, param);
        }
        this.#operations.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${source}$`),
          names,
          literals: template.split('/').length - names.length,
          parameters: [...parameters.values()],
          requestBody: op.requestBody && this.#resolve(op.requestBody),
          responses: op.responses ?? {},
          security: op.security ?? doc.security,
        });
      }
    }
    // The most literal template wins: `/dags/~/dagRuns/list` over
    // `/dags/{dag_id}/dagRuns/{dag_run_id}`.
    this.#operations.sort((a, b) => b.literals - a.literals);
  }

  /** The operation a request reaches, with its decoded path parameters. */
  find(
    method: string,
    requestPath: string,
  ): { template: string; params: Record<string, string> } | undefined {
    const match = this.#match(method, requestPath);
    return match && { template: match.op.template, params: match.params };
  }

  /** Whether the spec has this operation, by its path template. */
  has(method: string, template: string): boolean {
    return this.#operations.some(
      op => op.method === method && op.template === template,
    );
  }

  checkRequest(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.path}`;
    const match = this.#match(exchange.method, exchange.path);
    if (!match) return [`${where} is not an operation of ${this.title}`];
    const { op, params } = match;
    const violations: string[] = [];

    for (const param of op.parameters.filter(p => p.in === 'path')) {
      violations.push(
        ...this.#check(param.schema, params[param.name], 'request', {
          where: `${where} path parameter ${param.name}`,
        }),
      );
    }

    const documented = new Set(
      op.parameters.filter(p => p.in === 'query').map(p => p.name),
    );
    for (const name of new Set(exchange.query.keys())) {
      if (!documented.has(name)) {
        violations.push(`${where} sends undocumented query parameter ${name}`);
      }
    }
    for (const param of op.parameters.filter(p => p.in === 'query')) {
      const values = exchange.query.getAll(param.name);
      if (values.length === 0) {
        if (param.required) {
          violations.push(`${where} lacks query parameter ${param.name}`);
        }
        continue;
      }
      const schema = param.schema ?? {};
      let value: unknown;
      if (schema.type === 'array') {
        value = values.map(v => coerce(v, schema.items?.type));
      } else if (values.length > 1) {
        violations.push(`${where} repeats query parameter ${param.name}`);
        continue;
      } else {
        value = coerce(values[0], schema.type);
      }
      violations.push(
        ...this.#check(schema, value, 'request', {
          where: `${where} query parameter ${param.name}`,
        }),
      );
    }

    violations.push(...this.#checkSecurity(op, where, exchange.headers));

    const body = op.requestBody;
    if (exchange.body === undefined) {
      if (body?.required) violations.push(`${where} sends no body`);
    } else if (!body) {
      violations.push(`${where} sends a body the operation does not take`);
    } else {
      const type =
        exchange.headers?.get('content-type')?.split(';')[0].trim() ?? '';
      const media = body.content?.[type];
      if (!media) {
        violations.push(`${where} sends a body of type "${type}"`);
      } else {
        violations.push(
          ...this.#check(media.schema, exchange.body, 'request', {
            where: `${where} body`,
          }),
        );
      }
    }
    return violations;
  }

  checkResponse(
    exchange: Exchange & { status: number; answer?: unknown },
  ): string[] {
    const where = `${exchange.status} answer to ${exchange.method} ${exchange.path}`;
    const match = this.#match(exchange.method, exchange.path);
    if (!match) return [`${where}: not an operation of ${this.title}`];
    const status = String(exchange.status);
    const documented =
      match.op.responses[status] ??
      match.op.responses[`${status[0]}XX`] ??
      match.op.responses.default;
    if (!documented) {
      // Any server can fail: 5xx answers need no documentation.
      return exchange.status >= 500
        ? []
        : [
            `${where}: status ${status} is not documented for ${match.op.method} ${match.op.template}`,
          ];
    }
    const response = this.#resolve(documented);
    const schema = response.content?.['application/json']?.schema;
    if (!schema) {
      return exchange.answer === undefined
        ? []
        : [`${where}: the operation documents no JSON body`];
    }
    return this.#check(schema, exchange.answer, 'response', { where });
  }

  /** The names of the document's component schemas. */
  schemaNames(): string[] {
    return Object.keys(this.#doc.components?.schemas ?? {});
  }

  /** Checks a value against a named component schema. */
  checkSchema(name: string, value: unknown, mode: Mode = 'response'): string[] {
    const validate = this.#ajv.getSchema(`${mode}#/definitions/${name}`);
    if (!validate) throw new Error(`${this.title} has no schema ${name}`);
    return validate(value)
      ? []
      : formatErrors(name, validate.errors ?? [], mode);
  }

  #match(method: string, requestPath: string) {
    for (const op of this.#operations) {
      if (op.method !== method.toUpperCase()) continue;
      const m = op.pattern.exec(requestPath);
      if (!m) continue;
      return {
        op,
        params: Object.fromEntries(
          op.names.map((name, i) => [name, decodeURIComponent(m[i + 1])]),
        ),
      };
    }
    return undefined;
  }

  #checkSecurity(op: Operation, where: string, headers?: Headers): string[] {
    const requirements = op.security ?? [];
    if (requirements.length === 0) return [];
    const header = headers?.get('authorization');
    if (!header) return [`${where} sends no credentials`];
    const sent = header.split(' ')[0].toLowerCase();
    const defined: Json = this.#doc.components?.securitySchemes ?? {};
    const accepted = requirements.flatMap(requirement =>
      Object.keys(requirement).flatMap(name => {
        // Airflow 2's spec refers to `GoogleOpenID`, defined as `GoogleOpenId`.
        const key = Object.keys(defined).find(
          k => k.toLowerCase() === name.toLowerCase(),
        );
        const scheme = key ? defined[key] : undefined;
        if (scheme?.type === 'http')
          return [String(scheme.scheme).toLowerCase()];
        if (scheme?.type === 'oauth2' || scheme?.type === 'openIdConnect') {
          return ['bearer'];
        }
        return [];
      }),
    );
    return accepted.includes(sent)
      ? []
      : [
          `${where} sends ${sent} credentials; the operation takes ${[
            ...new Set(accepted),
          ].join(' or ')}`,
        ];
  }

  #check(
    schema: Json | undefined,
    value: unknown,
    mode: Mode,
    { where }: { where: string },
  ): string[] {
    if (!schema) return [];
    let validate = this.#compiled[mode].get(schema);
    if (!validate) {
      validate = this.#ajv.compile(toJsonSchema(schema, mode, mode));
      this.#compiled[mode].set(schema, validate);
    }
    return validate(value)
      ? []
      : formatErrors(where, validate.errors ?? [], mode);
  }

  /** Follows a `$ref` to `#/components/...` (parameters, responses, bodies). */
  #resolve(node: Json): Json {
    let current = node;
    while (current?.$ref) {
      current = String(current.$ref)
        .replace(/^#\//, '')
        .split('/')
        .reduce((at: any, part) => at?.[part], this.#doc);
      if (!current) throw new Error(`Unresolvable $ref ${node.$ref}`);
    }
    return current;
  }
}

let contracts: Record<string, OpenApiContract> | undefined;

/**
 * The three Airflow contracts, loaded once per test file: Airflow 3's REST
 * API, its auth managers' token endpoint, and Airflow 2's REST API.
 */
export function airflowContracts(): {
  v2: OpenApiContract;
  auth: OpenApiContract;
  v1: OpenApiContract;
} {
  contracts ??= {
    v2: OpenApiContract.load('v2-rest-api.yaml'),
    auth: OpenApiContract.load('v2-simple-auth-manager.yaml'),
    v1: OpenApiContract.load('v1.yaml'),
  };
  return contracts as ReturnType<typeof airflowContracts>;
}
