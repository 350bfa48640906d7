/**
 * `cdk-glue-connection-test`, the package's command (package.json `bin`, bundled by
 * scripts/bundle-handler.mjs into assets/cli/index.js): the seed's `aws glue test-connection`
 * with the deployment gate's diagnosis, and `preflight` of a synthesized app's tests before
 * `cdk deploy`. Both run the one core the Lambda handler runs (core/).
 *
 * | exit | meaning                                                          |
 * | ---- | ---------------------------------------------------------------- |
 * | 0    | every test run passed                                            |
 * | 1    | a test failed (or its connection does not exist)                 |
 * | 2    | bad usage: the message says what, and the nearest known option  |
 *
 * Results go to stdout, progress, warnings and errors to stderr; colour only on a terminal.
 */
import { version } from '../package.json';
import { didYouMean } from '../lib/private/text';
import { Io, UsageError } from './args';
import { preflightCommand } from './preflight';
import { testConnectionCommand } from './test-connection';

const NAME = 'cdk-glue-connection-test';

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: Io) => Promise<number>>> = {
  'test-connection': testConnectionCommand,
  'preflight': preflightCommand,
};

export const USAGE = `Usage: ${NAME} <command> [options]

Commands:
  test-connection   test one Glue connection, as \`aws glue test-connection\` does, and say why it fails
  preflight [DIR]   run every connection test of a cloud assembly (cdk.out) before \`cdk deploy\`

Run \`${NAME} <command> --help\` for a command's options.
Exit status: 0 passed, 1 a test failed, 2 bad usage.
`;

/** Runs the command line `argv` (without node and the script); resolves to the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr.write(USAGE);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    if (command === '--version') {
      io.stdout.write(`${NAME} ${version}\n`);
      return 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) {
      const known = Object.keys(COMMANDS);
      throw new UsageError(`unknown command "${command}"${didYouMean(command, known)} (commands: ${known.join(', ')})`);
    }
    return await run(rest, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const help = command !== undefined && Object.hasOwn(COMMANDS, command) ? ` ${command}` : '';
    io.stderr.write(`${NAME}: ${e.message}\nRun \`${NAME}${help} --help\` for usage.\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // Not a usage error and not a test's outcome: a bug of this command. Its message only,
      // never the object (which may hold a request).
      process.stderr.write(`${NAME}: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
