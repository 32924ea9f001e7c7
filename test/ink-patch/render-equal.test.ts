/**
 * The whole Ink pipeline (squash, sanitize, measure, wrap/truncate, borders, padding, overflow,
 * Output): renderToString of random <Box>/<Text> trees through patched Ink must equal stock Ink
 * 6.8.0's (rebuilt from the patch at test time, see stock-ink.ts), string for string.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {prng} from '../helpers/prng.js';
import {boxNode, element, int, pick, type BoxNode, type Classes} from './gen.js';
import {importBuild, makeStockInk, PATCHED_INK, type InkModule} from './stock-ink.js';

let stock: {dir: string; remove(): void};
let stockInk: InkModule;
let patchedInk: InkModule;

beforeAll(async () => {
	stock = makeStockInk();
	stockInk = await importBuild<InkModule>(stock.dir, 'index.js');
	patchedInk = await importBuild<InkModule>(PATCHED_INK, 'index.js');
});
afterAll(() => stock?.remove());

function compare(seed: number, count: number, classes: Classes = {}): number {
	const r = prng(seed);
	const trees: BoxNode[] = [];
	let done = 0;
	for (let i = 0; i < count; i++) {
		// Mostly new trees, sometimes one seen before (the patched caches then hit).
		const tree = trees.length > 0 && r() < 0.3 ? pick(r, trees) : boxNode(r, 0, classes);
		if (trees.length < 50) trees.push(tree);
		const columns = pick(r, [1, 8, 20, 40, 60, 80, 120]) + int(r, 0, 1);
		const expected = stockInk.renderToString(element(stockInk, tree), {columns});
		const actual = patchedInk.renderToString(element(patchedInk, tree), {columns});
		if (actual !== expected) expect(JSON.stringify(actual), `tree ${i} at ${columns} columns: ${JSON.stringify(tree)}`).toBe(JSON.stringify(expected));
		done++;
	}
	return done;
}

describe('patched Ink renderToString is byte-identical to stock Ink 6.8.0', () => {
	it('random trees: colours, nested Text, wrap and truncate modes, borders, padding, overflow hidden', () => {
		expect(compare(11, 350)).toBe(350);
	});

	it('random trees whose text carries non-SGR escapes (sanitized) and C1 controls', () => {
		expect(compare(12, 200, {otherEscapes: true})).toBe(200);
	});
});

describe('known mismatches between patched and stock renderToString', () => {
	it('a Text at x = 0 with a colon SGR (curly underline): stock keeps it, patched drops it', () => {
		const render = (ink: InkModule) => ink.renderToString(element(ink, {kind: 'text', props: {}, children: ['\u001B[4:3mwavy\u001B[4:0m']}), {columns: 20});
		expect(JSON.stringify(render(patchedInk))).toBe(JSON.stringify(render(stockInk)));
	});

	it('random trees with colon SGR and NUL', () => {
		expect(compare(13, 300, {colonSgr: true, nul: true})).toBe(300);
	});
});
