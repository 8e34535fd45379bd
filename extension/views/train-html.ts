// The training page's HTML: a strict Content-Security-Policy (nothing by default, scripts only by a per-load
// nonce, styles only from the webview's own resource root), our bundle, the @vscode-elements/elements bundle
// and the stylesheet. Plain strings; must not import `vscode`.

export function trainHtml(
  scriptUri: string,
  elementsUri: string,
  styleUri: string,
  cspSource: string,
  nonce: string,
): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>PropMEND: Training</title>
</head>
<body>
<main id="root" data-testid="train-root"></main>
<script nonce="${nonce}" type="module" src="${elementsUri}"></script>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
