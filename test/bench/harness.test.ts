// The benchmark suite's bookkeeping with fake sides (no models, no processes): medians, ratios, the
// ours-vs-peer agreement checks, the table, the `--json` shape, case selection and a failing case.
// Timings are fabricated here on purpose; no test measures speed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSuite, selectCases } from '../../bench/run';
import { type BenchCase, editAgreement, forwardFlops } from '../../bench/suite/cases';
import {
  caseRow,
  formatTable,
  jsonSummary,
  median,
  ratio,
  reportFileName,
  seriesMedian,
} from '../../bench/suite/harness';
import type { SideRunner } from '../../bench/suite/sides';
import type { SideResult, SideSpec } from '../../bench/suite/spec';
import { normalizeConfig } from '../../server/runtime/models/registry';
import { LLAMA_32_1B } from '../support/published-configs';

function side(which: 'ours' | 'peer', runs: number[], check: SideResult['check'] = {}): SideResult {
  return {
    side: which,
    series: { edit: { warmup_s: [99], runs_s: runs } },
    peak_rss_bytes: which === 'ours' ? 2 ** 30 : 3 * 2 ** 30,
    load_s: 0.5,
    check,
    versions: { node: 'v0' },
  };
}

describe('bench harness', () => {
  test('median of odd and even counts; NaN for none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  test('the row takes medians of timed runs only (warm-up excluded) and divides ours by peer', () => {
    const row = caseRow('edit-x', side('ours', [0.2, 0.1, 0.3]), side('peer', [0.8, 0.4, 0.6]), {
      series: 'edit',
      agree: true,
      notes: 'n',
    });
    assert.equal(row.ours_s, 0.2);
    assert.equal(row.peer_s, 0.6);
    assert.equal(row.ratio, 0.2 / 0.6);
    assert.equal(row.ours_peak_rss_bytes, 2 ** 30);
    assert.equal(row.peer_peak_rss_bytes, 3 * 2 ** 30);
    assert.equal(seriesMedian(null, 'edit'), Number.NaN);
    assert.equal(ratio(1, null), null);
    assert.equal(ratio(1, 0), null);
  });

  test('edit agreement: same loss, update norm and first answer agree; a different first answer does not', () => {
    const check = { inner_loss: 3.5, first_target_update_fro: 2, answers_ids: '1 2 | 3 4' };
    const same = editAgreement(
      side('ours', [1], check),
      side('peer', [1], { ...check, inner_loss: 3.5000001 }),
    );
    assert.equal(same.agree, true);
    assert.match(same.notes, /answers 2\/2 identical/);
    const other = editAgreement(
      side('ours', [1], check),
      side('peer', [1], { ...check, answers_ids: '1 5 | 3 4' }),
    );
    assert.equal(other.agree, false);
    const lossOff = editAgreement(side('ours', [1], check), side('peer', [1], { ...check, inner_loss: 3.6 }));
    assert.equal(lossOff.agree, false);
  });

  test('the table has one line per case with both memories and the agreement', () => {
    const rows = [
      caseRow('edit-x', side('ours', [0.05]), side('peer', [0.1]), {
        series: 'edit',
        agree: false,
        notes: 'x',
      }),
    ];
    const lines = formatTable(rows).split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0] as string,
      /^case\s+ours\s+peer\s+ratio\s+ours peak RSS\s+peer peak RSS\s+agree\s+notes$/,
    );
    assert.match(
      lines[2] as string,
      /^edit-x\s+50\.0 ms\s+100\.0 ms\s+0\.50\s+1\.00 GiB\s+3\.00 GiB\s+NO\s+x$/,
    );
  });

  test('runSuite with a fake runner: rows in order, a failing case reported and the others kept', async () => {
    const seen: SideSpec[] = [];
    const runner: SideRunner = async (which, spec) => {
      seen.push(spec);
      return side(which, which === 'ours' ? [1, 2, 3] : [4, 4, 4]);
    };
    const ok: BenchCase = {
      name: 'ok',
      summary: 's',
      async run(ctx) {
        const spec: SideSpec = {
          kind: 'forward-backward',
          ...ctx.settings,
          model: 'm',
          batches: {},
        };
        const ours = await ctx.run('ours', spec, { big: false });
        const peer = await ctx.run('peer', spec, { big: false });
        return {
          row: caseRow('ok', ours, peer, { series: 'edit', agree: true, notes: '' }),
          raw: { ours, peer },
        };
      },
    };
    const broken: BenchCase = {
      name: 'broken',
      summary: 's',
      async run() {
        throw new Error('peer side of edit exited 1');
      },
    };
    const logs: string[] = [];
    const out = await runSuite([broken, ok], { threads: 2, reps: 3, warmup: 1 }, runner, (l) => logs.push(l));
    assert.deepEqual(
      out.rows.map((r) => [r.name, r.ours_s, r.peer_s, r.ratio]),
      [['ok', 2, 4, 0.5]],
    );
    assert.deepEqual(out.failures, [{ name: 'broken', message: 'peer side of edit exited 1' }]);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.threads, 2);
    const json = jsonSummary({
      created_at: 't',
      command: 'c',
      machine: { cpu: 'c', cores: 2, memory_bytes: 1, load_average: [], platform: 'p', versions: {} },
      threads: 2,
      reps: 3,
      warmup: 1,
      cases: out.rows,
      raw: out.raw,
      failures: out.failures,
    });
    const parsed = JSON.parse(JSON.stringify(json)) as { cases: Array<Record<string, unknown>> };
    for (const key of ['name', 'ours_s', 'peer_s', 'ratio', 'ours_peak_rss_bytes', 'peer_peak_rss_bytes'])
      assert.ok(key in (parsed.cases[0] as object), key);
    assert.ok(logs.some((l) => /broken: FAILED/.test(l)));
  });

  test('--only picks cases by name and names the valid ones for a typo', () => {
    assert.deepEqual(
      selectCases('edit-1b,forward-backward').map((c) => c.name),
      ['edit-1b', 'forward-backward'],
    );
    assert.throws(() => selectCases('edit-2b'), /unknown case "edit-2b"; valid: edit-tiny, edit-1b/);
    assert.equal(
      reportFileName(['edit-1b'], '2026-01-01T00:00:00.000Z'),
      'edit-1b-2026-01-01T00-00-00-000Z.json',
    );
    assert.match(reportFileName(['a', 'b'], '2026-01-01T00:00:00.000Z'), /^suite-/);
  });

  test('forward FLOPs of the 1B shape: 2 per multiply-add of 1.2357e9 matmul weights per token, plus attention', () => {
    const config = normalizeConfig(LLAMA_32_1B, 'test');
    // 16 layers x (2048*2048*2 + 2048*512*2 + 3*2048*8192) + 128256*2048 (tied head) = 1,235,746,816.
    const perToken = 2 * 1_235_746_816;
    const attention = 4 * 32 * 32 * 2048 * 16;
    assert.equal(forwardFlops(config, 1, 32), 32 * perToken + attention);
  });
});
