// Which hypernetwork an edit uses when the `propmend.hypernetwork` setting is set (the training panel's "Use
// this hypernetwork" writes it): the setting, unless the edit spec names its own `hypernetwork` (the spec
// wins, as the text a person wrote). Plain data; must not import `vscode`.
import type { InstanceSource } from '../../server/protocol';

export function hypernetOverride(
  setting: string | undefined,
  source: InstanceSource,
  specText: (file: string) => string,
): { hypernet?: string } {
  if (!setting?.trim()) return {};
  if (source.kind === 'spec') {
    try {
      const spec = JSON.parse(specText(source.file)) as Record<string, unknown>;
      if (typeof spec === 'object' && spec !== null && 'hypernetwork' in spec) return {};
    } catch {
      // A spec that does not parse fails in the sidecar with its own message; the setting changes nothing.
      return {};
    }
  }
  return { hypernet: setting.trim() };
}
