// Builds the extension host bundle, the CLI (node, cjs, `vscode` external) and the timeline webview
// (browser, iife). `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts', cli: 'src/cli.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
];

if (existsSync('src/webview/main.ts')) {
  builds.push({
    ...common,
    entryPoints: { timeline: 'src/webview/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
