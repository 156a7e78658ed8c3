// A cache of the few most recently used values per object. Analyses build large per-firewall
// structures; keeping them for every firewall of a 10,000-rule file would hold tens of MB for
// as long as the model lives, while each is only needed while its firewall is looked at.
//
// `sameThing` says when a new key is a later version of a cached one (a firewall re-resolved
// after an edit): the older entry can never be asked for again, so it is dropped at once
// instead of living on for `size` more edits. Kept that long, each version's value outlived
// V8's young generation and was copied to the old one, where it stayed as garbage until the
// next full collection (issue 12: the server's memory during edits).

export class RecentCache<K extends object, V> {
  private readonly entries: { key: K; value: V }[] = [];

  constructor(
    private readonly size: number,
    private readonly sameThing: (a: K, b: K) => boolean = () => false,
  ) {}

  get(key: K): V | undefined {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.unshift(e!);
    return e!.value;
  }

  set(key: K, value: V): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const old = this.entries[i]!.key;
      if (old === key || this.sameThing(old, key)) this.entries.splice(i, 1);
    }
    this.entries.unshift({ key, value });
    if (this.entries.length > this.size) this.entries.length = this.size;
  }
}

/**
 * Two versions of one declaration: the same name in the same file (a model has one declaration
 * per name; models of other files or versions that hold it make other objects of it).
 */
export function sameDeclaration(a: { name: string; file: string }, b: { name: string; file: string }): boolean {
  return a.name === b.name && a.file === b.file;
}
