// Bundles the CLI into one ESM file: starting from a bundle takes ~0.5 s instead of ~3 s through tsx.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

// FLOWSH_BUNDLE_OUT: tests that start many flowsh processes build a fresh bundle of their own
const outfile = process.env.FLOWSH_BUNDLE_OUT ?? 'dist/flowsh.mjs';
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  minifyWhitespace: true,
  // ink and cli-table3 pull in CommonJS modules that call require() for Node built-ins.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __flowshCreateRequire } from 'node:module';\nconst require = __flowshCreateRequire(import.meta.url);" },
  // react-devtools-core is an optional peer of ink, only loaded when DEV=true; an external import would be
  // hoisted to the top of the bundle and fail at start, so it becomes an inert stub.
  plugins: [{
    name: 'stub-react-devtools',
    setup(b) {
      b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
    },
  }],
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
