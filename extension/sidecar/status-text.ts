// The words of the runtime's status bar item for each sidecar state: the model's folder name, the execution
// provider and busy/idle, plus a tooltip sentence. A view model without `vscode`, unit-tested in plain Node.
import type { SidecarState } from './manager';

/** The last path segment of a folder (either separator). */
function folderName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.at(-1) ?? path;
}

export function statusText(state: SidecarState): { text: string; tooltip: string } {
  const model = state.model;
  const what = model ? `${folderName(model.folder)} · ${model.provider}` : 'no model';
  switch (state.phase) {
    case 'disabled':
      return {
        text: '$(workspace-untrusted) PropMEND runtime off',
        tooltip:
          'The runtime does not run in an untrusted workspace; trust the workspace to load models and apply edits.',
      };
    case 'starting':
      return { text: `$(loading~spin) PropMEND: starting`, tooltip: 'Starting the PropMEND runtime.' };
    case 'busy':
      return {
        text: `$(loading~spin) PropMEND: ${what} · busy`,
        tooltip: `Running ${state.running ?? 'a request'} on ${model ? model.folder : 'no model yet'}.`,
      };
    case 'crashed':
      return {
        text: `$(warning) PropMEND: ${what} · stopped`,
        tooltip: 'The runtime stopped unexpectedly; it restarts on the next request.',
      };
    case 'idle':
      return {
        text: `$(circuit-board) PropMEND: ${what} · idle`,
        tooltip: model
          ? `${model.folder}: ${model.model_type}, ${model.parameters.toLocaleString('en-US')} parameters, ${model.provider} (${model.threads} threads).`
          : 'The runtime runs with no model loaded.',
      };
    default:
      return {
        text: `$(circuit-board) PropMEND: ${what}`,
        tooltip: 'The runtime starts when you first apply an edit or select a model.',
      };
  }
}
