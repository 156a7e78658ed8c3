// Fixtures that read like the language: a `.fw` text with inline expectations.
//
//   firewall edge stateless protects 10.0.1.0/24 {
//     100 inbound allow tcp from any to 10.0.1.10 port 443
//   # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning missing-response "32768-60999"
//   }
//
// A marker comment (`#`, spaces, carets) points at the line above it (the nearest line that is
// not a marker). The carets give the start column; on a one-line diagnostic also the end. Then
// the severity, the code, and optionally one or more "quoted" pieces the message must contain.
// Every diagnostic must be marked, and every mark matched (unless `ignore` lists the code).

import { expect } from 'vitest';
import { type Analysis, analyze } from '../../server/src/analysis/analyze';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import { LineIndex } from '../../server/src/core/text';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';

export interface Mark {
  line: number;
  start: number;
  end: number;
  severity: string;
  code: string;
  contains: string[];
  markerLine: number;
}

const MARK = /^#(\s*)(\^+)\s+(error|warning|info|hint)\s+([a-z-]+)(.*)$/;

export function readMarks(text: string): Mark[] {
  const lines = text.split(/\r?\n/);
  const marks: Mark[] = [];
  let target = -1;
  lines.forEach((l, i) => {
    const m = MARK.exec(l);
    if (!m) {
      target = i;
      return;
    }
    const start = 1 + m[1]!.length;
    const contains = [...m[5]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
    marks.push({ line: target, start, end: start + m[2]!.length, severity: m[3]!, code: m[4]!, contains, markerLine: i });
  });
  return marks;
}

export interface FixtureOptions {
  path?: string;
  host?: FileHost;
  /** Codes whose diagnostics need no mark. */
  ignore?: string[];
}

function describeDiag(d: Diagnostic, lines: LineIndex): string {
  const s = lines.position(d.span.start);
  const e = lines.position(d.span.end);
  return `${s.line + 1}:${s.character}-${e.line + 1}:${e.character} ${d.severity} ${d.code}: ${d.message}`;
}

/** Runs the real parser, resolver and analyses on a fixture and compares with its marks. */
export function checkFixture(text: string, options: FixtureOptions = {}): { problems: string[]; analysis: Analysis } {
  const analysis = analyze(buildModel(options.path ?? '/fixture/test.fw', text, options.host));
  const lines = new LineIndex(text);
  const marks = readMarks(text);
  const problems: string[] = [];
  const unmatched = analysis.diagnostics.filter((d) => !d.file);
  for (const m of marks) {
    const i = unmatched.findIndex((d) => {
      const s = lines.position(d.span.start);
      const e = lines.position(d.span.end);
      if (d.code !== m.code || d.severity !== m.severity) return false;
      if (s.line !== m.line || s.character !== m.start) return false;
      if (e.line === s.line && m.end - m.start > 1 && e.character !== m.end) return false;
      return m.contains.every((c) => d.message.includes(c));
    });
    if (i < 0) {
      problems.push(
        `line ${m.markerLine + 1}: expected ${m.severity} ${m.code} at ${m.line + 1}:${m.start}-${m.end}${m.contains.length ? ` containing ${m.contains.map((c) => JSON.stringify(c)).join(', ')}` : ''}`,
      );
    } else unmatched.splice(i, 1);
  }
  for (const d of unmatched) {
    if (options.ignore?.includes(d.code)) continue;
    problems.push(`unexpected ${describeDiag(d, lines)}`);
  }
  if (problems.length) {
    problems.push('--- all diagnostics:', ...analysis.diagnostics.map((d) => describeDiag(d, lines)));
  }
  return { problems, analysis };
}

export function expectFixture(text: string, options: FixtureOptions = {}): Analysis {
  const { problems, analysis } = checkFixture(text, options);
  expect(problems.join('\n')).toBe('');
  return analysis;
}

/** A file host over an in-memory map of paths to texts. */
export function memoryHost(files: Record<string, string>): FileHost {
  return {
    readFile: (p) => files[p],
    resolve: (from, rel) => {
      const dir = from.slice(0, from.lastIndexOf('/') + 1);
      const parts = (dir + rel).split('/');
      const out: string[] = [];
      for (const part of parts) {
        if (part === '..') out.pop();
        else if (part !== '.') out.push(part);
      }
      return out.join('/');
    },
  };
}
