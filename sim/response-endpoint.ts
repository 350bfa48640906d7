/**
 * Stands in for the presigned S3 URL CloudFormation gives a custom resource as its
 * ResponseURL. It checks what S3 checks and answers as S3 would:
 *
 * - the presigned SigV4 query signature (method, host, path and query are signed, so anything
 *   but a PUT to the untouched URL fails) -> 403 SignatureDoesNotMatch; none -> 403 AccessDenied;
 * - the expiry (X-Amz-Date + X-Amz-Expires) -> 403 AccessDenied "Request has expired";
 * - an explicit Content-Length (no chunked upload) -> 411 MissingContentLength;
 *
 * and records what CloudFormation would then reject when it reads the object: more than
 * 4096 bytes, not JSON, Status other than SUCCESS/FAILED, a missing StackId, RequestId,
 * LogicalResourceId or PhysicalResourceId, ids that do not match the request's, an empty or
 * longer than 1024 characters PhysicalResourceId, FAILED without a Reason. S3 stores such a
 * body (200), so these land in the record's `violations`, not in the HTTP status.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import * as http from 'http';
import { freePort } from './lifecycle';

const REGION = 'us-east-1';
const BUCKET = 'cloudformation-custom-resource-response-useast1';
const EXPIRES_SECONDS = 7200;
const MAX_BODY_BYTES = 4096;
const MAX_PHYSICAL_ID_LENGTH = 1024;
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The body CloudFormation reads, as the custom resource protocol defines it. */
export interface CfnResponseBody {
  readonly Status?: unknown;
  readonly Reason?: unknown;
  readonly StackId?: unknown;
  readonly RequestId?: unknown;
  readonly LogicalResourceId?: unknown;
  readonly PhysicalResourceId?: unknown;
  readonly NoEcho?: unknown;
  readonly Data?: unknown;
}

/** A PUT that S3 accepted: what CloudFormation would read. */
export interface ReceivedResponse {
  /** The ids the presigned URL was made for. */
  readonly requestId: string;
  readonly stackId: string;
  readonly logicalResourceId: string;
  /** The body exactly as received (scan it for leaked secrets). */
  readonly raw: string;
  /** The parsed body, when it is a JSON object. */
  readonly body?: CfnResponseBody;
  /** What CloudFormation would reject this answer for; empty when it is well-formed. */
  readonly violations: readonly string[];
}

/** A request S3 refused (or failed on purpose, see failNextPuts). */
export interface RejectedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface PresignTarget {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

export interface ResponseEndpointOptions {
  /** Answer the first N PUTs that pass S3's checks with 500 InternalError. */
  readonly failFirstPuts?: number;
}

export interface ResponseEndpoint {
  readonly port: number;
  /** A ResponseURL for one request, presigned for PUT, valid for 2 hours. */
  presign(requestId: string, target: PresignTarget, signingDate?: Date): Promise<string>;
  /** Every PUT S3 accepted, in arrival order. */
  readonly received: readonly ReceivedResponse[];
  /** Every request S3 refused, in arrival order. */
  readonly rejected: readonly RejectedRequest[];
  responsesFor(requestId: string): ReceivedResponse[];
  /** Answer the next N PUTs that pass S3's checks with 500 InternalError. */
  failNextPuts(count: number): void;
  /**
   * Per-PUT failures, for events that overlap: called for each PUT that passes S3's checks and
   * is not failed by failFirstPuts / failNextPuts; true answers it with 500 InternalError.
   * Assign undefined to stop.
   */
  failPuts: ((target: PutTarget) => boolean) | undefined;
  stop(): Promise<void>;
}

/** The ids of the answer a PUT carries (from its presigned path). */
export interface PutTarget {
  readonly stackId: string;
  readonly logicalResourceId: string;
  readonly requestId: string;
}

export async function startResponseEndpoint(options: ResponseEndpointOptions = {}): Promise<ResponseEndpoint> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const signer = new SignatureV4({ service: 's3', region: REGION, credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: false });
  const received: ReceivedResponse[] = [];
  const rejected: RejectedRequest[] = [];
  let failures = options.failFirstPuts ?? 0;
  let failPuts: ResponseEndpoint['failPuts'];

  /** The presigned query for a request; the server recomputes it to check a signature. */
  const sign = (method: string, hostHeader: string, path: string, query: Record<string, string>, signingDate: Date, expiresIn: number) => signer.presign({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    query,
    headers: { host: hostHeader, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  }, {
    signingDate,
    expiresIn,
    unhoistableHeaders: new Set(['x-amz-content-sha256']),
    unsignableHeaders: new Set(['x-amz-content-sha256']),
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks)).then(({ status, code, message }) => {
        const xml = status === 200 ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
        res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
      });
    });
  });

  const handle = async (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; code?: string; message?: string }> => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const rawPath = (req.url ?? '/').split('?')[0];
    const refuse = (status: number, code: string, message: string) => {
      rejected.push({ method: req.method ?? '', path: rawPath, status, code, message });
      return { status, code, message };
    };
    const q = Object.fromEntries(url.searchParams);
    if (!q['X-Amz-Signature'] || !q['X-Amz-Date'] || !q['X-Amz-Expires'] || !q['X-Amz-Credential']) {
      return refuse(403, 'AccessDenied', 'Access Denied');
    }
    const signedAt = parseAmzDate(q['X-Amz-Date']);
    const expiresIn = Number(q['X-Amz-Expires']);
    if (!signedAt || !Number.isInteger(expiresIn)) return refuse(403, 'AuthorizationQueryParametersError', 'X-Amz-Date or X-Amz-Expires is malformed');
    const { 'X-Amz-Signature': signature, ...unsigned } = q;
    const expected = await sign(req.method ?? '', req.headers.host ?? '', rawPath, withoutGenerated(unsigned), signedAt, expiresIn);
    if (expected.query?.['X-Amz-Signature'] !== signature) {
      return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    if (Date.now() > signedAt.getTime() + expiresIn * 1000) return refuse(403, 'AccessDenied', 'Request has expired');
    if (req.headers['content-length'] === undefined) return refuse(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    const ids = idsFromPath(rawPath);
    if (failures > 0 || failPuts?.(ids)) {
      if (failures > 0) failures--;
      return refuse(500, 'InternalError', 'We encountered an internal error. Please try again.');
    }
    received.push(inspect(ids, body));
    return { status: 200 };
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    port,
    received,
    rejected,
    get failPuts() {
      return failPuts;
    },
    set failPuts(hook) {
      failPuts = hook;
    },
    async presign(requestId, { stackId, logicalResourceId }, signingDate = new Date()) {
      const key = [stackId, logicalResourceId, requestId].map(encodeURIComponent).join('%7C').replace(/%2F/g, '/');
      const path = `/${BUCKET}/${key}`;
      const { query } = await sign('PUT', host, path, {}, signingDate, EXPIRES_SECONDS);
      const search = Object.entries(query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
      return `http://${host}${path}?${search}`;
    },
    responsesFor: (requestId) => received.filter((r) => r.requestId === requestId),
    failNextPuts(count) {
      failures = count;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The query parameters presign() adds itself; the rest of a presigned URL's query is signed as given. */
const GENERATED_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders']);

function withoutGenerated(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([k]) => !GENERATED_PARAMS.has(k)));
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** The ids in a path that presign() made (the signature proved it). */
function idsFromPath(rawPath: string): { stackId: string; logicalResourceId: string; requestId: string } {
  const [stackId, logicalResourceId, requestId] = decodeURIComponent(rawPath.slice(BUCKET.length + 2)).split('|');
  return { stackId, logicalResourceId, requestId };
}

function inspect(ids: { stackId: string; logicalResourceId: string; requestId: string }, body: Buffer): ReceivedResponse {
  const raw = body.toString('utf8');
  const violations: string[] = [];
  if (body.length > MAX_BODY_BYTES) violations.push(`Response object is too long (${body.length} bytes; the limit is ${MAX_BODY_BYTES})`);
  let parsed: CfnResponseBody | undefined;
  try {
    const value: unknown = JSON.parse(raw);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) parsed = value as CfnResponseBody;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    violations.push('Response is not a JSON object');
    return { ...ids, raw, violations };
  }
  if (parsed.Status !== 'SUCCESS' && parsed.Status !== 'FAILED') violations.push(`Status must be SUCCESS or FAILED (got ${JSON.stringify(parsed.Status)})`);
  const expected: Record<string, string> = { StackId: ids.stackId, RequestId: ids.requestId, LogicalResourceId: ids.logicalResourceId };
  for (const [field, value] of Object.entries(expected)) {
    const actual = parsed[field as keyof CfnResponseBody];
    if (actual === undefined) violations.push(`${field} is required`);
    else if (actual !== value) violations.push(`${field} does not match the request (${JSON.stringify(actual)} != ${JSON.stringify(value)})`);
  }
  const physicalId = parsed.PhysicalResourceId;
  if (typeof physicalId !== 'string' || physicalId.length === 0) violations.push('PhysicalResourceId is required and must be a non-empty string');
  else if (physicalId.length > MAX_PHYSICAL_ID_LENGTH) violations.push(`PhysicalResourceId is longer than ${MAX_PHYSICAL_ID_LENGTH} characters`);
  if (parsed.Status === 'FAILED' && (typeof parsed.Reason !== 'string' || parsed.Reason.length === 0)) violations.push('Reason is required when Status is FAILED');
  return { ...ids, raw, body: parsed, violations };
}
