// Renders the README screenshots: the demo run (and a real run's overview) in tmux, captured with
// colours, written as SVG.
//   npx tsx scripts/screenshot.ts            # all of them
//   npx tsx scripts/screenshot.ts overview   # only those whose file name holds the word
import {writeFileSync, mkdirSync} from 'node:fs';
import {startPane} from '../test/helpers/tmux.js';
import {CLI, REAL_RUNS} from '../test/helpers/fixtures.js';
import {sshdUnavailable, startSshd} from '../test/helpers/sshd.js';

const PALETTE: Record<number, string> = {
	30: '#4d4d4d', 31: '#e06c75', 32: '#98c379', 33: '#e5c07b', 34: '#61afef', 35: '#c678dd', 36: '#56b6c2', 37: '#dcdfe4',
	90: '#7f848e', 91: '#ff7b86', 92: '#b5e890', 93: '#ffd68a', 94: '#8cc8ff', 95: '#e09cff', 96: '#7fdbe6', 97: '#ffffff',
};
const FG = '#dcdfe4';
const BG = '#1e2127';

type Style = {fg: string; bold: boolean; dim: boolean; inverse: boolean};

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** ANSI-coloured terminal lines → an SVG of the screen. */
export function toSvg(lines: string[], columns: number, title: string): string {
	const cell = {w: 8.4, h: 17};
	const out: string[] = [];
	lines.forEach((line, row) => {
		let style: Style = {fg: FG, bold: false, dim: false, inverse: false};
		let column = 0;
		for (const part of line.split(/(\u001B\[[0-9;]*m)/)) {
			const sgr = /^\u001B\[([0-9;]*)m$/.exec(part);
			if (sgr) {
				const codes = sgr[1] === '' ? [0] : sgr[1].split(';').map(Number);
				for (let i = 0; i < codes.length; i++) {
					const code = codes[i];
					if (code === 0) style = {fg: FG, bold: false, dim: false, inverse: false};
					else if (code === 1) style = {...style, bold: true};
					else if (code === 2) style = {...style, dim: true};
					else if (code === 22) style = {...style, bold: false, dim: false};
					else if (code === 7) style = {...style, inverse: true};
					else if (code === 27) style = {...style, inverse: false};
					else if (code === 39) style = {...style, fg: FG};
					else if (PALETTE[code]) style = {...style, fg: PALETTE[code]};
					else if (code === 38 && codes[i + 1] === 5) i += 2;
				}
				continue;
			}
			if (!part) continue;
			const chars = [...part];
			const x = (column * cell.w).toFixed(1);
			const y = ((row + 1) * cell.h - 4).toFixed(1);
			if (style.inverse) out.push(`<rect x="${x}" y="${(row * cell.h).toFixed(1)}" width="${(chars.length * cell.w).toFixed(1)}" height="${cell.h}" fill="${style.fg}"/>`);
			const fill = style.inverse ? BG : style.fg;
			out.push(`<text x="${x}" y="${y}" fill="${fill}"${style.bold ? ' font-weight="bold"' : ''}${style.dim ? ' opacity="0.6"' : ''} textLength="${(chars.length * cell.w).toFixed(1)}" lengthAdjust="spacingAndGlyphs">${escapeXml(part)}</text>`);
			column += chars.length;
		}
	});
	const width = Math.ceil(columns * cell.w + 24);
	const height = Math.ceil(lines.length * cell.h + 24);
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
		`<rect width="100%" height="100%" rx="6" fill="${BG}"/>`,
		`<g transform="translate(12,12)" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" xml:space="preserve">`,
		...out,
		'</g></svg>',
	].join('\n');
}

async function shoot(file: string, columns: number, rows: number, keys: string[] = [], run = '--demo', env: Record<string, string> = {}, settleMs = run === '--demo' ? 4000 : 500) {
	if (process.argv[2] && !file.includes(process.argv[2])) return;
	// Set in the command: tmux's `new-session -e` does not reach PATH of the pane's first command.
	const assignments = Object.entries(env).map(([key, value]) => `${key}='${value}' `).join('');
	const pane = startPane(`${assignments ? `env ${assignments}` : ''}node ${CLI} ${run} --no-gpu`, columns, rows);
	try {
		await pane.waitFor(screen => (run === '--demo' ? /step (\d{3,})/.test(screen) : /step /.test(screen)) && screen.includes('x: '), 20_000);
		await new Promise(resolve => setTimeout(resolve, settleMs));
		for (const key of keys) {
			pane.keys(key);
			await new Promise(resolve => setTimeout(resolve, 400));
		}
		const lines = pane.screenWithColors().split('\n').slice(0, rows - 1);
		writeFileSync(file, toSvg(lines, columns, 'wbtop dashboard'));
	} finally {
		pane.kill();
	}
}

mkdirSync('media', {recursive: true});
await shoot('media/dashboard.svg', 120, 36);
await shoot('media/compact.svg', 60, 15);
// A real run (wandb 0.21, offline, an H100): its overview, from its environment and config records.
await shoot('media/overview.svg', 120, 32, ['i'], `'${REAL_RUNS}/alphatra__CPC-SNN-GW__offline-run-20250906_184957-lpl8zlhs'`);
// A real run with wandb.watch(log="all") (wandb 0.20): every gradient histogram, smallest first.
await shoot('media/gradients.svg', 120, 30, ['H'], `'${REAL_RUNS}/imkannadiga__flow-matching-pde__run-20250622_155159-0xy6x921'`);
// A multi-node job: the demo run and 8 nodes x 8 GPUs over ssh, from the tests' sshd on 127.0.0.1
// (each node's nvidia-smi is the stand-in that replays the H100 captures).
if (!process.argv[2] || 'media/multinode.svg'.includes(process.argv[2])) {
	const why = sshdUnavailable();
	if (why) console.log(`skipped media/multinode.svg: ${why}`);
	else {
		const sshd = await startSshd();
		try {
			const env = Object.fromEntries(Object.entries(sshd.env).filter((entry): entry is [string, string] => entry[1] !== undefined && ['PATH', 'XDG_RUNTIME_DIR'].includes(entry[0])));
			await shoot('media/multinode.svg', 120, 36, [], `--demo --hosts ${Array.from({length: 8}, (_, i) => `node-${i + 1}`).join(',')}`, env, 12_000);
		} finally {
			await sshd.stop();
		}
	}
}
console.log('wrote the screenshots under media/');
