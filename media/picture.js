// The script of fwlang's picture webview (client/src/picturePanel.ts): shows the SVG the extension
// posts, inlined into the page so that its --vscode-* theme variables apply, or why there is no
// picture; a click on a hop label, a response rule's bar or a declaration asks the extension to
// reveal that line of the .fw file (or of the included file its data-file names). Loaded from the extension's media folder, nothing else.
/* global acquireVsCodeApi, window, Element */
(function () {
  const vscode = acquireVsCodeApi();
  const picture = document.getElementById('picture');
  const caption = document.getElementById('caption');
  const message = document.getElementById('message');

  function show(m) {
    caption.textContent = m.caption || '';
    if (typeof m.svg === 'string') {
      // The extension's own SVG (its <style> carries this page's nonce).
      picture.innerHTML = m.svg;
      message.textContent = '';
      document.body.dataset.state = 'picture';
    } else {
      picture.replaceChildren();
      message.textContent = m.error || '';
      document.body.dataset.state = 'error';
    }
    document.body.dataset.kind = m.kind || '';
  }

  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m && m.type === 'show') {
      show(m);
      vscode.setState(m);
    }
  });

  picture.addEventListener('click', (e) => {
    const el = e.target instanceof Element ? e.target.closest('[data-line]') : null;
    if (!el || !picture.contains(el)) return;
    const line = Number(el.getAttribute('data-line'));
    // An item of an included file names it (data-file); the extension opens only a file the picture named.
    const file = el.getAttribute('data-file');
    if (Number.isInteger(line) && line > 0) vscode.postMessage(file ? { type: 'reveal', line, file } : { type: 'reveal', line });
  });

  const saved = vscode.getState();
  if (saved) show(saved);
  vscode.postMessage({ type: 'ready' });
})();
