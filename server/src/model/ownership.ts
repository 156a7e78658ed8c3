// Which file a firewall, rule, flow or name belongs to, and what lies under an offset of one
// file. A model mixes the root file's firewalls with those of the files it includes; every
// question "is this in the edited file?" and every offset lookup is asked here.

import type { Span } from '../core/diagnostic';
import type { FlowDecl } from '../syntax/ast';
import type { FilePath, Firewall, Flow, Model, ModelSymbol, NameReference, ResolvedRule } from './types';

/** Anything that says which file it is in; no file means the root file (as diagnostics do). */
export interface Owned {
  file?: FilePath;
}

/** The file `item` belongs to. */
export function fileOf(model: Model, item: Owned): FilePath {
  return item.file ?? model.root;
}

/** True when `item` is written in `file` (the root file by default). */
export function isIn(model: Model, item: Owned, file: FilePath = model.root): boolean {
  return fileOf(model, item) === file;
}

/** True when `item` is written in the root file, not brought by an include. */
export function isOwn(model: Model, item: Owned): boolean {
  return isIn(model, item, model.root);
}

/** How a diagnostic (or its related information) names `file`: not at all for the root file. */
export function diagnosticFile(model: Model, file: FilePath): FilePath | undefined {
  return file === model.root ? undefined : file;
}

/** The text of `file` as the model read it: the root file's or an included file's. */
export function textOf(model: Model, file: FilePath = model.root): string | undefined {
  return file === model.root ? model.text : model.includes.find((i) => i.path === file)?.text;
}

/** What firewallsOf, flowsOf and referencesOf found in one file of a model (a model never changes). */
interface Filed {
  firewalls?: readonly Firewall[];
  flows?: readonly Flow[];
  references?: readonly NameReference[];
  rules?: readonly { firewall: Firewall; rule: ResolvedRule }[];
}

const ofFile = new WeakMap<Model, Map<FilePath, Filed>>();

function filed(model: Model, file: FilePath): Filed {
  let m = ofFile.get(model);
  if (!m) ofFile.set(model, (m = new Map()));
  let e = m.get(file);
  if (!e) m.set(file, (e = {}));
  return e;
}

/**
 * The firewalls declared in `file` (the root file by default), in declaration order. One
 * array per model and file, shared by every caller (a hover asks several times, and a mangled
 * file may have 20,000 firewalls).
 */
export function firewallsOf(model: Model, file: FilePath = model.root): readonly Firewall[] {
  const e = filed(model, file);
  return (e.firewalls ??= Object.freeze(model.firewalls.filter((fw) => fw.file === file)));
}

/** The rules written in `file`, each with its firewall, in file order. */
export function rulesOf(model: Model, file: FilePath = model.root): readonly { firewall: Firewall; rule: ResolvedRule }[] {
  const e = filed(model, file);
  return (e.rules ??= Object.freeze(firewallsOf(model, file).flatMap((firewall) => firewall.rules.map((rule) => ({ firewall, rule })))));
}

/** The resolved flows written in `file` (only the root file has flows: includes bring none). */
export function flowsOf(model: Model, file: FilePath = model.root): readonly Flow[] {
  const e = filed(model, file);
  return (e.flows ??= Object.freeze(model.flows.filter((f) => f.file === file)));
}

/** The symbols declared in `file` (the root file by default): not the built-ins, not those of other files. */
export function symbolsOf(model: Model, file: FilePath = model.root): ModelSymbol[] {
  return [...model.symbols.values()].filter((s) => s.origin?.file === file);
}

/** The names (uses and declarations) the model knows in `file`: the root file's. */
export function referencesOf(model: Model, file: FilePath = model.root): readonly NameReference[] {
  const e = filed(model, file);
  return (e.references ??= Object.freeze(model.references.filter((r) => r.file === file)));
}

/** The flow statements of `file` as written (resolved or not). */
export function flowStatementsOf(model: Model, file: FilePath = model.root): FlowDecl[] {
  if (file !== model.root) return [];
  return model.ast.statements.filter((s): s is FlowDecl => s?.kind === 'flow');
}

function within(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** What is under an offset of a file, innermost first. */
export type NodeAt =
  | { kind: 'name'; file: FilePath; ref: NameReference }
  | { kind: 'rule'; file: FilePath; firewall: Firewall; rule: ResolvedRule }
  | { kind: 'flow'; file: FilePath; statement: FlowDecl; flow?: Flow }
  | { kind: 'firewall'; file: FilePath; firewall: Firewall };

/**
 * A file's references by start (then in model order), and the longest span among them; made
 * once a model has been asked INDEX_AFTER times (sorting the 19,000 references of the bench's
 * 10,000-rule file takes 5-8 ms, a walk over them 1-3 ms: an editor asks a model once or twice
 * between edits, the fuzz's features on one document hundreds of times).
 */
interface ReferenceIndex {
  asked: number;
  byStart?: Int32Array;
  longest: number;
}

const INDEX_AFTER = 16;
const referenceIndexes = new WeakMap<readonly NameReference[], ReferenceIndex>();

function referenceIndex(refs: readonly NameReference[]): ReferenceIndex {
  let ix = referenceIndexes.get(refs);
  if (!ix) referenceIndexes.set(refs, (ix = { asked: 0, longest: 0 }));
  if (!ix.byStart && ++ix.asked > INDEX_AFTER) {
    const starts = new Float64Array(refs.length);
    let longest = 0;
    refs.forEach((r, i) => {
      starts[i] = r.span.start;
      longest = Math.max(longest, r.span.end - r.span.start);
    });
    ix.longest = longest;
    ix.byStart = Int32Array.from(refs.keys()).sort((a, b) => starts[a]! - starts[b]! || a - b);
  }
  return ix;
}

/**
 * The name of `file` under `offset`; at the boundary of two tokens, the one the offset starts.
 * Of the references that hold `offset`, in model order: the first, or a later one that starts
 * at `offset` where the one so far ends there. Found by a binary search over the references
 * by start (a hover on a file of 200,000 names looked at each of them).
 */
export function referenceAt(model: Model, file: FilePath, offset: number): NameReference | undefined {
  const refs = referencesOf(model, file);
  const { byStart, longest } = referenceIndex(refs);
  if (!byStart) return firstHolding(refs, offset);
  let lo = 0;
  let hi = byStart.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (refs[byStart[mid]!]!.span.start <= offset) lo = mid + 1;
    else hi = mid;
  }
  const holding: number[] = [];
  for (let k = lo - 1; k >= 0; k--) {
    const r = refs[byStart[k]!]!;
    if (r.span.start < offset - longest) break;
    if (within(r.span, offset)) holding.push(byStart[k]!);
  }
  holding.sort((a, b) => a - b);
  return firstHolding(refs, offset, holding);
}

/**
 * Of the references that hold `offset` (those at `indexes`, ascending, else all), in model
 * order: the first, or a later one that starts at `offset` where the one so far ends there.
 */
function firstHolding(refs: readonly NameReference[], offset: number, indexes?: number[]): NameReference | undefined {
  let best: NameReference | undefined;
  const n = indexes ? indexes.length : refs.length;
  for (let k = 0; k < n; k++) {
    const r = refs[indexes ? indexes[k]! : k]!;
    if (!within(r.span, offset)) continue;
    if (!best || (best.span.end === offset && r.span.start === offset)) best = r;
  }
  return best;
}

/** The rule of `file` whose text contains `offset`, with its firewall. */
export function ruleAt(model: Model, file: FilePath, offset: number): { firewall: Firewall; rule: ResolvedRule } | undefined {
  for (const fw of firewallsOf(model, file)) {
    if (!within(fw.node.span, offset)) continue;
    const rule = fw.rules.find((r) => within(r.node.span, offset));
    if (rule) return { firewall: fw, rule };
  }
  return undefined;
}

/** The firewall of `file` whose text contains `offset`. */
export function firewallAt(model: Model, file: FilePath, offset: number): Firewall | undefined {
  return firewallsOf(model, file).find((fw) => within(fw.node.span, offset));
}

/** The flow statement of `file` whose text contains `offset`, with its resolved flow if any. */
export function flowAt(model: Model, file: FilePath, offset: number): { statement: FlowDecl; flow?: Flow } | undefined {
  const statement = flowStatementsOf(model, file).find((s) => within(s.span, offset));
  if (!statement) return undefined;
  return { statement, flow: model.flows.find((f) => f.node === statement) };
}

/** The innermost thing of `file` under `offset`: a name, else a rule, a flow, a firewall. */
export function nodeAt(model: Model, file: FilePath, offset: number): NodeAt | undefined {
  const ref = referenceAt(model, file, offset);
  if (ref) return { kind: 'name', file, ref };
  const r = ruleAt(model, file, offset);
  if (r) return { kind: 'rule', file, ...r };
  const f = flowAt(model, file, offset);
  if (f) return { kind: 'flow', file, ...f };
  const firewall = firewallAt(model, file, offset);
  if (firewall) return { kind: 'firewall', file, firewall };
  return undefined;
}
