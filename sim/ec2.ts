/**
 * A minimal EC2 Query-protocol client, because `@aws-sdk/client-ec2` is not a dependency of
 * this project: SigV4-signed form POSTs (so a proxy can tell the service from the credential
 * scope, as for any SDK call) and a small reader for EC2's XML answers, which are plain
 * elements without attributes or mixed content.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import * as http from 'http';

const EC2_API_VERSION = '2016-11-15';

export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** The element's text content (only meaningful for leaf elements). */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity[0] !== '#') return ENTITIES[entity] ?? whole;
    return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
  });
}

/** Parses well-formed, attribute-agnostic XML into a tree of elements. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([\w:.-]+)[^>]*?(\/?)>|([^<]+)/g;
  for (let m = token.exec(xml); m; m = token.exec(xml)) {
    const [, closing, name, selfClosing, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      top.text += decodeEntities(text);
    } else if (name !== undefined && closing) {
      if (top.name !== name) throw new Error(`malformed XML: </${name}> closes <${top.name}>`);
      stack.pop();
    } else if (name !== undefined) {
      const element: XmlElement = { name, children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error('malformed XML: unbalanced elements');
  return root.children[0];
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function childText(element: XmlElement | undefined, name: string): string | undefined {
  return child(element, name)?.text.trim();
}

/** The `<item>` elements of an EC2 list such as `<subnetSet>`. */
export function items(element: XmlElement | undefined, listName: string): XmlElement[] {
  return child(element, listName)?.children.filter((c) => c.name === 'item') ?? [];
}

/** An EC2 error answer, named after its `<Code>` (e.g. `InvalidSubnetID.NotFound`). */
export class Ec2Error extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = code;
  }
}

export interface Ec2ClientOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Query parameters, flattened the EC2 way: `SubnetId.1`, `Filter.1.Name`, `Filter.1.Value.1`... */
export type Ec2Params = Record<string, string | number | boolean>;

export interface Ec2Client {
  call(action: string, params?: Ec2Params): Promise<XmlElement>;
}

export function createEc2Client(options: Ec2ClientOptions): Ec2Client {
  const url = new URL(options.endpoint);
  const signer = new SignatureV4({ service: 'ec2', region: options.region, credentials: options.credentials, sha256: Sha256 });
  return {
    async call(action, params = {}) {
      const form = new URLSearchParams({ Action: action, Version: EC2_API_VERSION });
      for (const [key, value] of Object.entries(params)) form.append(key, String(value));
      const body = form.toString();
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: {
          host: url.host,
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
        },
        body,
      });
      const response = await post(url, signed.headers, body);
      const xml = parseXml(response.body);
      if (response.status >= 300) {
        const error = child(child(xml, 'Errors'), 'Error');
        throw new Ec2Error(childText(error, 'Code') ?? `HTTP${response.status}`, childText(error, 'Message') ?? `EC2 ${action} failed with HTTP ${response.status}`);
      }
      return xml;
    },
  };
}

/** One request on its own connection (`agent: false`): nothing is left open afterwards. */
function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** `Filter.N.Name` / `Filter.N.Value.1` parameters for single-valued filters. */
export function filters(byName: Record<string, string>): Ec2Params {
  const params: Ec2Params = {};
  Object.entries(byName).forEach(([name, value], i) => {
    params[`Filter.${i + 1}.Name`] = name;
    params[`Filter.${i + 1}.Value.1`] = value;
  });
  return params;
}
