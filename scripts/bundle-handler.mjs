// Bundles, at build time, the handler (lambda/index.ts) into assets/handler/index.js and the command
// line (cli/index.ts) into assets/cli/index.js, with the AWS SDK clients inlined at the versions in
// package-lock.json (they have TestConnection), so that users of the library need neither Docker nor
// esbuild and nothing is installed at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'url';
import path from 'path';
import { chmodSync, readFileSync } from 'fs';

/**
 * Makes the SDK's schema modules tree-shakable. A schema of a Query or XML protocol (EC2's)
 * carries traits as objects with computed keys (`{ [_xN]: _BDM }`, `_xN` a module constant
 * "xmlName"); esbuild keeps every declaration whose initializer has a computed key, as the key
 * could run code, so all of EC2's 3,400 shapes shipped (553 KB) for the seven Describe calls
 * the handler makes. Writing each such key as the string literal it names is the same object,
 * and lets esbuild drop the shapes no command uses.
 */
const literalSchemaKeys = {
  name: 'literal-schema-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, ({ path: file }) => {
      const source = readFileSync(file, 'utf8');
      const constants = new Map([...source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)].map((m) => [m[1], m[2]]));
      return { contents: source.replace(/\[(_\w+)\]:/g, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key)), loader: 'js' };
    });
  },
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The credential sources that need files, SSO or a token file: see lambda/unused-credential-sources.ts. */
const lambdaCredentialSources = {
  name: 'lambda-credential-sources',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-(ini|sso|process|web-identity)$/ }, () => ({
      path: path.join(root, 'lambda', 'unused-credential-sources.ts'),
    }));
  },
};
const result = await build({
  entryPoints: [path.join(root, 'lambda', 'index.ts')],
  outfile: path.join(root, 'assets', 'handler', 'index.js'),
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The SDK's ES modules: esbuild can tree-shake them (the CommonJS build is one file per
  // package, every operation's schema included), which more than halves the bundle.
  mainFields: ['module', 'main'],
  // The SDK's ES modules load some Node built-ins with import() (node:http, node:async_hooks).
  // Everything else is inlined; a require of the built-in does the same without needing an ES
  // module loader in the function's realm (the local simulation loads the bundle with one).
  supported: { 'dynamic-import': false },
  legalComments: 'none',
  metafile: true,
  plugins: [lambdaCredentialSources, literalSchemaKeys],
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
// One place for both the sources (lib/) and the package (dist/): the provider, at lib/construct/ or
// dist/construct/, finds it at ../../assets/handler.
console.log(`bundled assets/handler/index.js (${(bytes / 1024).toFixed(0)} KiB)`);

// The command line (cli/index.ts), package.json's `bin`: the same core and SDK clients, and the
// SDK's whole default credential chain (profiles, SSO, credential_process, web identity), which a
// person's terminal and a CI runner use, so no credential source is replaced here. aws-cdk-lib is
// the user's (a peer dependency), never inlined.
const cli = await build({
  entryPoints: [path.join(root, 'cli', 'index.ts')],
  outfile: path.join(root, 'assets', 'cli', 'index.js'),
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  mainFields: ['module', 'main'],
  supported: { 'dynamic-import': false },
  external: ['aws-cdk-lib', 'constructs'],
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  metafile: true,
  plugins: [literalSchemaKeys],
  logLevel: 'warning',
});
chmodSync(path.join(root, 'assets', 'cli', 'index.js'), 0o755);
const cliBytes = Object.values(cli.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`bundled assets/cli/index.js (${(cliBytes / 1024).toFixed(0)} KiB)`);
