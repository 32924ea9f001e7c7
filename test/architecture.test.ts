/**
 * The pipeline's shape, read from the imports of source/: sources → decode → state → view → ui,
 * modes on top. state/ imports nothing from view/ or ui/ and does no I/O; decode/ is pure; no
 * import cycles; every dependency in package.json is imported somewhere.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ROOT} from './helpers/fixtures.js';

const SOURCE = join(ROOT, 'source');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap(name => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
	});
}

/** Every `from '...'` / `import('...')` specifier of a file (comments ignored). */
function specifiers(file: string): string[] {
	const text = readFileSync(file, 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.replace(/^\s*\/\/.*$/gm, '');
	return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map(match => match[1]);
}

/** Relative imports resolved to source files (`./x.js` → `x.ts` or `x.tsx`). */
function localImports(file: string): string[] {
	return specifiers(file)
		.filter(spec => spec.startsWith('.'))
		.map(spec => {
			const base = resolve(dirname(file), spec).replace(/\.js$/, '');
			for (const candidate of [`${base}.ts`, `${base}.tsx`]) {
				try {
					if (statSync(candidate).isFile()) return candidate;
				} catch {
					// try the next
				}
			}
			throw new Error(`${relative(ROOT, file)}: cannot resolve ${spec}`);
		});
}

const all = files(SOURCE);
const layer = (file: string) => relative(SOURCE, file).split('/')[0];

describe('layers', () => {
	it('state/ imports nothing from view/, ui/, modes/ or sources/, and no module that does I/O', () => {
		// keymap.ts is data (the actions keys map to), shared by state, view and the README.
		for (const file of all.filter(f => layer(f) === 'state')) {
			for (const target of localImports(file)) expect(['state', 'decode', 'keymap.ts'], `${relative(ROOT, file)} imports ${relative(ROOT, target)}`).toContain(layer(target));
			for (const spec of specifiers(file)) expect(spec, `${relative(ROOT, file)} imports ${spec}`).not.toMatch(/^(node:)?(fs|child_process|net|fs\/promises)$|^chokidar$|^execa$/);
		}
	});

	it('decode/ is pure: it imports only decode/ and no I/O module', () => {
		for (const file of all.filter(f => layer(f) === 'decode')) {
			for (const target of localImports(file)) expect(layer(target), `${relative(ROOT, file)} imports ${relative(ROOT, target)}`).toBe('decode');
			for (const spec of specifiers(file)) expect(spec, `${relative(ROOT, file)} imports ${spec}`).not.toMatch(/^(node:)?(fs|child_process|net|fs\/promises)$/);
		}
	});

	it('view/ and ui/ read no files and start no processes; ui/ draws only what view/ gives it', () => {
		for (const file of all.filter(f => ['view', 'ui'].includes(layer(f)))) {
			for (const spec of specifiers(file)) expect(spec, `${relative(ROOT, file)} imports ${spec}`).not.toMatch(/^(node:)?(fs|child_process|net|fs\/promises)$|^chokidar$|^execa$/);
			for (const target of localImports(file)) expect(['sources', 'modes'], `${relative(ROOT, file)} imports ${relative(ROOT, target)}`).not.toContain(layer(target));
		}
	});

	it('has no import cycles', () => {
		const graph = new Map(all.map(file => [file, localImports(file)]));
		const state = new Map<string, 'visiting' | 'done'>();
		const cycles: string[] = [];
		const visit = (file: string, path: string[]) => {
			if (state.get(file) === 'done') return;
			if (state.get(file) === 'visiting') {
				cycles.push([...path.slice(path.indexOf(file)), file].map(f => relative(SOURCE, f)).join(' -> '));
				return;
			}
			state.set(file, 'visiting');
			for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
			state.set(file, 'done');
		};
		for (const file of all) visit(file, []);
		expect(cycles).toEqual([]);
	});

	it('every dependency in package.json is imported by the source', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {dependencies: Record<string, string>};
		const imported = new Set(all.flatMap(specifiers).filter(spec => !spec.startsWith('.') && !spec.startsWith('node:')).map(spec => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])));
		for (const name of Object.keys(pkg.dependencies)) expect(imported, name).toContain(name);
	});
});
