// The language server's stdin reader: LSP base-protocol framing (`Content-Length: N\r\n\r\n` + N bytes of
// JSON) that survives a malformed message. A body that is not JSON (a Content-Length shorter or longer than
// the body) or an absurd length is dropped and the reader resynchronises at the next `Content-Length:` header,
// so the requests that follow are answered at once instead of being swallowed. Knows no LSP methods.
import {
  AbstractMessageReader,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
} from 'vscode-languageserver/node';

const HEADER = Buffer.from('Content-Length:', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
/** Largest message accepted (a didOpen carries a whole file; the checker reads at most 256 MiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Longest header block; a longer run without "\r\n\r\n" is garbage. */
const MAX_HEADER_BYTES = 8192;

export class ResyncingMessageReader extends AbstractMessageReader implements MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private callback: DataCallback | undefined;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    /** Told about every dropped message (for the server's log). */
    private readonly onDrop: (why: string) => void = () => undefined,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer) => this.take(chunk);
    const onError = (error: unknown) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.input.on('data', onData);
    this.input.on('error', onError);
    this.input.on('close', onClose);
    this.input.on('end', onClose);
    return {
      dispose: () => {
        this.input.off('data', onData);
        this.input.off('error', onError);
        this.input.off('close', onClose);
        this.input.off('end', onClose);
      },
    };
  }

  /** Drops the bytes before the next header after `from` (or all but a possible header prefix). */
  private skipTo(from: number, why: string): void {
    this.onDrop(why);
    const next = this.buffer.indexOf(HEADER, from);
    this.buffer =
      next === -1
        ? this.buffer.subarray(Math.max(from, this.buffer.length - HEADER.length))
        : this.buffer.subarray(next);
  }

  private take(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const start = this.buffer.indexOf(HEADER);
      if (start === -1) {
        // Keep only what could be the start of a header split across chunks.
        if (this.buffer.length > HEADER.length)
          this.buffer = this.buffer.subarray(this.buffer.length - HEADER.length);
        return;
      }
      if (start > 0) this.buffer = this.buffer.subarray(start);
      const end = this.buffer.indexOf(HEADER_END);
      if (end === -1) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.skipTo(1, 'a header block without its end');
        else return;
        continue;
      }
      const match = /^Content-Length:\s*(\d+)\s*$/im.exec(this.buffer.subarray(0, end).toString('latin1'));
      const length = match ? Number(match[1]) : Number.NaN;
      if (!Number.isSafeInteger(length) || length > MAX_MESSAGE_BYTES) {
        this.skipTo(1, `a Content-Length that is not a size up to ${MAX_MESSAGE_BYTES} bytes`);
        continue;
      }
      const bodyStart = end + HEADER_END.length;
      if (this.buffer.length < bodyStart + length) return;
      const body = this.buffer.subarray(bodyStart, bodyStart + length);
      let message: Message | undefined;
      try {
        message = JSON.parse(body.toString('utf8')) as Message;
      } catch {
        message = undefined;
      }
      if (message === null || typeof message !== 'object') {
        // The length did not match the body: resync at the next header after this one.
        this.skipTo(bodyStart, 'a body that is not JSON (its Content-Length does not match it)');
        continue;
      }
      this.buffer = this.buffer.subarray(bodyStart + length);
      this.callback?.(message);
    }
  }
}
