// Valid, unique `.fw` names for imported things: from a `Name` tag or a resource ID, never a
// keyword, a built-in service or profile, or a name given already.

import { BUILTIN_PROFILES, BUILTIN_SERVICES, KEYWORDS } from '../model/builtins';

const RESERVED = new Set<string>([...KEYWORDS, ...Object.keys(BUILTIN_SERVICES), ...Object.keys(BUILTIN_PROFILES)]);

/** `text` as an identifier (`[A-Za-z_][A-Za-z0-9_-]*`): other characters become `-`. */
export function identifier(text: string): string {
  let s = text
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') s = 'unnamed';
  if (!/^[A-Za-z_]/.test(s)) s = `_${s}`;
  return s;
}

export class Namer {
  private readonly taken = new Set<string>();
  /** Per base name, the number to try next: counting from 2 each time made 4,000 alike quadratic. */
  private readonly next = new Map<string, number>();

  /** A fresh name from the first usable candidate (a Name tag, then the ID), numbered if needed. */
  name(...candidates: (string | undefined)[]): string {
    const ids = candidates.filter((c): c is string => !!c && c.trim() !== '').map(identifier);
    for (const id of ids) if (this.free(id)) return this.take(id);
    const base = ids[0] ?? 'unnamed';
    for (let i = this.next.get(base) ?? 2; ; i++) {
      if (this.free(`${base}-${i}`)) {
        this.next.set(base, i + 1);
        return this.take(`${base}-${i}`);
      }
    }
  }

  private free(id: string): boolean {
    return !RESERVED.has(id) && !this.taken.has(id);
  }

  private take(id: string): string {
    this.taken.add(id);
    return id;
  }
}
