// `propmend report RESULT.json...`: the comparison table of one or more `propmend eval` results (shards of
// a run merged, runs of other methods combined) as markdown on stdout and one self-contained HTML page.
// A thin adapter over server/report; the page is claimed (--force) before anything is written.
import { claimOutput } from '../../common/output';
import { defaultReportPath, loadReport, markdownTable, writeReportPage } from '../../report/index';
import { type CliCommand, CliError, parseFlags, UsageError } from '../command';

export const reportCommand: CliCommand = {
  summary: 'merge eval results and show them as a table and an HTML page with charts',
  usage: `Usage: propmend report RESULT.json... [--html OUT.html] [--markdown] [--json] [--force]

Reads the result files \`propmend eval\` writes, joins the shards of a run (--shard I/N) back into one and
combines runs of other methods on the same model and datasets, then prints the comparison table (exact
match in %, bootstrap 95% interval and the number of questions, per split and method) and writes one
self-contained HTML page: charts with the intervals and every question's answers before and after.

  --html OUT.html    where the page goes (default: report.html beside the first result)
  --markdown         print the table only; write no page unless --html is given
  --json             {"rows":[{method, split, n_instances, efficacy_verbatim, ...}], "html": PATH|null}
  --force            replace an existing page`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      html: { type: 'string' },
      markdown: { type: 'boolean' },
      json: { type: 'boolean' },
      force: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('give one or more result files (RESULT.json)');
    const first = positionals[0] as string;
    const target = values.html ?? (values.markdown ? undefined : defaultReportPath(first));
    const force = values.force ?? false;
    if (target !== undefined)
      claimOutput(target, { kind: 'file', force, inputs: positionals, flag: '--html' });
    const loaded = loadReport(positionals);
    if (!loaded.ok) throw new CliError(loaded.message);
    const html =
      target === undefined
        ? null
        : writeReportPage(loaded.result, target, { force, inputs: positionals, sources: positionals });
    if (values.json) io.stdout(`${JSON.stringify({ rows: loaded.rows, html })}\n`);
    else io.stdout(markdownTable(loaded.rows));
    if (html) io.stderr(`report: ${html}\n`);
    return 0;
  },
};
