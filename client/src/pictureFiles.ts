// Which files a picture lets a click open (client/src/picturePanel.ts): those its SVG names in
// `data-file` (an included file's rule or declaration), never a path the webview made up. Pure
// (no vscode), so that the tests read the server's SVG with it.

/**
 * The files the `data-file` attributes of an SVG name (XML-unescaped, as the page reads them):
 * the only files other than the panel's own document a click in that picture may open.
 */
export function filesNamedIn(svg: string): Set<string> {
  const out = new Set<string>();
  for (const m of svg.matchAll(/\sdata-file="([^"]*)"/g)) {
    out.add(m[1]!.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? ''));
  }
  return out;
}
