// The optional LLM judge of `propmend eval --judge-url URL --judge-model NAME`: asks an OpenAI-compatible chat
// completions endpoint whether a model's answer means the gold answer (or an alias), one question per request,
// deterministic settings (temperature 0). Off unless configured, never required; the API key is read from the
// environment variable PROPMEND_JUDGE_API_KEY and never written anywhere. Owns the HTTP exchange only.

/** The environment variable holding the judge endpoint's API key (sent as a Bearer token when set). */
export const JUDGE_KEY_ENV = 'PROPMEND_JUDGE_API_KEY';

export interface JudgeConfig {
  /** Base URL of the API (…/v1) or the full …/chat/completions URL. */
  readonly url: string;
  readonly model: string;
  /** Per-request timeout in milliseconds (default 60 s). */
  readonly timeoutMs?: number;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
}

export interface JudgeItem {
  readonly question: string;
  readonly answer: string;
  readonly aliases: readonly string[];
  readonly prediction: string;
}

export interface JudgeVerdict {
  readonly correct: boolean;
  readonly model: string;
}

/** The endpoint failed or answered something that is not a verdict; the message names the URL and the fix. */
export class JudgeError extends Error {
  override name = 'JudgeError';
}

/** The chat completions URL of a configured base URL; refuses anything but http(s). */
export function completionsUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JudgeError(
      `--judge-url ${JSON.stringify(url)} is not a URL; give e.g. http://127.0.0.1:8000/v1`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new JudgeError(`--judge-url must be http or https, got ${parsed.protocol}`);
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/chat/completions') ? path : `${path}/chat/completions`;
  return parsed.toString();
}

const SYSTEM =
  'You grade short answers. Reply with exactly one word: "yes" if the candidate answer means the same as the gold answer or one of its aliases, otherwise "no".';

/** The user message for one item (also what the tests' stub server reads). */
export function judgePrompt(item: JudgeItem): string {
  const aliases = item.aliases.length ? `\nAliases of the gold answer: ${item.aliases.join('; ')}` : '';
  return `Question: ${item.question}\nGold answer: ${item.answer}${aliases}\nCandidate answer: ${item.prediction}\nIs the candidate answer correct?`;
}

/** Parses the first word of the reply as yes/no. */
export function parseVerdict(text: string): boolean | undefined {
  const word = text
    .trim()
    .toLowerCase()
    .match(/^[a-z]+/)?.[0];
  if (word === 'yes' || word === 'correct' || word === 'true') return true;
  if (word === 'no' || word === 'incorrect' || word === 'false') return false;
  return undefined;
}

async function judgeOne(
  url: string,
  config: JudgeConfig,
  item: JudgeItem,
  key: string | undefined,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (item.prediction.trim() === '') return false;
  const timeout = AbortSignal.timeout(config.timeoutMs ?? 60_000);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({
        model: config.model,
        temperature: 0,
        max_tokens: 4,
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: judgePrompt(item) },
        ],
      }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new JudgeError(
      `the judge at ${url} did not answer (${(error as Error).message}); check --judge-url or drop the judge flags`,
    );
  }
  if (!response.ok)
    throw new JudgeError(
      `the judge at ${url} answered HTTP ${response.status}${response.status === 401 ? `; set ${JUDGE_KEY_ENV}` : ''}; check --judge-url and --judge-model`,
    );
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new JudgeError(`the judge at ${url} did not answer JSON; is it an OpenAI-compatible endpoint?`);
  }
  const content = (body as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message
    ?.content;
  const verdict = typeof content === 'string' ? parseVerdict(content) : undefined;
  if (verdict === undefined)
    throw new JudgeError(
      `the judge at ${url} answered ${JSON.stringify(content ?? body).slice(0, 80)} instead of yes or no; use a model that follows the instruction`,
    );
  return verdict;
}

/** Verdicts for `items`, in order; `onDone` is called after each. */
export async function judgeAnswers(
  config: JudgeConfig,
  items: readonly JudgeItem[],
  options: { signal?: AbortSignal; onDone?: (done: number) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<JudgeVerdict[]> {
  const url = completionsUrl(config.url);
  const key = (options.env ?? process.env)[JUDGE_KEY_ENV] || undefined;
  const out = new Array<JudgeVerdict>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      options.signal?.throwIfAborted();
      const correct = await judgeOne(url, config, items[i] as JudgeItem, key, options.signal);
      out[i] = { correct, model: config.model };
      options.onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, config.concurrency ?? 4) }, worker));
  return out;
}
