/**
 * Reads a cloud assembly (the `cdk.out` that `cdk synth` writes) for `preflight`: its stacks
 * (nested stage assemblies too) and every `Custom::GlueConnectionTest` in their templates, with
 * the test's properties resolved as far as they can be before the deployment: literals, the
 * account and region of the stack's environment, and the name of a Glue connection the template
 * defines with a literal name. Whatever needs a resource the deployment creates (a secret's ARN,
 * a connection named by a GetAtt) stays unresolved and names that resource.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RESOURCE_TYPE } from '../lib/contract/resource';
import { isIntrinsic, isPlainObject } from '../lib/private/cfn-values';
import { UsageError } from './args';

export interface AssemblyStack {
  /** The stack's name, as `cdk deploy` takes it (`Stage/Stack` for a stack of a stage, its display name). */
  readonly name: string;
  readonly account?: string;
  readonly region?: string;
  readonly template: Template;
  /** The template's file. */
  readonly templateFile: string;
  /** Construct paths by logical id, from the assembly's metadata (`aws:cdk:logicalId` entries). */
  readonly paths: ReadonlyMap<string, string>;
}

export interface Template {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

/** One connection test of the assembly. */
export interface AssemblyTest {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  /** The construct path (`OrdersPipeline/OrdersDbTest`), or the logical id. */
  readonly path: string;
  /** The properties the handler would receive, resolved; undefined when they cannot be (see `unresolved`). */
  readonly properties?: Record<string, unknown>;
  /** Why the properties cannot be known before the deployment. */
  readonly unresolved?: string;
  /** The connection's name, when known. */
  readonly connectionName?: string;
  /** Whether a stack of the assembly defines that connection (AWS::Glue::Connection with that name). */
  readonly definedInAssembly: boolean;
  /** The logical id of the AWS::Glue::Connection of this test's stack that ConnectionName refers to. */
  readonly connectionLogicalId?: string;
}

/** Properties that do not reach the test: the framework's and the change detectors. */
const NOT_TESTED = new Set(['ServiceToken', 'ServiceTimeout', 'NetworkPath', 'NetworkPathDigest', 'ConnectionFingerprint', 'RetestNonce']);

export function readAssembly(dir: string): AssemblyStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new UsageError(`preflight: ${dir} is not a cloud assembly (no manifest.json): run \`cdk synth\` first, or name the directory it wrote (cdk.out by default)`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, {
      type: string; environment?: string; displayName?: string; additionalMetadataFile?: string; metadata?: Metadata;
      properties?: { templateFile?: string; stackName?: string; directoryName?: string };
    }>;
  };
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(path.join(dir, artifact.properties.directoryName)));
    } else if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
      const known = (value: string | undefined) => (value && !value.startsWith('unknown-') ? value : undefined);
      stacks.push({
        name: artifact.displayName ?? artifact.properties.stackName ?? id,
        account: known(env?.[1]),
        region: known(env?.[2]),
        template: JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8')) as Template,
        templateFile: path.join(dir, artifact.properties.templateFile),
        paths: constructPaths({
          ...artifact.metadata,
          ...(artifact.additionalMetadataFile && JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf8')) as Metadata),
        }),
      });
    }
  }
  return stacks;
}

type Metadata = Record<string, { type: string; data?: unknown }[]>;

/** `/Stack/Test/Resource/Default` with `aws:cdk:logicalId` X becomes X -> `Stack/Test`. */
function constructPaths(metadata: Metadata): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [constructPath, entries] of Object.entries(metadata)) {
    const id = entries.find((e) => e.type === 'aws:cdk:logicalId')?.data;
    if (typeof id === 'string') paths.set(id, testPath(constructPath));
  }
  return paths;
}

/** A resource's construct path as a user names the construct: without the L1 and the custom resource's inner ids. */
function testPath(constructPath: string): string {
  return constructPath.replace(/^\//, '').replace(/\/Resource(\/Default)?$/, '');
}

/** Every connection test of the stacks, resolved (see the module comment). */
export function testsOf(stacks: readonly AssemblyStack[], defaultRegion?: string): AssemblyTest[] {
  const connectionNames = new Set(stacks.flatMap((s) => Object.values(s.template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::Glue::Connection')
    .map((r) => (r.Properties?.ConnectionInput as { Name?: unknown } | undefined)?.Name)
    .filter((n): n is string => typeof n === 'string')));
  return stacks.flatMap((stack) => Object.entries(stack.template.Resources ?? {})
    .filter(([, r]) => r.Type === RESOURCE_TYPE)
    .map(([logicalId, resource]): AssemblyTest => {
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      const raw = Object.fromEntries(Object.entries(resource.Properties ?? {}).filter(([key]) => !NOT_TESTED.has(key)));
      // An environment-agnostic stack deploys to the caller's account: its catalog is the default one.
      if (stack.account === undefined && isPlainObject(raw.CatalogId) && raw.CatalogId.Ref === 'AWS::AccountId') delete raw.CatalogId;
      const unresolved: string[] = [];
      const properties = resolve(raw, { ...stack, region: stack.region ?? defaultRegion }, unresolved) as Record<string, unknown>;
      const connectionName = typeof properties.ConnectionName === 'string' ? properties.ConnectionName : undefined;
      return {
        stack,
        logicalId,
        path: typeof cdkPath === 'string' ? testPath(cdkPath) : stack.paths.get(logicalId) ?? logicalId,
        connectionName,
        definedInAssembly: connectionName !== undefined && connectionNames.has(connectionName),
        connectionLogicalId: connectionOf(raw.ConnectionName, stack),
        ...(unresolved.length > 0 ? { unresolved: [...new Set(unresolved)].join('; ') } : { properties }),
      };
    }));
}

/**
 * A template value with what can be known before the deployment filled in; each part that
 * cannot be known is left as it is and described in `unresolved`.
 */
function resolve(value: unknown, stack: AssemblyStack, unresolved: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, stack, unresolved));
  if (!isPlainObject(value)) return value;
  if (!isIntrinsic(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, stack, unresolved)]));
  const [fn, arg] = Object.entries(value)[0];
  if (fn === 'Ref' && typeof arg === 'string') {
    if (arg.startsWith('AWS::')) {
      const pseudo = pseudoParameter(arg, stack);
      if (pseudo === undefined) unresolved.push(`${arg} (not known before the deployment)`);
      return pseudo ?? value;
    }
    const target = stack.template.Resources?.[arg];
    const name = (target?.Properties?.ConnectionInput as { Name?: unknown } | undefined)?.Name;
    if (target?.Type === 'AWS::Glue::Connection' && typeof name === 'string') return name;
    unresolved.push(target ? `${target.Type} ${arg} (the deployment creates it)` : `Ref ${arg} (a parameter)`);
    return value;
  }
  if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    const parts = arg[1].map((p) => resolve(p, stack, unresolved));
    return parts.every((p) => typeof p === 'string') ? parts.join(arg[0]) : value;
  }
  if (fn === 'Fn::GetAtt' && Array.isArray(arg)) {
    const target = stack.template.Resources?.[String(arg[0])];
    unresolved.push(`${target?.Type ?? 'resource'} ${String(arg[0])}.${String(arg[1])} (the deployment creates it)`);
    return value;
  }
  unresolved.push(fn === 'Fn::ImportValue' ? 'an export of another stack (Fn::ImportValue)' : `${fn} (known only at deploy time)`);
  return value;
}

/** The logical id of the stack's AWS::Glue::Connection a `{ Ref }` names. */
function connectionOf(value: unknown, stack: AssemblyStack): string | undefined {
  const id = isPlainObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
  return id !== undefined && stack.template.Resources?.[id]?.Type === 'AWS::Glue::Connection' ? id : undefined;
}

function pseudoParameter(name: string, stack: AssemblyStack): string | undefined {
  switch (name) {
    case 'AWS::AccountId':
      return stack.account;
    case 'AWS::Region':
      return stack.region;
    case 'AWS::Partition':
      return stack.region?.startsWith('cn-') ? 'aws-cn' : stack.region?.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    case 'AWS::URLSuffix':
      return stack.region?.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    default:
      return undefined;
  }
}
