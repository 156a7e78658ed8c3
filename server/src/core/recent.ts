// A cache of the few most recently used values per object. Analyses build large per-firewall
// structures; keeping them for every firewall of a 10,000-rule file would hold tens of MB for
// as long as the model lives, while each is only needed while its firewall is looked at.

export class RecentCache<K extends object, V> {
  private readonly entries: { key: K; value: V }[] = [];

  constructor(private readonly size: number) {}

  get(key: K): V | undefined {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.unshift(e!);
    return e!.value;
  }

  set(key: K, value: V): void {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.unshift({ key, value });
    if (this.entries.length > this.size) this.entries.length = this.size;
  }
}
