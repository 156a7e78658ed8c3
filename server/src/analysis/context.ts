// What every check gets, and the two shapes of a check that analyze() registers.

import type { Diagnostic } from '../core/diagnostic';
import type { LineIndex } from '../core/text';
import type { FlowResult } from '../engine/simulate';
import type { Firewall, Model } from '../model/types';

export interface AnalysisContext {
  model: Model;
  flowResults: FlowResult[];
  /** Lines of the root file's text, computed once per analysis. */
  lines?: LineIndex;
}

/**
 * A check of one firewall of the root file. Its diagnostics depend only on the firewall's
 * text, the declarations and where the firewall starts (so analyze() may keep them between
 * edits).
 */
export type FirewallCheck = (ctx: AnalysisContext, firewall: Firewall) => Diagnostic[];

/** A check of the whole file (the flows). */
export type FileCheck = (ctx: AnalysisContext) => Diagnostic[];
