// Writes the README key table from the keymap, between its markers: `npx tsx scripts/key-table.ts`.
import {readFileSync, writeFileSync} from 'node:fs';
import {keyTableMarkdown} from '../source/keymap.js';

const START = '<!-- keys:start (generated from source/keymap.ts by scripts/key-table.ts) -->';
const END = '<!-- keys:end -->';
const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error('README.md has no key table markers');
writeFileSync('README.md', readme.slice(0, from + START.length) + '\n' + keyTableMarkdown() + '\n' + readme.slice(to));
