import { createHash } from 'node:crypto';

/*
 * Airflow ids become catalog names and tags. Lower case is `toLowerCase`,
 * which is the same on every machine whatever its locale. The catalog accepts names of
 * 1-63 letters and digits joined by single `-`, `_` or `.`, and tags of
 * `[a-z0-9:+#]` runs joined by single `-`, up to 63 characters. Airflow ids
 * allow far more (asset names are free text and URIs), so every id is
 * mapped, deterministically: never dropped because it does not fit.
 */

const MAX_LENGTH = 63;
const NOT_NAME = /[^a-z0-9]+/g;
const EDGE_DASHES = /^-+|-+$/g;
const HASH_LENGTH = 8;

/** A short, stable digest of an id: the same id gets the same suffix on every replica and every run. */
function shortHash(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, HASH_LENGTH);
}

/** `base` cut to leave room for `-<hash>`, then the hash of `id`. */
function withHash(base: string, id: string): string {
  const room = MAX_LENGTH - HASH_LENGTH - 1;
  const head = base.slice(0, room).replace(/-+$/, '');
  return head ? `${head}-${shortHash(id)}` : shortHash(id);
}

/**
 * The catalog name of an Airflow id, before collisions are resolved:
 * lower case, every run of characters other than `a-z0-9` turned into one
 * `-` (`orders_daily` → `orders-daily`, `s3://lake/orders/` →
 * `s3-lake-orders`), as the kebab-case names people give DAG entities by
 * hand. A name longer than 63 characters is cut and ends with a hash of the
 * whole id, so that ids sharing a long prefix stay apart; an id with no
 * letter or digit at all is its hash.
 */
export function entityName(id: string): string {
  let base = id.toLowerCase().replace(NOT_NAME, '-');
  // Trimmed only when needed: ten thousand names are made per refresh.
  if (base.startsWith('-') || base.endsWith('-')) {
    base = base.replace(EDGE_DASHES, '');
  }
  if (!base) return shortHash(id);
  return base.length > MAX_LENGTH ? withHash(base, id) : base;
}

/**
 * Unique catalog names for ids given one at a time:
 * {@link EntityNamer.name} gives each id its
 * {@link entityName} at once, and {@link EntityNamer.settle}, once every id
 * is in, renames those that share a name with another. Ids that map to
 * the same name (`orders_daily` and `orders.daily`) are resolved by the set
 * alone, never by the order the ids came in: the id that is exactly its
 * name keeps it, else the first in code-point order does; each other one
 * gets its name with a hash of its id appended. Names are compared in lower
 * case, as the catalog compares entity references.
 */
export class EntityNamer {
  // Collisions are rare: the first id of each name, and only the names
  // given to more than one id with all of theirs.
  readonly #first = new Map<string, string>();
  readonly #shared = new Map<string, Set<string>>();

  /**
   * The name of `id`, which is its final name unless
   * {@link EntityNamer.settle} renames it. Giving an id again is harmless.
   * `known` is the id's {@link entityName} when the caller has it already
   * (a DAG's draft holds it).
   */
  name(id: string, known?: string): string {
    const name = known ?? entityName(id);
    const first = this.#first.get(name);
    if (first === undefined) {
      this.#first.set(name, id);
    } else if (first !== id) {
      const ids = this.#shared.get(name);
      if (ids) ids.add(id);
      else this.#shared.set(name, new Set([first, id]));
    }
    return name;
  }

  /**
   * The ids whose name another id also got, in code-point order, each with
   * the unique name it takes instead.
   */
  settle(): Map<string, string> {
    const renamed = new Map<string, string>();
    const losers: Array<[string, string]> = [];
    for (const [name, ids] of this.#shared) {
      const sorted = [...ids].sort(byCodePoint);
      const winner = sorted.find(id => id === name) ?? sorted[0];
      for (const id of sorted) if (id !== winner) losers.push([id, name]);
    }
    losers.sort(([a], [b]) => byCodePoint(a, b));
    const hashed = new Set<string>();
    for (const [id, name] of losers) {
      // A hashed name could, in theory, be an id's own name: salt and retry.
      let candidate = withHash(name, id);
      for (
        let salt = 1;
        this.#first.has(candidate) || hashed.has(candidate);
        salt++
      ) {
        candidate = withHash(name, `${id}\u0000${salt}`);
      }
      hashed.add(candidate);
      renamed.set(id, candidate);
    }
    return renamed;
  }
}

/** What {@link assignEntityNames} decided. */
export interface EntityNames {
  /** Id → its unique catalog name. */
  names: Map<string, string>;
  /**
   * The ids whose name another id also mapped to, and which therefore got
   * a hash suffix, in id order.
   */
  collisions: string[];
}

/** Unique catalog names for a set of ids, as {@link EntityNamer} gives them. */
export function assignEntityNames(ids: Iterable<string>): EntityNames {
  const namer = new EntityNamer();
  const names = new Map<string, string>();
  for (const id of ids) names.set(id, namer.name(id));
  const renamed = namer.settle();
  for (const [id, name] of renamed) names.set(id, name);
  return { names, collisions: [...renamed.keys()] };
}

function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The catalog tag of an Airflow tag: lower case, every run of characters
 * other than `a-z0-9:+#` turned into one `-`, at most 63 characters
 * (`Team/Data Eng` → `team-data-eng`). Undefined when nothing is left.
 */
export function catalogTag(tag: string): string | undefined {
  const normalised = tag
    .toLowerCase()
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LENGTH)
    .replace(/-+$/, '');
  return normalised || undefined;
}
