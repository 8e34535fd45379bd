// `npm run package [-- --target T] [--out FILE]`: builds the minified bundles and packages the extension as
// a platform-specific .vsix with @vscode/vsce: what .vscodeignore lets in, plus onnxruntime-node's native
// binaries for ONE platform (its files are listed in PLATFORMS), the Marketplace README (README.marketplace.md)
// and its screenshots. Prints the size. The E2E suite packages through packageVsix() too.
// Writes dist/ (the production build), the .vsix and one temporary ignore file; reads nothing outside the repo.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const repoRoot = resolve(import.meta.dirname, '..');

/** onnxruntime-node 1.30's folder and the files its binding loads, per vsce target. */
export const PLATFORMS = {
  'linux-x64': { dir: 'linux/x64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
  'linux-arm64': { dir: 'linux/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
  // The binding links @rpath/libonnxruntime.1.dylib; libonnxruntime.1.30.0.dylib beside it is a copy.
  'darwin-arm64': { dir: 'darwin/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'] },
  // onnxruntime.dll imports DirectML.dll; the WebGPU provider loads dxcompiler.dll and dxil.dll.
  'win32-x64': {
    dir: 'win32/x64',
    files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll', 'dxcompiler.dll', 'dxil.dll'],
  },
  'win32-arm64': {
    dir: 'win32/arm64',
    files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll', 'dxcompiler.dll', 'dxil.dll'],
  },
} as const;
export type PackageTarget = keyof typeof PLATFORMS;

/** Targets vsce knows that onnxruntime-node 1.30 ships no binaries for, and why. */
const UNSUPPORTED: Record<string, string> = {
  'darwin-x64': 'onnxruntime-node 1.30 ships no macOS x64 binaries (only darwin/arm64)',
  'linux-armhf': 'onnxruntime-node ships no 32-bit ARM binaries',
  'alpine-x64': 'onnxruntime-node is built against glibc, not musl',
  'alpine-arm64': 'onnxruntime-node is built against glibc, not musl',
  web: 'the runtime needs Node and a native onnxruntime',
};

/** The README shown on the Marketplace page and in VS Code's extension details (the repo README is for developers). */
export const MARKETPLACE_README = 'README.marketplace.md';

/** A packaging problem the user can fix; printed without a stack trace. */
export class PackageError extends Error {}

export function isTarget(value: string): value is PackageTarget {
  return Object.hasOwn(PLATFORMS, value);
}

/** The target of this machine, when it is one we package for. */
export function hostTarget(): PackageTarget | undefined {
  const t = `${process.platform}-${process.arch}`;
  return isTarget(t) ? t : undefined;
}

export function parseTarget(value: string | undefined): PackageTarget {
  const given = value ?? hostTarget();
  if (given === undefined)
    throw new PackageError(
      `this machine (${process.platform}-${process.arch}) is no package target; pass --target, one of ${Object.keys(PLATFORMS).join(', ')}`,
    );
  if (isTarget(given)) return given;
  const why = UNSUPPORTED[given];
  throw new PackageError(
    `cannot package for ${given}${why ? `: ${why}` : ''}; valid targets: ${Object.keys(PLATFORMS).join(', ')}`,
  );
}

/** The .vscodeignore lines that add one platform's native binaries. */
export function platformLines(target: PackageTarget): string[] {
  const { dir, files } = PLATFORMS[target];
  return files.map((f) => `!node_modules/onnxruntime-node/bin/napi-v6/${dir}/${f}`);
}

function run(what: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0)
    throw new PackageError(
      `${what} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`.trim(),
    );
  return `${result.stdout}${result.stderr}`;
}

export interface PackageResult {
  readonly file: string;
  readonly bytes: number;
  readonly files: number;
  /** vsce's own output (warnings would show here). */
  readonly output: string;
}

/** The default output: propmend-vscode-<version>-<target>.vsix in the repository root (git-ignored). */
export function defaultVsixPath(target: PackageTarget): string {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return join(repoRoot, `${name}-${version}-${target}.vsix`);
}

/** Builds every bundle minified, without source maps (what a package ships). */
export function buildProduction(): void {
  run('node esbuild.js --production', process.execPath, [
    join(repoRoot, 'esbuild.js'),
    '--production',
    '--quiet',
  ]);
}

/** Builds the production bundles and packages one platform's .vsix at `out`. */
export function packageVsix(target: PackageTarget, out: string): PackageResult {
  buildProduction();
  return packageBuilt(target, out);
}

/** Packages one platform's .vsix at `out` from the bundles already in dist/. */
export function packageBuilt(target: PackageTarget, out: string): PackageResult {
  const { dir, files } = PLATFORMS[target];
  for (const f of files) {
    const path = join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', dir, f);
    try {
      statSync(path);
    } catch {
      throw new PackageError(
        `${relative(repoRoot, path)} is missing; run npm ci (onnxruntime-node ships it)`,
      );
    }
  }
  const temp = mkdtempSync(join(tmpdir(), 'propmend-package-'));
  try {
    const ignoreFile = join(temp, '.vscodeignore');
    const base = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8');
    writeFileSync(ignoreFile, `${base.trimEnd()}\n${platformLines(target).join('\n')}\n`);
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    const output = run('vsce package', process.execPath, [
      join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--target',
      target,
      '--ignoreFile',
      ignoreFile,
      '--readme-path',
      MARKETPLACE_README,
      // The README's screenshots are packaged (media/): VS Code shows them from the extension's folder.
      '--no-rewrite-relative-links',
      // The project has no public repository yet; an invented URL would send users nowhere.
      '--allow-missing-repository',
      '--out',
      out,
    ]);
    const count = output.match(/\((\d+) files?,/);
    return { file: out, bytes: statSync(out).size, files: count ? Number(count[1]) : -1, output };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const USAGE = `Usage: npm run package [-- --target TARGET] [--out FILE]
Targets: ${Object.keys(PLATFORMS).join(', ')} (default: this machine's)
Writes FILE (default: propmend-vscode-<version>-<target>.vsix in the repository root).
`;

if (import.meta.filename === process.argv[1]) {
  try {
    const { values } = parseArgs({
      options: { target: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      process.stdout.write(USAGE);
    } else {
      const target = parseTarget(values.target);
      const out = values.out ? resolve(values.out) : defaultVsixPath(target);
      const result = packageVsix(target, out);
      const warnings = result.output.split('\n').filter((l) => /WARNING/i.test(l));
      for (const w of warnings) process.stderr.write(`${w}\n`);
      process.stdout.write(
        `package: ${relative(process.cwd(), result.file)} (${target}): ${megabytes(result.bytes)}, ${result.files} files\n`,
      );
    }
  } catch (error) {
    process.stderr.write(
      `package: ${error instanceof PackageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (error as Error).message : String((error as Error).stack ?? error)}\n`,
    );
    process.exitCode = 1;
  }
}
