// When the first-run notice offering the walkthrough shows, as a rule over plain facts (unit-tested without
// VS Code; first-run.ts gathers the facts and shows the notice). Owns the decision only.

export interface FirstRunFacts {
  readonly offered: boolean;
  readonly testMode: boolean;
  /** workbench.welcomePage.walkthroughs.openOnInstall (true unless the user turned it off). */
  readonly walkthroughsOnInstall: boolean;
  /** PROPMEND_FIRST_RUN: '1' asks for the notice, '0' turns it off. */
  readonly env: string | undefined;
}

/** Whether to show the first-run notice now. */
export function shouldOfferWalkthrough(facts: FirstRunFacts): boolean {
  if (facts.env === '0') return false;
  if (facts.offered) return false;
  if (facts.env === '1') return true;
  return !facts.testMode && facts.walkthroughsOnInstall;
}
