/**
 * Runs the command line in this process (cli/index.ts `main`, the TypeScript the bundle is built
 * from) with its own environment and captured streams, or the bundle itself as a child process
 * (assets/cli/index.js, what `npx cdk-glue-connection-test` runs). The environment is the
 * process's for the run: the AWS SDK reads AWS_REGION, AWS_ENDPOINT_URL, AWS_PROFILE and the
 * credentials files from process.env itself, as it does for a user.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../../cli';
import type { LocalAws } from '../../../sim/local-aws';

export const CLI_BUNDLE = path.resolve(__dirname, '..', '..', '..', 'assets', 'cli', 'index.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An environment with nothing of this machine's AWS settings: no instance metadata, a HOME without ~/.aws. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-home-'));
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The local AWS's environment (endpoint, region, fake credentials), with `extra` on top. */
export function simEnv(aws: LocalAws, extra: Record<string, string | undefined> = {}): Record<string, string> {
  return cleanEnv({ ...aws.env(), ...extra });
}

/** `main(argv)` in this process, with `env` as process.env for the run. */
export async function runCli(argv: readonly string[], env: Record<string, string>, options: { tty?: boolean; cwd?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const saved = process.env;
  process.env = { ...env };
  try {
    const code = await main(argv, {
      stdout: { write: (chunk: string) => { stdout += chunk; return true; }, isTTY: options.tty } as unknown as NodeJS.WritableStream,
      stderr: { write: (chunk: string) => { stderr += chunk; return true; } } as unknown as NodeJS.WritableStream,
      cwd: options.cwd ?? process.cwd(),
      env: process.env,
    });
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
  }
}

/** The bundle, as `npx cdk-glue-connection-test` runs it. */
export function runBundle(argv: readonly string[], env: Record<string, string>, cwd = process.cwd()): Promise<CliRun> {
  if (!fs.existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} does not exist: run \`npm run bundle\` first.`);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BUNDLE, ...argv], { env, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
