/**
 * Builds bench/out/cli-proposed.js: the same bundle as scripts/build.mjs, with two changes applied
 * at bundle time (the source files are not touched) so the bench can show what they would buy:
 *
 * 1. `fast-history`: source/run/records.ts decodes HistoryRecords with the fast path in
 *    bench/experiments/fast-history.ts (falling back to the generic decoder for anything unusual).
 * 2. `stream-once`: source/once.tsx `loadRun` folds events into state read by read, instead of
 *    collecting every event of the run first (readRunOnce), so memory no longer grows per row.
 *
 * When a patch no longer applies (the source moved on), the build fails with a message and the
 * bench reports the "proposed" rows as unavailable.
 */
import {build, type Plugin} from 'esbuild';
import {chmodSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT} from './lib.js';

export const PROPOSED_CLI = join(ROOT, 'bench', 'out', 'cli-proposed.js');

type Patch = {file: string; replace: Array<[string, string]>};

const FAST = JSON.stringify(join(ROOT, 'bench', 'experiments', 'fast-history.ts'));

export const PATCHES: Record<'fast-history' | 'stream-once', Patch> = {
	'fast-history': {
		file: 'source/run/records.ts',
		replace: [
			[
				'out.push(decodeHistory(body));',
				'out.push(__fastHistory.decodeHistoryFast(payload, body.pos, body.end) ?? decodeHistory(body));',
			],
			["import {ProtoError, ProtoReader} from './protobuf.js';", `import {ProtoError, ProtoReader} from './protobuf.js';\nimport * as __fastHistory from ${FAST};`],
		],
	},
	'stream-once': {
		file: 'source/once.tsx',
		replace: [
			[
				'const {location, events, integrity, error} = readRunOnce(path);\n\tconst state = reduceRunEvents(initialRunState(), events, Date.now());',
				[
					'const location = __locateRun(path);',
					'const state = initialRunState();',
					'const now = Date.now();',
					'const reader = new __RunReader(location);',
					'let last;',
					'try {',
					'\tdo {',
					'\t\tlast = reader.read();',
					'\t\treduceRunEvents(state, last.events, now);',
					'\t} while (reader.hasMore && last.error === null);',
					'} finally {',
					'\treader.close();',
					'}',
					'const {integrity, error} = last;',
				].join('\n\t'),
			],
			["import {readRunOnce} from './run/run-reader.js';", "import {readRunOnce, RunReader as __RunReader} from './run/run-reader.js';\nimport {locateRun as __locateRun} from './run/locate.js';"],
		],
	},
};

function patchPlugin(patches: Patch[]): Plugin {
	return {
		name: 'wbtop-bench-patches',
		setup(b) {
			for (const patch of patches) {
				const file = join(ROOT, patch.file);
				b.onLoad({filter: new RegExp(patch.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '$')}, () => {
					let text = readFileSync(file, 'utf8');
					for (const [from, to] of patch.replace) {
						if (!text.includes(from)) throw new Error(`bench patch for ${patch.file} no longer applies (missing: ${from.slice(0, 80)})`);
						text = text.replace(from, to);
					}
					return {contents: text, loader: file.endsWith('x') ? 'tsx' : 'ts'};
				});
			}
		},
	};
}

/** Builds the patched bundle; returns its path. */
export async function buildProposed(which: Array<keyof typeof PATCHES> = ['fast-history', 'stream-once'], outfile = PROPOSED_CLI): Promise<string> {
	await build({
		entryPoints: [join(ROOT, 'source', 'cli.tsx')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outfile,
		alias: {'react-devtools-core': join(ROOT, 'scripts', 'devtools-stub.js')},
		banner: {
			js: "#!/usr/bin/env node\nimport {createRequire as __wbtopCreateRequire} from 'node:module'; const require = __wbtopCreateRequire(import.meta.url);",
		},
		define: {'process.env.NODE_ENV': '"production"'},
		legalComments: 'none',
		logLevel: 'error',
		plugins: [patchPlugin(which.map(name => PATCHES[name]))],
	});
	chmodSync(outfile, 0o755);
	return outfile;
}
