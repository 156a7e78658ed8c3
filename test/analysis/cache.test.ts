// The per-firewall AnalysisCache must never change an answer: after any sequence of edits,
// the cached analysis equals a fresh one, diagnostic for diagnostic (spans, messages, fixes).
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisCache, analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';

const SAMPLES = join(__dirname, '..', '..', 'samples');
const texts = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.fw') && f !== 'linux-host.fw' && f !== 'office.fw') // no includes: no disk here
  .map((f) => readFileSync(join(SAMPLES, f), 'utf8'));

// Edits a person makes: type in a comment, change a digit, add or remove a line, a space.
const arbEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('comment', 'digit', 'newline', 'space', 'delete-line', 'port'),
});

function applyEdit(text: string, e: { at: number; kind: string }): string {
  const i = e.at % (text.length + 1);
  switch (e.kind) {
    case 'comment':
      return `${text.slice(0, i)}\n# note ${i}\n${text.slice(i)}`;
    case 'digit': {
      const j = text.slice(i).search(/\d/);
      if (j < 0) return text;
      const k = i + j;
      return text.slice(0, k) + String((Number(text[k]) + 1) % 10) + text.slice(k + 1);
    }
    case 'newline':
      return `${text.slice(0, i)}\n${text.slice(i)}`;
    case 'space':
      return `${text.slice(0, i)} ${text.slice(i)}`;
    case 'delete-line': {
      const start = text.lastIndexOf('\n', i - 1) + 1;
      const end = text.indexOf('\n', i);
      return text.slice(0, start) + (end < 0 ? '' : text.slice(end + 1));
    }
    default: {
      const j = text.indexOf('port ', i);
      return j < 0 ? text : `${text.slice(0, j + 5)}1${text.slice(j + 5)}`;
    }
  }
}

describe('AnalysisCache', () => {
  it('gives exactly the fresh analysis after every edit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(arbEdit, { minLength: 1, maxLength: 6 }), (start, edits) => {
        const cache = new AnalysisCache();
        let text = start;
        analyze(buildModel('/cache/f.fw', text), cache);
        for (const e of edits) {
          text = applyEdit(text, e);
          const cached = analyze(buildModel('/cache/f.fw', text), cache).diagnostics;
          const fresh = analyze(buildModel('/cache/f.fw', text)).diagnostics;
          expect(cached).toEqual(fresh);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('reuses the firewalls an edit did not touch', () => {
    const text = texts.find((t) => t.includes('firewall no-response'))!;
    const cache = new AnalysisCache();
    analyze(buildModel('/cache/f.fw', text), cache);
    const missesBefore = cache.misses;
    // Typing inside one firewall's rule re-analyses that firewall only.
    const edited = text.replace('inbound allow tcp to web1 port https', 'inbound allow tcp to web1 port 443');
    analyze(buildModel('/cache/f.fw', edited), cache);
    expect(cache.misses - missesBefore).toBe(1);
  });
});
