// The training view's connection to the sidecar's run, without `vscode`: subscribes to trainingProgress
// before asking trainingStatus (so no point falls between the two), keeps the TrainRunView, and sends the
// pause / resume / stop intents. A panel closed and reopened makes a new TrainingWatch and gets the whole
// history back from the sidecar; the run itself never depends on a watch.
import {
  PauseTrainingRequest,
  StartTrainingRequest,
  StopTrainingRequest,
  TrainingProgressNotification,
  TrainingStatusRequest,
} from '../../server/protocol';
import { EMPTY_RUN_VIEW, fromStatus, type TrainRunView, withProgress } from '../views/train-view';
import type { TrainingClient } from './client';

export class TrainingWatch {
  private view: TrainRunView = EMPTY_RUN_VIEW;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly client: TrainingClient,
    private readonly changed: (view: TrainRunView) => void,
  ) {
    this.subscription = client.onNotification(TrainingProgressNotification, (p) => {
      this.view = withProgress(this.view, p);
      this.changed(this.view);
    });
  }

  get current(): TrainRunView {
    return this.view;
  }

  /** Reads the sidecar's run and its whole history (a reopened panel's first call). */
  async refresh(): Promise<TrainRunView> {
    const status = await this.client.request(TrainingStatusRequest, {});
    // Notifications that arrived while asking are in the answer too: the answer is the newer whole.
    this.view = fromStatus(status);
    this.changed(this.view);
    return this.view;
  }

  /** Starts (or resumes, or reconnects to) a run of `config` in `out`. */
  async start(config: string, out?: string): Promise<TrainRunView> {
    const status = await this.client.request(StartTrainingRequest, { config, ...(out ? { out } : {}) });
    this.view = fromStatus(status);
    this.changed(this.view);
    return this.view;
  }

  async pause(): Promise<void> {
    await this.client.request(PauseTrainingRequest, {});
  }

  async stop(): Promise<void> {
    await this.client.request(StopTrainingRequest, {});
  }

  /** Resumes the shown run (same config and folder: the loop continues from its saved state). */
  async resume(): Promise<TrainRunView | undefined> {
    const run = this.view.run;
    return run ? this.start(run.config, run.out) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
