/**
 * Gate types or deploy actions by their `type`: the backend's built-ins plus
 * what modules add through the promotions extension point. A type added
 * twice is a start-up error, so that a module cannot silently replace a
 * built-in gate.
 */
export class TypeRegistry<T extends { readonly type: string }> {
  readonly #byType = new Map<string, T>();

  constructor(private readonly kind: string, items: Iterable<T> = []) {
    for (const item of items) this.add(item);
  }

  add(item: T): void {
    if (this.#byType.has(item.type)) {
      throw new Error(`The ${this.kind} type ${item.type} is registered twice`);
    }
    this.#byType.set(item.type, item);
  }

  /** The item of that type, or undefined. */
  find(type: string): T | undefined {
    return this.#byType.get(type);
  }

  get types(): string[] {
    return [...this.#byType.keys()].sort();
  }
}
