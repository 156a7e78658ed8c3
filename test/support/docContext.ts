// A DocContext for feature tests: the real parser, resolver and analyses on a text, and a
// `<|>` cursor marker turned into an offset.

import { analyze } from '../../server/src/analysis/analyze';
import { LineIndex } from '../../server/src/core/text';
import { DEFAULT_SETTINGS, type DocContext } from '../../server/src/features/docContext';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';

/** `host` reads the included files (none are read without one). */
export function docContext(text: string, path = '/fixture/test.fw', host?: FileHost): DocContext {
  return {
    uri: `file://${path}`,
    path,
    version: 1,
    text,
    lines: new LineIndex(text),
    analysis: analyze(buildModel(path, text, host)),
    settings: DEFAULT_SETTINGS,
  };
}

/** Splits `text` at its `<|>` marker: the text without it and the marker's offset. */
export function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('<|>');
  if (offset < 0) throw new Error('no <|> marker');
  return { text: marked.slice(0, offset) + marked.slice(offset + 3), offset };
}
