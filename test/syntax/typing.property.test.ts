// Random typing in a rule (one character deleted or inserted on a rule's line) never changes
// how another rule is read: each rule on another line keeps its text and its number, and none
// is told "this rule has no number" (spec §8.1 rule 5: recovery never moves a token of one rule
// into another; issue 7, property 4 at the level of the parser and the model).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';

const FILES = {
  numbered: `host web 10.0.1.10
network office 198.51.100.0/24
service api tcp 8080
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound allow tcp from office to web port 22
  110 inbound allow tcp to web port [80, 443]
  120 outbound allow tcp from web port [80, 443] to any port 1024-65535
  130 inbound deny udp from 203.0.113.0/24 to web port 53
  140 outbound allow tcp from web port 22 to office port ephemeral
  150 inbound allow tcp from any port 1024-65535 to web port api
}
flow 198.51.100.7 -> web tcp 22 expect allow
`,
  unnumbered: `host web 10.0.1.10
firewall sg stateless protects web {
  inbound allow tcp to web port 22
  outbound allow tcp from web port 22 to any port ephemeral
  inbound deny tcp from 203.0.113.9 to web
  inbound allow udp to web port 53
  outbound allow udp from web port 53 to any port 1024-65535
}
flow 198.51.100.7 -> web tcp 22 expect allow
`,
};

interface Line {
  start: number;
  end: number;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (const l of text.split('\n')) {
    out.push({ start, end: start + l.length });
    start += l.length + 1;
  }
  return out;
}

/** The lines holding a rule (inside the braces). */
function ruleLines(text: string): Line[] {
  return linesOf(text).filter((l) => /^\s+(\d+ )?(inbound|outbound) /.test(text.slice(l.start, l.end)));
}

/** Rules as `number|text`, keyed by the line they start on (a line index of the text they were read from). */
function rulesByLine(text: string): Map<number, string> {
  const m = buildModel('/t.fw', text);
  const lines = linesOf(text);
  const lineAt = (o: number) => lines.findIndex((l) => o >= l.start && o <= l.end);
  const out = new Map<number, string>();
  for (const fw of m.firewalls) {
    for (const r of fw.rules) {
      out.set(
        lineAt(r.node.span.start),
        `${r.number ?? '-'}|${text.slice(r.node.span.start, r.node.span.end)}|ends on ${lineAt(r.node.span.end)}`,
      );
    }
  }
  return out;
}

const CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789 -[],{}:#"$./'];

describe('random typing in one rule leaves the other rules as they were read (property)', () => {
  for (const [name, text] of Object.entries(FILES)) {
    it(name, () => {
      const rules = ruleLines(text);
      const before = rulesByLine(text);
      const positions = rules.flatMap((l) => Array.from({ length: l.end - l.start }, (_, i) => l.start + i));
      fc.assert(
        fc.property(fc.constantFrom(...positions), fc.option(fc.constantFrom(...CHARS), { nil: undefined }), (at, ch) => {
          // Delete the character at `at`, or insert `ch` before it: never a line break, so lines keep their index.
          const edited = ch === undefined ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ch + text.slice(at);
          const editedLine = linesOf(text).findIndex((l) => at >= l.start && at <= l.end);
          const a = analyze(buildModel('/t.fw', edited));
          const after = rulesByLine(edited);
          for (const line of before.keys()) {
            // Every other rule is still there (unless a `}` typed in closed the body early).
            if (line !== editedLine && ch !== '}') expect(after.has(line), `line ${line + 1} lost in\n${edited}`).toBe(true);
          }
          for (const [line, read] of after) {
            if (line === editedLine) {
              // The edited rule takes no token from another line.
              expect(read.endsWith(`|ends on ${editedLine}`), `${read} in\n${edited}`).toBe(true);
              continue;
            }
            // A rule starting on another line is one of the original rules, read exactly as before
            // (same number, same text, ending on its own line).
            const orig = before.get(line);
            expect(
              read,
              `after ${JSON.stringify(edited.slice(linesOf(edited)[editedLine]!.start, linesOf(edited)[editedLine]!.end))}`,
            ).toBe(orig);
          }
          // No correct rule is told that it has no number (unless the typing numbered the edited rule).
          const editedLines = linesOf(edited);
          const numberedNow = after.get(editedLine)?.startsWith('-|') === false && before.get(editedLine)?.startsWith('-|');
          for (const d of a.diagnostics) {
            if (numberedNow) break;
            if (d.code !== 'rule-numbering' || !d.message.includes('has no number')) continue;
            const line = editedLines.findIndex((l) => d.span.start >= l.start && d.span.start <= l.end);
            expect(line, `${d.message} in\n${edited}`).toBe(editedLine);
          }
        }),
        { numRuns: 400, seed: 7 },
      );
    });
  }
});
