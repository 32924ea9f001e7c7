// Bundles source/cli.ts and its dependencies into dist/: cli.js plus chunks that load on demand.
// Bundling starts about twice as fast as hundreds of small ESM modules (see README, Performance);
// splitting keeps Ink and React in chunks that only the live dashboard loads, so `--line`,
// `--check`, `--once --json` and `export` start without them.
import {build} from 'esbuild';
import {chmod, rm} from 'node:fs/promises';

await rm('dist', {recursive: true, force: true});
await build({
	entryPoints: {cli: 'source/cli.ts'},
	bundle: true,
	splitting: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	outdir: 'dist',
	chunkNames: 'chunks/[name]-[hash]',
	// Ink imports react-devtools-core only when DEV=true; it is not installed.
	alias: {'react-devtools-core': './scripts/devtools-stub.js'},
	banner: {
		js: "#!/usr/bin/env node\nimport {createRequire as __wbtopCreateRequire} from 'node:module'; const require = __wbtopCreateRequire(import.meta.url);",
	},
	define: {'process.env.NODE_ENV': '"production"'},
	legalComments: 'none',
	logLevel: 'warning',
});
await chmod('dist/cli.js', 0o755);
