// The optional LLM judge against a stub OpenAI-compatible server on 127.0.0.1: verdicts in order, the API key
// sent from PROPMEND_JUDGE_API_KEY, HTTP and non-verdict failures as one JudgeError line, and a tiny
// `propmend eval` run with --judge-url whose records and summary rows carry the verdicts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { shippedAssets } from '../../server/common/paths';
import { quietContext } from '../../server/jobs/context';
import { evalRunJob } from '../../server/jobs/eval-run';
import { completionsUrl, JudgeError, judgeAnswers, parseVerdict } from '../../server/runtime/eval/judge';
import { Runtime } from '../../server/runtime/session/runtime';

let server: Server;
let base: string;
const seen: Array<{ path: string; auth: string | undefined; model: string }> = [];
/** How the stub answers: a verdict from the prompt (candidate equals gold, case-insensitive), or a failure. */
let mode: 'grade' | 'http500' | 'chatty' = 'grade';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => resolve(text));
  });
}

before(async () => {
  server = createServer(async (req, res) => {
    const request = JSON.parse(await body(req)) as { model: string; messages: Array<{ content: string }> };
    seen.push({ path: req.url ?? '', auth: req.headers.authorization, model: request.model });
    if (mode === 'http500') {
      res.writeHead(500).end('{}');
      return;
    }
    const user = request.messages[request.messages.length - 1]?.content ?? '';
    const gold = /Gold answer: (.*)/.exec(user)?.[1]?.trim().toLowerCase();
    const candidate = /Candidate answer: (.*)/.exec(user)?.[1]?.trim().toLowerCase();
    const content = mode === 'chatty' ? 'Well, it depends.' : gold === candidate ? 'Yes.' : 'No';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => server.close());

const item = (prediction: string) => ({
  question: 'Where?',
  answer: 'Paris',
  aliases: ['Paree'],
  prediction,
});

test('verdicts come back in order, with the key from the environment', async () => {
  seen.length = 0;
  mode = 'grade';
  const verdicts = await judgeAnswers(
    { url: base, model: 'stub-judge', concurrency: 2 },
    [item('paris'), item('Lyon'), item(''), item('PARIS')],
    { env: { PROPMEND_JUDGE_API_KEY: 'sk-test' } },
  );
  assert.deepEqual(
    verdicts.map((v) => v.correct),
    [true, false, false, true],
  );
  assert.equal(verdicts[0]?.model, 'stub-judge');
  // The empty prediction is never sent.
  assert.equal(seen.length, 3);
  for (const s of seen) {
    assert.equal(s.path, '/v1/chat/completions');
    assert.equal(s.auth, 'Bearer sk-test');
    assert.equal(s.model, 'stub-judge');
  }
  assert.equal(completionsUrl('http://h:1/v1/chat/completions/'), 'http://h:1/v1/chat/completions');
  assert.equal(parseVerdict(' yes, it is'), true);
  assert.equal(parseVerdict('maybe'), undefined);
});

test('a failing or chatty endpoint is one JudgeError line naming the fix', async () => {
  mode = 'http500';
  await assert.rejects(
    judgeAnswers({ url: base, model: 'm' }, [item('x')], { env: {} }),
    (e) => e instanceof JudgeError && /answered HTTP 500; check --judge-url/.test(e.message),
  );
  mode = 'chatty';
  await assert.rejects(
    judgeAnswers({ url: base, model: 'm' }, [item('x')], { env: {} }),
    (e) => e instanceof JudgeError && /instead of yes or no/.test(e.message) && !e.message.includes('\n'),
  );
  await assert.rejects(judgeAnswers({ url: 'ftp://x', model: 'm' }, [item('x')]), /must be http or https/);
  mode = 'grade';
});

test('an eval run with a judge records each verdict and summarises them', async () => {
  mode = 'grade';
  const runtime = new Runtime({ threads: 1 });
  try {
    const { model, world } = shippedAssets();
    // One instance in a folder of its own: the checker's pass stays short.
    const dir = mkdtempSync(join(tmpdir(), 'propmend-judge-'));
    const line = readFileSync(join(world, 'splits', 'validation.ripple.jsonl'), 'utf8').split('\n')[0];
    writeFileSync(join(dir, 'validation.ripple.jsonl'), `${line}\n`);
    after(() => rmSync(dir, { recursive: true, force: true }));
    const { result, summary } = await evalRunJob(
      {
        datasets: [join(dir, 'validation.ripple.jsonl')],
        modelDir: model,
        methods: ['base'],
        limit: 1,
        judge: { url: base, model: 'stub-judge' },
      },
      runtime,
      quietContext(),
    );
    assert.deepEqual(result.config.judge, { url: base, model: 'stub-judge' });
    for (const r of result.records) {
      assert.equal(r.judge?.model, 'stub-judge');
      // The stub's verdict is case-insensitive equality, which exact match implies.
      if (r.exact_match && r.after.toLowerCase() === r.answer.toLowerCase())
        assert.equal(r.judge?.correct, true);
    }
    const row = summary[0];
    assert.ok(row?.judge);
    assert.equal(row.judge.specificity.n, result.records.filter((r) => r.kind === 'locality').length);
  } finally {
    runtime.dispose();
  }
});
