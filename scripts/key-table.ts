// Prints the README key table from the keymap: `npx tsx scripts/key-table.ts`.
import {keyTableMarkdown} from '../source/keymap.js';

console.log(keyTableMarkdown());
