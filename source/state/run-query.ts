/**
 * The runs list's query: `state:running tag:baseline lr<1e-3 batch_size=64`, terms ANDed, `OR`
 * between groups of them (AND binds tighter), `-` before a term to negate it. A pure parser and
 * matcher, over plain fields (the view gives each run's name, tags, state word, group, config).
 *
 * A term the parser does not understand is left out and named in `problems`; the list is
 * filtered by the rest (so a typo narrows nothing it should not, and says so).
 */
import type {FlatValues, Value} from '../decode/run-events.js';

/** What a query looks at in one run. */
export type RunFields = {
	name: string;
	id: string;
	/** False for runs listed but not read (beyond the newest few): only name and id are known. */
	read: boolean;
	tags: readonly string[];
	/** The state word: running, finished, failed, crashed, stale, catching up. */
	state: string | null;
	group: string | null;
	config: FlatValues;
};

export const QUERY_FIELDS = ['name', 'id', 'tag', 'state', 'group'] as const;
type Field = (typeof QUERY_FIELDS)[number];
type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';

type Test =
	| {kind: 'text'; value: string}
	| {kind: 'field'; field: Field; value: string}
	| {kind: 'compare'; key: string; op: Op; value: number | string};

export type Term = {negate: boolean; test: Test; text: string};

export type RunQuery = {
	/** Groups ORed together; the terms of a group ANDed. No groups: every run matches. */
	groups: Term[][];
	/** One phrase per part not understood, e.g. `"lr<": no value after <`. */
	problems: string[];
};

/** Words and `"quoted phrases"` (quotes may start inside a word: `name:"my run"`). */
function tokens(text: string, problems: string[]): string[] {
	const out: string[] = [];
	let current = '';
	let inWord = false;
	let quoted = false;
	for (const ch of text) {
		if (ch === '"') {
			quoted = !quoted;
			inWord = true;
		} else if (!quoted && /\s/.test(ch)) {
			if (inWord) out.push(current);
			current = '';
			inWord = false;
		} else {
			current += ch;
			inWord = true;
		}
	}
	if (quoted) problems.push('a " is not closed (taken to the end)');
	if (inWord) out.push(current);
	return out;
}

const COMPARE = /^([^<>=!:\s]+)(<=|>=|!=|<|>|=)(.*)$/s;
const FIELD = /^([A-Za-z]+):(.*)$/s;

function parseTerm(token: string, problems: string[]): Term | null {
	let body = token;
	let negate = false;
	if (body.startsWith('-') && body.length > 1) {
		negate = true;
		body = body.slice(1);
	} else if (body === '-') {
		problems.push('"-": nothing to negate');
		return null;
	}
	const compare = COMPARE.exec(body);
	if (compare) {
		const [, key, op, raw] = compare as unknown as [string, string, Op, string];
		if (raw === '') {
			problems.push(`"${token}": no value after ${op}`);
			return null;
		}
		const number = Number(raw);
		const numeric = raw.trim() !== '' && Number.isFinite(number);
		if (!numeric && op !== '=' && op !== '!=') {
			problems.push(`"${token}": ${op} needs a number, got "${raw}"`);
			return null;
		}
		return {negate, text: token, test: {kind: 'compare', key, op, value: numeric ? number : raw}};
	}
	const field = FIELD.exec(body);
	if (field) {
		const name = field[1].toLowerCase() === 'tags' ? 'tag' : field[1].toLowerCase();
		if (!(QUERY_FIELDS as readonly string[]).includes(name)) {
			problems.push(`"${token}": no field ${field[1]}: (fields: ${QUERY_FIELDS.join(', ')}; config values: key=value, key<number)`);
			return null;
		}
		if (field[2] === '') {
			problems.push(`"${token}": no value after ${field[1]}:`);
			return null;
		}
		return {negate, text: token, test: {kind: 'field', field: name as Field, value: field[2]}};
	}
	if (/^[<>=!]/.test(body)) {
		problems.push(`"${token}": no config key before ${/^[<>=!]+/.exec(body)![0]}`);
		return null;
	}
	return {negate, text: token, test: {kind: 'text', value: body}};
}

/** Parse a query; what is not understood is left out and named in `problems`. */
export function parseRunQuery(text: string): RunQuery {
	const problems: string[] = [];
	const groups: Term[][] = [[]];
	const words = tokens(text, problems);
	words.forEach((word, i) => {
		if (word === 'OR') {
			if (groups[groups.length - 1].length === 0 || i === words.length - 1) problems.push('OR needs a term on each side');
			else groups.push([]);
			return;
		}
		const term = parseTerm(word, problems);
		if (term) groups[groups.length - 1].push(term);
	});
	return {groups: groups.filter(group => group.length > 0), problems};
}

/** Config values under `key`: the key itself or any nested key ending in `.key` (`lr` finds `optimizer.lr`), case-insensitive. */
function configValues(config: FlatValues, key: string): Value[] {
	const wanted = key.toLowerCase();
	const out: Value[] = [];
	for (const [name, value] of Object.entries(config)) {
		const lower = name.toLowerCase();
		if (lower === wanted || lower.endsWith('.' + wanted)) out.push(value);
	}
	return out;
}

function numberOf(value: Value): number | null {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return null;
}

function same(a: number, b: number): boolean {
	return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function compareOne(value: Value, op: Op, wanted: number | string): boolean {
	const number = numberOf(value);
	if (typeof wanted === 'number') {
		if (number === null) return op === '!=';
		switch (op) {
			case '<':
				return number < wanted;
			case '<=':
				return number <= wanted || same(number, wanted);
			case '>':
				return number > wanted;
			case '>=':
				return number >= wanted || same(number, wanted);
			case '=':
				return same(number, wanted);
			case '!=':
				return !same(number, wanted);
		}
	}
	const text = typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : JSON.stringify(value);
	const equal = text.toLowerCase() === wanted.toLowerCase();
	return op === '!=' ? !equal : equal;
}

/** true, false, or null where the run is not read and the term is about what reading tells. */
function testRun(test: Test, run: RunFields): boolean | null {
	const has = (text: string | null, value: string) => text !== null && text.toLowerCase().includes(value.toLowerCase());
	switch (test.kind) {
		case 'text':
			return has(run.name, test.value) || has(run.id, test.value) || (run.read ? has(run.group, test.value) || run.tags.some(tag => has(tag, test.value)) : false);
		case 'field':
			switch (test.field) {
				case 'name':
					return has(run.name, test.value);
				case 'id':
					return has(run.id, test.value);
				case 'tag':
					return run.read ? run.tags.some(tag => tag.toLowerCase() === test.value.toLowerCase()) : null;
				case 'state':
					// A prefix will do: state:run, state:fail, state:"catching up".
					return run.read ? run.state !== null && run.state.toLowerCase().startsWith(test.value.toLowerCase()) : null;
				case 'group':
					return run.read ? has(run.group, test.value) : null;
			}
			return false;
		case 'compare': {
			if (!run.read) return null;
			const values = configValues(run.config, test.key);
			if (values.length === 0) return test.op === '!=' ? true : false;
			return test.op === '!=' ? values.every(value => compareOne(value, test.op, test.value)) : values.some(value => compareOne(value, test.op, test.value));
		}
	}
}

/**
 * Whether a run matches. Three-valued inside (a run not read cannot say its tags): such a run is
 * shown only when its name or id decide, never on an unknown.
 */
export function matchRun(query: RunQuery, run: RunFields): boolean {
	if (query.groups.length === 0) return true;
	return query.groups.some(group => {
		let result: boolean | null = true;
		for (const term of group) {
			let value = testRun(term.test, run);
			if (value !== null && term.negate) value = !value;
			if (value === false) return false;
			if (value === null) result = null;
		}
		return result === true;
	});
}
