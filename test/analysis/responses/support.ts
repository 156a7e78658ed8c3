// Helpers for the response analyses' tests: run the real pipeline, pick a diagnostic's fix,
// apply it as text.

import { expect } from 'vitest';
import { check } from '../../../server/src/analysis/analyze';
import type { Diagnostic, Fix } from '../../../server/src/core/diagnostic';
import { applyEdits } from '../../../server/src/core/edits';
import { LineIndex } from '../../../server/src/core/text';
import { type FixtureOptions, expectFixture } from '../../support/fixture';

export const RESPONSE_CODES = ['missing-response', 'partial-response', 'broad-response', 'orphan-response', 'stateful-response'];

/** Other analyses may also speak about these fixtures; only the response codes are checked. */
export const OTHERS = ['shadowed-rule', 'redundant-rule'];

export function fixture(text: string, options: FixtureOptions = {}) {
  return expectFixture(text, { ignore: OTHERS, ...options });
}

export function diagnostics(text: string, code?: string): Diagnostic[] {
  return check('/fixture/test.fw', text).diagnostics.filter((d) => (code ? d.code === code : RESPONSE_CODES.includes(d.code)));
}

/** The diagnostic of `code` whose span starts on 1-based line `line` (the only one when omitted). */
export function diagnosticAt(text: string, code: string, line?: number): Diagnostic {
  const lines = new LineIndex(text);
  const found = diagnostics(text, code).filter((d) => line === undefined || lines.position(d.span.start).line + 1 === line);
  expect(
    found.map((d) => d.message),
    `exactly one ${code}${line ? ` on line ${line}` : ''}`,
  ).toHaveLength(1);
  return found[0]!;
}

export function applyFix(text: string, fix: Fix | undefined): string {
  expect(fix, 'a quick fix').toBeDefined();
  return applyEdits(text, fix!.edits).text;
}

/**
 * Applies a fix of a `code` diagnostic on 1-based `line`: the first fix of the only such
 * diagnostic, or, with `title`, the one fix whose title contains it.
 */
export function fixed(text: string, code: string, line?: number, title?: string): string {
  if (!title) return applyFix(text, diagnosticAt(text, code, line).fixes?.[0]);
  const lines = new LineIndex(text);
  const fixes = diagnostics(text, code)
    .filter((d) => line === undefined || lines.position(d.span.start).line + 1 === line)
    .flatMap((d) => d.fixes ?? [])
    .filter((f) => f.title.includes(title));
  expect(
    fixes.map((f) => f.title),
    `exactly one fix titled like ${JSON.stringify(title)}`,
  ).toHaveLength(1);
  return applyFix(text, fixes[0]);
}
