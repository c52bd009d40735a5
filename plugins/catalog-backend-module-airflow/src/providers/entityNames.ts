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
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
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
  // Most DAG ids need nothing done, or only lower case and `_` → `-`.
  if (id.length <= MAX_LENGTH && KEBAB.test(id)) return id;
  const base = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!base) return shortHash(id);
  return base.length > MAX_LENGTH ? withHash(base, id) : base;
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

/**
 * Unique catalog names for a set of ids. Ids that map to the same name
 * (`orders_daily` and `orders.daily`) are resolved by the set alone, never
 * by the order the ids came in: the id that is exactly its name keeps it,
 * else the first in code-point order does; each other one gets its name
 * with a hash of its id appended. Names are compared in lower case, as the
 * catalog compares entity references.
 */
export function assignEntityNames(ids: Iterable<string>): EntityNames {
  // Collisions are rare: name every id first, group only the colliding ones.
  const names = new Map<string, string>();
  const count = new Map<string, number>();
  let clashes = false;
  for (const id of ids) {
    if (names.has(id)) continue;
    const name = entityName(id);
    names.set(id, name);
    const n = (count.get(name) ?? 0) + 1;
    count.set(name, n);
    if (n > 1) clashes = true;
  }
  if (!clashes) return { names, collisions: [] };
  const groups = new Map<string, string[]>();
  for (const [id, name] of names) {
    if (count.get(name)! < 2) continue;
    const group = groups.get(name);
    if (group) group.push(id);
    else groups.set(name, [id]);
  }
  const taken = new Set(count.keys());
  const losers: Array<[string, string]> = [];
  for (const [name, group] of groups) {
    const sorted = group.sort(byCodePoint);
    const winner = sorted.find(id => id === name) ?? sorted[0];
    for (const id of sorted) if (id !== winner) losers.push([id, name]);
  }
  losers.sort(([a], [b]) => byCodePoint(a, b));
  for (const [id, name] of losers) {
    // A hashed name could, in theory, be an id's own name: salt and retry.
    let candidate = withHash(name, id);
    for (let salt = 1; taken.has(candidate); salt++) {
      candidate = withHash(name, `${id}\u0000${salt}`);
    }
    taken.add(candidate);
    names.set(id, candidate);
  }
  return { names, collisions: losers.map(([id]) => id) };
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
