/**
 * A throwaway PostgreSQL cluster: a fresh temporary directory, `initdb` with SCRAM-SHA-256
 * authentication, listening on a free port of 127.0.0.1 only (its unix socket inside the
 * temporary directory), with a role `orders_app` (random password) that owns a database
 * `orders`. Uses the Debian packages' binaries under /usr/lib/postgresql/<version>/bin; as root,
 * the server runs as the `postgres` user, as PostgreSQL requires.
 */
import { execFile, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { freePort, onProcessExit } from './lifecycle';

const INSTALL_HINT = 'Install them with: apt-get update && apt-get install -y postgresql';
const SUPERUSER = 'postgres';

export interface Pg {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The role's current password (changed by setPassword). */
  readonly password: string;
  /** `jdbc:postgresql://127.0.0.1:<port>/orders`, as a Glue connection holds it. */
  readonly jdbcUrl: string;
  setPassword(newPassword: string): Promise<void>;
  /** Creates another login role, which may connect to the database (suites that need distinct credentials). */
  createRole(user: string, password: string): Promise<void>;
  /** `pg_ctl stop -m fast`, then removes the cluster's directory. */
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Pg> {
  const bin = findBinaries();
  let port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-sim-pg-'));
  const data = path.join(dir, 'data');
  const owner = process.getuid?.() === 0 ? systemUser(SUPERUSER) : undefined;
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const run = (command: string, args: string[]) => runAs(owner && SUPERUSER, path.join(bin, command), args, dir);
  const superuserPassword = randomPassword();
  const admin = async (sql: (client: Client) => string) => {
    const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, password: superuserPassword, database: 'postgres' });
    await client.connect();
    try {
      await client.query(sql(client));
    } finally {
      await client.end();
    }
  };
  const user = 'orders_app';
  const database = 'orders';
  let password = randomPassword();
  let started = false;
  const cleanUp = () => {
    if (started) spawnSync(...argv(owner && SUPERUSER, path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']), { cwd: dir, stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(cleanUp);

  try {
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, superuserPassword, { mode: 0o600 });
    if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
    await run('initdb', ['-D', data, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    fs.rmSync(pwfile);
    fs.appendFileSync(path.join(data, 'postgresql.conf'), [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      '',
    ].join('\n'));
    // The port was free when picked, seconds before the server binds it: another suite's server
    // (jest runs two at once) can take it in between. Such a start is retried on a new port.
    const log = path.join(dir, 'server.log');
    for (let attempt = 1; ; attempt++) {
      try {
        await run('pg_ctl', ['start', '-D', data, '-l', log, '-o', `-p ${port}`, '-w', '-t', '60']);
        break;
      } catch (e) {
        const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
        if (attempt >= 3) throw new Error(`${(e as Error).message} (server log: ${tail})`);
        port = await freePort();
      }
    }
    started = true;
    await admin((c) => `CREATE ROLE ${user} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
    await admin(() => `CREATE DATABASE ${database} OWNER ${user}`);
  } catch (e) {
    unregister();
    cleanUp();
    throw e;
  }

  return {
    host: '127.0.0.1',
    port,
    database,
    user,
    get password() {
      return password;
    },
    jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/${database}`,
    async setPassword(newPassword) {
      await admin((c) => `ALTER ROLE ${user} PASSWORD ${c.escapeLiteral(newPassword)}`);
      password = newPassword;
    },
    async createRole(newUser, rolePassword) {
      await admin((c) => `CREATE ROLE ${c.escapeIdentifier(newUser)} LOGIN PASSWORD ${c.escapeLiteral(rolePassword)}`);
    },
    async stop() {
      unregister();
      try {
        await run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl. */
function findBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => path.join(root, v, 'bin'))
    .find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((exe) => fs.existsSync(path.join(dir, exe))));
  if (!bin) throw new Error(`PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found under ${root}/*/bin. ${INSTALL_HINT}`);
  return bin;
}

function systemUser(name: string): { uid: number; gid: number } {
  const entry = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')).find((fields) => fields[0] === name);
  if (!entry) throw new Error(`Running as root, PostgreSQL needs the system user "${name}", which does not exist. ${INSTALL_HINT}`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** The command line, through `runuser` when it must run as another user. */
function argv(user: string | undefined, command: string, args: string[]): [string, string[]] {
  return user ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
}

function runAs(user: string | undefined, command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [file, fileArgs] = argv(user, command, args);
    execFile(file, fileArgs, { cwd }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(command)} failed: ${String(stderr).trim() || error.message}`));
      else resolve();
    });
  });
}
