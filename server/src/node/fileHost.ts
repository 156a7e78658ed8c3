// The file host for Node front ends (CLI, language server): reads included files from disk.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileHost } from '../model/types';

export function nodeFileHost(overrides?: (file: string) => string | undefined): FileHost {
  return {
    readFile(file: string): string | undefined {
      const open = overrides?.(file);
      if (open !== undefined) return open;
      try {
        const st = fs.statSync(file);
        if (!st.isFile() || st.size > 16 * 1024 * 1024) return undefined;
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
    resolve(from: string, relative: string): string {
      return path.resolve(path.dirname(from), relative);
    },
  };
}
