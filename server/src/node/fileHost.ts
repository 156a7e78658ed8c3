// The file host for Node front ends (CLI, language server): reads included files from disk.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileHost } from '../model/types';
import { MAX_TEXT_LENGTH, tooLargeReason } from '../syntax/parse';

/**
 * Reads included files from disk. A file larger than fwlang reads (`MAX_TEXT_LENGTH` bytes) is
 * refused before it is read, with its size (the language server keeps what it reads).
 */
export function nodeFileHost(overrides?: (file: string) => string | undefined): FileHost {
  return {
    readFile(file: string): string | undefined {
      const open = overrides?.(file);
      if (open !== undefined) return open;
      try {
        const st = fs.statSync(file);
        if (!st.isFile() || st.size > MAX_TEXT_LENGTH) return undefined;
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
    resolve(from: string, relative: string): string {
      return path.resolve(path.dirname(from), relative);
    },
    refuse(file: string): string | undefined {
      if (overrides?.(file) !== undefined) return undefined;
      return tooLargeReason(fileSize(file));
    },
  };
}

/** The size of `file` in bytes; 0 when it is not a regular file or cannot be looked at. */
function fileSize(file: string): number {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** The path with its symbolic links followed as far as it exists (the rest as written). */
function realPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realPath(parent), path.basename(abs));
  }
}

function inside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Why the editor may not include `file`, if it may not: it is outside every one of `folders`
 * (the workspace folders), symbolic links followed. The message names the folders, nothing
 * of the file.
 */
export function outsideFolders(file: string, folders: readonly string[]): string | undefined {
  const real = realPath(file);
  if (folders.some((f) => inside(real, realPath(f)))) return undefined;
  const names = folders.map((f) => path.resolve(f));
  return names.length === 1
    ? `it is outside the workspace folder ${names[0]}`
    : `it is outside the workspace folders (${names.join(', ')})`;
}
