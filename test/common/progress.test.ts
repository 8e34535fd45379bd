// Progress line contents: hidden for short jobs, plain lines off a terminal, and a time-left estimate that
// uses only this run's rate when a job resumed from a checkpoint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds, Progress } from '../../server/common/progress';

function capture(): { lines: string[]; sink: { write(t: string): void; isTTY: boolean } } {
  const lines: string[] = [];
  return { lines, sink: { write: (t) => lines.push(t), isTTY: false } };
}

test('nothing is printed before the delay unless forced', () => {
  const { lines, sink } = capture();
  const progress = new Progress('job', 10, sink, 0, 60_000);
  progress.update(5);
  assert.equal(lines.length, 0);
  progress.update(6, {}, true);
  assert.match(lines[0] ?? '', /^job 6\/10 60\.0% /);
});

test('a resumed job estimates time left from the work done in this run', async () => {
  const { lines, sink } = capture();
  const progress = new Progress('train', 1000, sink, 0, 0);
  progress.resumeFrom(900);
  await new Promise((r) => setTimeout(r, 200));
  progress.update(910, { loss: '1.0' }, true);
  const line = lines[0] ?? '';
  const elapsed = Number(/ ([\d.]+)s elapsed/.exec(line)?.[1]);
  const left = Number(/, ([\d.]+)s left/.exec(line)?.[1]);
  // 10 units took `elapsed`; 90 remain, so about 9× as long is left (not 0.1× as a whole-job rate would say).
  // The printed values are rounded to 0.1 s, hence the slack.
  assert.ok(left >= 9 * elapsed - 0.5 && left <= 9 * elapsed + 0.5, line);
  assert.ok(left > 1, line);
  assert.match(line, /\| loss 1\.0$/m);
});

test('seconds are formatted as s, m:s and h:m', () => {
  assert.equal(formatSeconds(4.25), '4.3s');
  assert.equal(formatSeconds(125), '2m05s');
  assert.equal(formatSeconds(7260), '2h01m');
});
