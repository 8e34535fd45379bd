// Loads one of our bundled webview pages into a webview: scripts on, dist/webviews/ as the only resource root,
// the page's bundle and stylesheet (dist/webviews/<bundle>.js, .css) with the @vscode-elements/elements bundle,
// and a fresh nonce per load for the page's CSP (views/diff-html.ts). Owns no panel and no messages.
import { randomBytes } from 'node:crypto';
import { type ExtensionContext, Uri, type Webview, type WebviewOptions } from 'vscode';
import { webviewPageHtml } from './views/diff-html';

/** The options of a webview that shows a bundled page (also what a revived panel gets). */
export function bundledPageOptions(context: ExtensionContext): WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [Uri.joinPath(context.extensionUri, 'dist', 'webviews')],
  };
}

/** Sets the webview's options and its page: `bundle` names dist/webviews/<bundle>.js and .css. */
export function loadBundledPage(
  webview: Webview,
  context: ExtensionContext,
  page: { readonly bundle: string; readonly title: string; readonly rootTestId: string },
): void {
  const root = Uri.joinPath(context.extensionUri, 'dist', 'webviews');
  webview.options = bundledPageOptions(context);
  const uri = (name: string) => webview.asWebviewUri(Uri.joinPath(root, name)).toString();
  webview.html = webviewPageHtml({
    title: page.title,
    rootTestId: page.rootTestId,
    script: uri(`${page.bundle}.js`),
    elements: uri('vscode-elements.js'),
    style: uri(`${page.bundle}.css`),
    cspSource: webview.cspSource,
    nonce: randomBytes(18).toString('base64url'),
  });
}
