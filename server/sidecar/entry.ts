// The sidecar process' entry (esbuild bundles it as dist/sidecar.js; tests run it with tsx): serve on stdio
// and exit 0 when the client closes stdin. Owns nothing else; server/sidecar/main.ts is the sidecar.
import { serveStdio } from './main';

void serveStdio().then(() => process.exit(0));
