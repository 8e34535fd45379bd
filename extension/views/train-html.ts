// The training page's HTML: the shared bundled-webview page (diff-html.ts: strict nonce CSP, our bundle, the
// @vscode-elements/elements bundle, the stylesheet) titled for training. Plain strings; must not import `vscode`.
import { webviewPageHtml } from './diff-html';

export function trainHtml(
  scriptUri: string,
  elementsUri: string,
  styleUri: string,
  cspSource: string,
  nonce: string,
): string {
  return webviewPageHtml({
    title: 'PropMEND: Training',
    rootTestId: 'train-root',
    script: scriptUri,
    elements: elementsUri,
    style: styleUri,
    cspSource,
    nonce,
  });
}
