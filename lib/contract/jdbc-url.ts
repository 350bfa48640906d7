/**
 * The one reader of a Glue JDBC connection's JDBC_CONNECTION_URL, for the synth-time path
 * reader (lib/network/path-reader.ts) and the deploy-time network inspection
 * (core/inspect-network.ts): the data store's host and port, so both check the same store.
 *
 * The forms Glue documents for JDBC_CONNECTION_URL (AWS Glue Developer Guide, "AWS Glue JDBC
 * connection properties": `jdbc:protocol://host:port/db_name`, Oracle
 * `jdbc:oracle:thin://@host:port/service_name` and `jdbc:oracle:thin:@host:port:SID`, SQL Server
 * `jdbc:sqlserver://server_name:port;database=db_name` / `;databaseName=`), plus Oracle's
 * `thin:@//host:port/service` and the Redshift driver's `jdbc:redshift:iam://`; an IPv6 host in
 * brackets. Without a port, the engine's default port.
 *
 * This module imports nothing from aws-cdk-lib: esbuild inlines it into the handler bundle.
 */

/** The default port of each database engine, by a word of its JDBC subprotocol or RDS engine name. */
export const DEFAULT_PORTS: readonly (readonly [RegExp, number])[] = [
  [/postgres/, 5432], [/mysql|mariadb|^aurora$/, 3306], [/oracle/, 1521], [/sqlserver/, 1433], [/redshift/, 5439],
];

/** The default port of an engine (a JDBC subprotocol such as `oracle:thin`, or an RDS engine name), when it has one. */
export function defaultPort(engine: string): number | undefined {
  return DEFAULT_PORTS.find(([re]) => re.test(engine.toLowerCase()))?.[1];
}

/** What a JDBC URL names. */
export interface JdbcUrl {
  /** Between `jdbc:` and the host: `postgresql`, `oracle:thin`, `redshift:iam`. */
  readonly subprotocol: string;
  /** Without IPv6 brackets. */
  readonly host: string;
  /** The URL's own port, else the engine's default; undefined when neither. */
  readonly port?: number;
  /** Whether the URL gives the port itself. */
  readonly explicitPort: boolean;
}

const JDBC_URL = /^jdbc:([^@/]*?):?(?:\/\/@?|@\/\/|@)(\[[^\]]+\]|[^/:;?,@[\]]+)(?::(\d+))?/i;

/** The host and port of a JDBC URL, or undefined when it is not one of the forms above. */
export function parseJdbcUrl(url: string): JdbcUrl | undefined {
  const m = JDBC_URL.exec(url);
  if (!m) return undefined;
  const subprotocol = m[1].toLowerCase();
  const host = m[2].replace(/^\[|\]$/g, '');
  const port = m[3] !== undefined ? Number(m[3]) : defaultPort(subprotocol);
  return { subprotocol, host, port, explicitPort: m[3] !== undefined };
}
