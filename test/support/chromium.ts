// Debian's Chromium for browser tests (the HTML report, the E2E workbench, the diff page): its path and the
// launch flags that make it run headless in a container without reaching the network (the measured recipe
// in the shared vscode-e2e notes). Launching through playwright-core is launchChromium; nothing else here.
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** No sandbox (containers), no GPU, no background or update traffic, no first-run UI. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Headless Debian Chromium driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}
