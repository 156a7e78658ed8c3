// The editor's pipeline for one document (what lsp/workspace.ts does on each version): the
// incremental parser, the resolve cache and the analysis cache, against a fresh analysis.
import { AnalysisCache, type Analysis, analyze } from '../../server/src/analysis/analyze';
import { ResolveCache, buildModel } from '../../server/src/model/resolve';
import { flowJson } from '../../server/src/report/flowReport';
import { IncrementalParser } from '../../server/src/syntax/incremental';

export const PATH = '/incremental/doc.fw';

export class Pipeline {
  readonly parser = new IncrementalParser();
  readonly resolveCache = new ResolveCache();
  readonly analysisCache = new AnalysisCache();

  analyze(text: string): Analysis {
    const model = buildModel(PATH, text, undefined, { parsed: this.parser.parse(text), cache: this.resolveCache });
    return analyze(model, this.analysisCache);
  }
}

export function fresh(text: string): Analysis {
  return analyze(buildModel(PATH, text));
}

/** What must not differ: diagnostics, each flow's verdict and report, names and what they point at. */
export function observable(a: Analysis): unknown {
  return {
    diagnostics: a.diagnostics,
    flows: a.flowResults.map((r) => ({ line: r.flow.node.span.start, verdict: r.verdict, met: r.met, json: flowJson(r, a.model) })),
    references: a.model.references.map((r) => ({
      name: r.name,
      span: r.span,
      declaration: r.declaration,
      symbol: r.symbol && { kind: r.symbol.kind, origin: 'origin' in r.symbol ? r.symbol.origin?.span : undefined },
    })),
    firewalls: a.model.firewalls.map((f) => ({
      name: f.name,
      order: f.order,
      valid: f.valid,
      span: f.node.span,
      rules: f.rules.map((r) => ({ span: r.node.span, valid: r.valid, from: r.from.symbol?.origin.span, to: r.to.symbol?.origin.span })),
    })),
  };
}
