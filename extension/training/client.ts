// What the training view needs from the runtime sidecar: typed requests plus a subscription to the
// trainingProgress notification (the sidecar manager provides both). No `vscode` import, so the panel's
// logic and the reconnect test run against a real sidecar in plain Node.
import type { NotificationType } from 'vscode-jsonrpc';
import type { RuntimeClient } from '../runtime-client';

export interface TrainingClient extends RuntimeClient {
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): { dispose(): void };
}
