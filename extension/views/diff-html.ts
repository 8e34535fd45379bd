// The pages of our bundled webviews (propagation diff, training, edit-spec form): a strict
// Content-Security-Policy (nothing by default, scripts only by a per-load nonce, styles and fonts only from the
// webview's own resource root), the page's bundle, the @vscode-elements/elements bundle and the stylesheet.
// Plain strings; must not import `vscode`.

/** What one bundled webview page loads, and how it names itself. */
export interface WebviewPage {
  readonly title: string;
  /** data-testid of the page's root element. */
  readonly rootTestId: string;
  readonly script: string;
  readonly elements: string;
  readonly style: string;
  readonly cspSource: string;
  readonly nonce: string;
}

/** The page: only our bundle folder, scripts by nonce, no inline style or remote content. */
export function webviewPageHtml(p: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${p.nonce}'`,
    `style-src ${p.cspSource}`,
    `font-src ${p.cspSource}`,
    `img-src ${p.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${p.style}">
<title>${p.title}</title>
</head>
<body>
<main id="root" data-testid="${p.rootTestId}"></main>
<script nonce="${p.nonce}" type="module" src="${p.elements}"></script>
<script nonce="${p.nonce}" src="${p.script}"></script>
</body>
</html>`;
}
