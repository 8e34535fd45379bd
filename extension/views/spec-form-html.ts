// The edit-spec form page's HTML: a strict Content-Security-Policy (nothing by default, scripts only by a
// per-load nonce, styles and fonts only from the webview's own resource root), our bundle, the
// @vscode-elements/elements bundle and the stylesheet. Plain strings; must not import `vscode`.

export interface SpecFormAssets {
  readonly script: string;
  readonly elements: string;
  readonly style: string;
  readonly cspSource: string;
  readonly nonce: string;
}

/** The page: only our bundle folder, scripts by nonce, no inline style or remote content. */
export function specFormHtml(a: SpecFormAssets): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${a.nonce}'`,
    `style-src ${a.cspSource}`,
    `font-src ${a.cspSource}`,
    `img-src ${a.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a.style}">
<title>PropMEND: Edit Spec</title>
</head>
<body>
<main id="root" data-testid="spec-form-root"></main>
<script nonce="${a.nonce}" type="module" src="${a.elements}"></script>
<script nonce="${a.nonce}" src="${a.script}"></script>
</body>
</html>`;
}
