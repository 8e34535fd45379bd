// The edit-spec form page's HTML: the shared bundled-webview page (diff-html.ts: strict nonce CSP, our bundle,
// the @vscode-elements/elements bundle, the stylesheet). Plain strings; must not import `vscode`.
import { webviewPageHtml } from './diff-html';

export interface SpecFormAssets {
  readonly script: string;
  readonly elements: string;
  readonly style: string;
  readonly cspSource: string;
  readonly nonce: string;
}

/** The page: the shared bundled-webview page (diff-html.ts), titled for the form. */
export function specFormHtml(a: SpecFormAssets): string {
  return webviewPageHtml({ title: 'PropMEND: Edit Spec', rootTestId: 'spec-form-root', ...a });
}
