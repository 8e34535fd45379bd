// The first-run notice: once per installation (globalState), a notification offering the walkthrough.
// Not shown in extension tests, nor where the user turned off walkthroughs on install
// (workbench.welcomePage.walkthroughs.openOnInstall, which the E2E profile sets), unless PROPMEND_FIRST_RUN=1
// asks for it; PROPMEND_FIRST_RUN=0 never shows it. Must not start the runtime.
import { type ExtensionContext, ExtensionMode, window, workspace } from 'vscode';
import { openWalkthrough } from './walkthrough';
import { type FirstRunFacts, shouldOfferWalkthrough } from './walkthrough-first-run';

/** globalState key: the notice was shown (its value: the extension version that showed it). */
export const OFFERED_KEY = 'propmend.walkthroughOffered';

export const FIRST_RUN_MESSAGE =
  'PropMEND is installed. The walkthrough takes you from a dataset check to a first propagating edit on the shipped model, offline, in five steps.';

/** Shows the notice when it is due; answers do not block activation. */
export function offerWalkthrough(context: ExtensionContext): void {
  const facts: FirstRunFacts = {
    offered: context.globalState.get(OFFERED_KEY) !== undefined,
    testMode: context.extensionMode === ExtensionMode.Test,
    walkthroughsOnInstall:
      workspace.getConfiguration('workbench').get<boolean>('welcomePage.walkthroughs.openOnInstall') !==
      false,
    env: process.env.PROPMEND_FIRST_RUN,
  };
  if (!shouldOfferWalkthrough(facts)) return;
  void context.globalState.update(OFFERED_KEY, context.extension.packageJSON.version ?? true);
  void window.showInformationMessage(FIRST_RUN_MESSAGE, 'Open Walkthrough', 'Not Now').then((choice) => {
    if (choice === 'Open Walkthrough') void openWalkthrough(context);
  });
}
