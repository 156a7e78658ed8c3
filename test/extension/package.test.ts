// The packaged extension read offline: the README in the .vsix (as vsce writes it, with the
// options of `npm run package`) keeps its links and images relative, and each of them, and
// each link of the pages they lead to, points at a file inside the package. vsce's own
// collect step (the file list of .vscodeignore, the README processing) is run without its
// prepublish build, so this takes a second and leaves dist/ alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

interface VsixFile {
  path: string;
  localPath?: string;
  contents?: string | Buffer;
}
interface VscePackage {
  readManifest(cwd: string): Promise<unknown>;
  collect(manifest: unknown, options: Record<string, unknown>): Promise<VsixFile[]>;
}

/** Paths inside the package (below `extension/`) and their text as packaged. */
let packaged: Map<string, VsixFile>;

function textOf(file: VsixFile): string {
  return file.contents !== undefined ? String(file.contents) : readFileSync(file.localPath!, 'utf8');
}

beforeAll(async () => {
  const script: string = pkg.scripts.package;
  expect(script).toMatch(/^vsce package /);
  const vsce = createRequire(import.meta.url)('@vscode/vsce/out/package') as VscePackage;
  const files = await vsce.collect(await vsce.readManifest(root), {
    cwd: root,
    dependencies: !script.includes('--no-dependencies'),
    rewriteRelativeLinks: !script.includes('--no-rewrite-relative-links'),
  });
  packaged = new Map(files.filter((f) => f.path.startsWith('extension/')).map((f) => [f.path.slice('extension/'.length), f]));
}, 30_000);

/** Relative links and images of a Markdown text, as [target, fragment]. */
function relativeLinks(markdown: string): [string, string][] {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  const out: [string, string][] = [];
  for (const m of text.matchAll(/!?\[(?:[^\]]|\[[^\]]*\])*\]\(([^)\s]+)\)|<img[^>]+src="([^"]+)"/g)) {
    const link = m[1] ?? m[2]!;
    if (/^\w+:/.test(link) || link.startsWith('#')) continue;
    const [target, fragment = ''] = link.split('#') as [string, string?];
    out.push([target, fragment]);
  }
  return out;
}

/** GitHub's (and VS Code's) anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.*)$/gm)) {
    out.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return out;
}

describe('the .vsix', () => {
  it('holds every file and heading the README links to, and every file the linked pages link to', () => {
    const readme = packaged.get('readme.md');
    expect(readme).toBeDefined();
    const repository = String(pkg.repository?.url ?? 'https://github.com/');
    const broken: string[] = [];
    const seen = new Set<string>();
    const queue = ['readme.md'];
    while (queue.length > 0) {
      const page = queue.shift()!;
      if (seen.has(page)) continue;
      seen.add(page);
      const text = textOf(packaged.get(page)!);
      // vsce's rewriting sends every relative link to the repository, which does not exist yet.
      for (const m of text.matchAll(/\]\((https?:[^)\s]+)\)|src="(https?:[^"]+)"/g)) {
        const url = m[1] ?? m[2]!;
        if (url.startsWith(repository)) broken.push(`${page}: ${url} leads out of the package`);
      }
      for (const [target, fragment] of relativeLinks(text)) {
        const file = path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURI(target))).replace(/\/$/, '');
        const isDir = [...packaged.keys()].some((f) => f.startsWith(file + '/'));
        if (!packaged.has(file) && !isDir) {
          broken.push(`${page}: ${target} is not in the package`);
          continue;
        }
        // From the README, a link goes to a page, not a folder (a folder shows nothing offline).
        if (page === 'readme.md' && isDir) broken.push(`${page}: ${target} is a folder`);
        if (fragment && file.endsWith('.md') && !anchors(textOf(packaged.get(file)!)).has(fragment)) {
          broken.push(`${page}: ${target}#${fragment} has no such heading`);
        }
        if (file.endsWith('.md') && packaged.has(file)) queue.push(file);
      }
    }
    expect(broken).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
  });

  it('holds the icon and the screenshot, and no sources, tests or node_modules', () => {
    expect(packaged.has(pkg.icon)).toBe(true);
    expect(packaged.has('docs/images/screenshot.png')).toBe(true);
    const stray = [...packaged.keys()].filter((f) => /^(server|client|test|node_modules|bench|scripts)\//.test(f) || f.endsWith('.ts'));
    expect(stray).toEqual([]);
  });
});
