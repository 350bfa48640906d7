/**
 * The public API as jsii publishes it (the .jsii assembly that `npm run build` writes): every
 * type, property, method, parameter and enum member is documented, every optional prop says its
 * `@default`, and every class shows an `@example` (jsii-rosetta compiles the examples in strict
 * mode: `npm run docs:check`). API.md and the other languages' docs are generated from these.
 */
import * as fs from 'fs';
import * as path from 'path';

interface Docs { summary?: string; default?: string; example?: string }
interface Parameter { name: string; docs?: Docs }
interface Callable { name?: string; docs?: Docs; parameters?: Parameter[] }
interface Type {
  kind: 'class' | 'interface' | 'enum';
  datatype?: boolean;
  docs?: Docs;
  properties?: { name: string; optional?: boolean; docs?: Docs }[];
  initializer?: Callable;
  methods?: Callable[];
  members?: { name: string; docs?: Docs }[];
}

const ASSEMBLY = path.join(__dirname, '..', '..', '.jsii');

function undocumented(types: Record<string, Type>): string[] {
  const missing: string[] = [];
  for (const [fqn, type] of Object.entries(types)) {
    const name = fqn.slice(fqn.indexOf('.') + 1);
    if (!type.docs?.summary) missing.push(`${name}: no summary`);
    if (type.kind === 'class' && !type.docs?.example) missing.push(`${name}: no @example`);
    for (const p of type.properties ?? []) {
      if (!p.docs?.summary) missing.push(`${name}.${p.name}: no summary`);
      if (type.datatype && p.optional && p.docs?.default === undefined) missing.push(`${name}.${p.name}: no @default`);
    }
    const callables = [...(type.initializer ? [{ ...type.initializer, name: 'constructor' }] : []), ...(type.methods ?? [])];
    for (const m of callables) {
      if (m.name !== 'constructor' && !m.docs?.summary) missing.push(`${name}.${m.name}(): no summary`);
      for (const p of m.parameters ?? []) if (!p.docs?.summary) missing.push(`${name}.${m.name}(${p.name}): no @param`);
    }
    for (const m of type.members ?? []) if (!m.docs?.summary) missing.push(`${name}.${m.name}: no summary`);
  }
  return missing;
}

describe('the jsii assembly', () => {
  const assembly = fs.existsSync(ASSEMBLY) ? JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8')) as { types: Record<string, Type> } : undefined;

  test('exists (npm run build compiles it with jsii)', () => {
    expect(assembly).toBeDefined();
  });

  test('documents every public type, property, method, parameter and enum member', () => {
    expect(undocumented(assembly!.types)).toEqual([]);
  });

  test('the check itself finds an undocumented parameter, a missing @default and a missing @example', () => {
    expect(undocumented({
      'pkg.Thing': { kind: 'class', docs: { summary: 'A thing.' }, methods: [{ name: 'go', docs: { summary: 'Goes.' }, parameters: [{ name: 'where' }] }] },
      'pkg.ThingProps': { kind: 'interface', datatype: true, docs: { summary: 'Props.' }, properties: [{ name: 'size', optional: true, docs: { summary: 'Size.' } }] },
    })).toEqual(['Thing: no @example', 'Thing.go(where): no @param', 'ThingProps.size: no @default']);
  });
});
