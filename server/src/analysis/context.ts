// What every check gets: the model and the flows already simulated.

import type { LineIndex } from '../core/text';
import type { FlowResult } from '../engine/simulate';
import type { Model } from '../model/types';

export interface AnalysisContext {
  model: Model;
  flowResults: FlowResult[];
  /** Lines of the root file's text, computed once per analysis. */
  lines?: LineIndex;
}
