/**
 * What every subcommand shares: the option parser (Node's `util.parseArgs`, strict), the usage
 * error that exits 2, the seed's global options (`aws glue test-connection`'s, see
 * README "Command line"), JSON arguments given inline or as `file://`, and the AWS client
 * options the global flags make.
 *
 * | seed's global option         | here                                                          |
 * | ---------------------------- | ------------------------------------------------------------- |
 * | --debug                      | the core's log lines on stderr, secrets masked                |
 * | --endpoint-url               | Glue's endpoint (Secrets Manager and EC2 keep theirs)         |
 * | --region, --profile          | the AWS SDK's client settings (its default credential chain)  |
 * | --cli-read-timeout           | the HTTP handler's requestTimeout (0: none)                   |
 * | --cli-connect-timeout        | the HTTP handler's connectionTimeout (0: none)                |
 * | --output json / text         | one JSON object, or lines for people                          |
 * | --color on / off / auto      | colour only on a terminal (auto), NO_COLOR honoured           |
 * | --ca-bundle, --no-verify-ssl | the HTTPS agent's CA list / no certificate check              |
 * | --no-cli-pager, --no-paginate| accepted: nothing is paged or paginated                       |
 * | --query, --no-sign-request   | refused with the reason (exit 2)                              |
 */
import * as fs from 'fs';
import { Agent } from 'https';
import * as os from 'os';
import * as path from 'path';
import { parseArgs, ParseArgsConfig } from 'util';
import type { ClientOptions } from '../core/aws';
import { didYouMean } from '../lib/private/text';

/** Bad usage: the command exits 2 with this message on stderr. */
export class UsageError extends Error {
  public readonly name = 'UsageError';
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** The seed's global options that this command takes (see the module comment). */
export const GLOBAL_OPTIONS = {
  'debug': { type: 'boolean' },
  'endpoint-url': { type: 'string' },
  'region': { type: 'string' },
  'profile': { type: 'string' },
  'cli-read-timeout': { type: 'string' },
  'cli-connect-timeout': { type: 'string' },
  'output': { type: 'string' },
  'color': { type: 'string' },
  'ca-bundle': { type: 'string' },
  'no-verify-ssl': { type: 'boolean' },
  'no-cli-pager': { type: 'boolean' },
  'no-paginate': { type: 'boolean' },
  'query': { type: 'string' },
  'no-sign-request': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

type GlobalValues = { [K in keyof typeof GLOBAL_OPTIONS]?: (typeof GLOBAL_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** What `parse` returns: the values by option name, and the positional arguments. */
export type Parsed<O extends OptionSpec> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

/** Parses `argv` strictly; an unknown option names the nearest known one. */
export function parse<O extends OptionSpec>(command: string, argv: readonly string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    if (!allowPositionals && parsed.positionals.length > 0) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
    return parsed;
  } catch (e) {
    const error = e as Error & { code?: string };
    if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']+)'/.exec(error.message)?.[1] ?? String(error.message);
      const known = Object.keys(options).map((name) => `--${name}`);
      throw new UsageError(`${command}: unknown option ${given}${didYouMean(given, known)}`);
    }
    if (error.code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(`${command}: ${error.message}`);
    throw e;
  }
}

/** The output formats; `--output` takes one of them. */
export type OutputFormat = 'json' | 'text';
const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'text'];

/** What the global options come to. */
export interface GlobalSettings {
  readonly debug: boolean;
  readonly output: OutputFormat;
  readonly color: boolean;
  readonly clients: ClientOptions;
  /** Warnings to show before anything runs (e.g. --no-verify-ssl). */
  readonly warnings: readonly string[];
}

/** Where the command runs: its streams, working directory and environment. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export function globalSettings(command: string, values: GlobalValues, io: Io): GlobalSettings {
  if (values.query !== undefined) {
    throw new UsageError(`${command}: --query (JMESPath) is not supported; use --output json and a JSON tool such as jq`);
  }
  if (values['no-sign-request']) {
    throw new UsageError(`${command}: --no-sign-request is not supported: Glue's TestConnection, GetConnection and EC2's Describe calls need signed requests`);
  }
  const output = (values.output ?? 'text') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(output)) {
    throw new UsageError(`${command}: --output must be json or text (got "${values.output}")${didYouMean(output, OUTPUT_FORMATS)}`);
  }
  const colorChoice = values.color ?? 'auto';
  if (!['on', 'off', 'auto'].includes(colorChoice)) throw new UsageError(`${command}: --color must be on, off or auto (got "${colorChoice}")`);
  const color = colorChoice === 'on'
    || (colorChoice === 'auto' && io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb');

  const warnings: string[] = [];
  let httpsAgent: Agent | undefined;
  if (values['ca-bundle'] !== undefined || values['no-verify-ssl']) {
    const file = values['ca-bundle'] === undefined ? undefined : path.resolve(io.cwd, values['ca-bundle']);
    let ca: string | undefined;
    if (file) {
      try {
        ca = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${command}: --ca-bundle: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (values['no-verify-ssl']) warnings.push('--no-verify-ssl: TLS certificates of AWS endpoints are not verified');
    httpsAgent = new Agent({ keepAlive: true, ...(ca !== undefined && { ca }), ...(values['no-verify-ssl'] && { rejectUnauthorized: false }) });
  }
  const endpoint = values['endpoint-url'];
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new UsageError(`${command}: --endpoint-url must be an http:// or https:// URL (got "${endpoint}")`);
  }
  return {
    debug: values.debug === true,
    output,
    color,
    warnings,
    clients: {
      region: values.region,
      profile: values.profile,
      glueEndpoint: endpoint,
      connectionTimeoutMs: seconds(command, '--cli-connect-timeout', values['cli-connect-timeout']),
      requestTimeoutMs: seconds(command, '--cli-read-timeout', values['cli-read-timeout']),
      httpsAgent,
    },
  };
}

/** A whole number of seconds, as milliseconds; 0 means no timeout (the seed's meaning). */
function seconds(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) throw new UsageError(`${command}: ${flag} must be a whole number of seconds, 0 for none (got "${value}")`);
  return Number(value) * 1000;
}

/**
 * A JSON argument, given inline or as `file://path` (relative to the working directory), as the
 * seed takes it. A parse error says where, never what: the text may hold a password, and
 * V8's own message quotes it.
 */
export function jsonArgument(flag: string, text: string, cwd: string, env: NodeJS.ProcessEnv = process.env): unknown {
  let source = text;
  if (text.startsWith('fileb://')) throw new UsageError(`${flag}: fileb:// (binary) is not supported; use file://`);
  if (text.startsWith('file://')) {
    const file = path.resolve(cwd, expandPath(text.slice('file://'.length), env));
    try {
      source = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  try {
    return JSON.parse(source);
  } catch (e) {
    const shorthand = !/^\s*[[{"]/.test(source) ? '; the seed\'s shorthand syntax is not supported, give JSON' : '';
    throw new UsageError(`${flag}: is not valid JSON (${whereJsonFails(source, e as Error)})${shorthand}`);
  }
}

/**
 * A `file://` path as the seed's CLI reads it (awscli paramfile.get_file: expanduser, then
 * expandvars): a leading `~` is the home directory, `$VAR` and `${VAR}` the environment's (an
 * unset variable stays as written). The shell expands neither after `file://`.
 */
export function expandPath(file: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const user = file === '~' || file.startsWith('~/') ? home + file.slice(1) : file;
  return user.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? whole);
}

/** Where JSON.parse failed, as line and column; no part of the text. */
function whereJsonFails(source: string, error: Error): string {
  const position = /at position (\d+)/.exec(error.message)?.[1];
  if (/Unexpected end of JSON input/.test(error.message)) return 'it ends too early';
  if (position === undefined) return 'unexpected character';
  const before = source.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
