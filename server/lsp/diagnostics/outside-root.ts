// Diagnostic: propmend/outside-root
// An edit spec's kb, model or hypernetwork path that resolves outside the spec's folder and the checked roots (the workspace in the editor): never read, and the message does not say whether it exists.
export { confineSpecPaths, OUTSIDE_ROOT } from '../check/spec-paths';
