import React, {useEffect, useRef, useState} from 'react';
import {Box, useApp, useInput, useStdin, useStdout, type Key} from 'ink';
import {actionFor, splitKeys} from '../keymap.js';
import type {LiveSnapshot} from '../modes/session.js';
import {initialUiState, reduceUi, reduceUiInput, type UiState} from '../state/ui-state.js';
import {Dashboard} from './Dashboard.js';
import {dashboardContext} from '../view/dashboard-model.js';

export type AppProps = {
	/** Reads the live state; called on every tick. */
	snapshot: () => LiveSnapshot;
	/** Switch back to the previous run (after following a new one). */
	onBack: () => void;
	/** Open another run of the folder (Enter in the runs list). */
	onOpenRun?: (runDir: string) => void;
	color: boolean;
	/**
	 * Tells the app when the data changed, so frames follow changes instead of a polling tick.
	 * Without it (tests) the app polls `snapshot` every `tickMs`.
	 */
	subscribe?: (listener: (kind: 'run' | 'host') => void) => () => void;
	/** Ms between state checks when there is no `subscribe`; a frame is drawn only when something changed. */
	tickMs?: number;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	size?: {columns: number; rows: number};
};

const NO_KEY: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/** Terminal size, following resizes (Ink 6 re-lays out on resize but does not re-render components). */
function useTerminalSize(fixed?: {columns: number; rows: number}) {
	const {stdout} = useStdout();
	const read = () => fixed ?? {columns: stdout.columns || 80, rows: stdout.rows || 24};
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed) return;
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed]);
	return size;
}

/** The live dashboard: owns the UI state, polls the session on a tick, routes keys. */
/** Least time between two frames while run data streams in (a full frame costs 10-40 ms of CPU). */
export const MIN_FRAME_MS = 200;
/** Least time between frames caused only by live host samples. */
export const HOST_FRAME_MS = 1000;
/** Wait this long after a change before drawing, so a burst of records makes one frame. */
const BATCH_MS = 16;

export function App({snapshot, onBack, onOpenRun, subscribe, color, tickMs = 250, size: fixedSize}: AppProps) {
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	const size = useTerminalSize(fixedSize);
	const [ui, setUi] = useState<UiState>(initialUiState);
	// Keys can arrive faster than frames: each one must see the state the previous one left.
	const uiRef = useRef(ui);
	const update = (next: UiState) => {
		uiRef.current = next;
		setUi(next);
	};
	const [frame, setFrame] = useState(() => ({snap: snapshot(), version: -1, now: Date.now(), pulse: 0}));

	useEffect(() => {
		let lastDraw = 0;
		let pending: NodeJS.Timeout | null = null;
		let pendingAt = Infinity;
		const draw = () => {
			pending = null;
			pendingAt = Infinity;
			setFrame(previous => {
				const snap = snapshot();
				const now = Date.now();
				const live = snap.run.exit === null;
				// Redraw when data changed, or once a second so "last row Ns ago" and the live mark move.
				const secondPassed = Math.floor(now / 1000) !== Math.floor(previous.now / 1000);
				if (snap.version === previous.version && !(live && secondPassed)) return previous;
				lastDraw = now;
				return {snap, version: snap.version, now, pulse: previous.pulse + (secondPassed ? 1 : 0)};
			});
		};
		// Frames follow changes, throttled: run data at most every MIN_FRAME_MS, host-only changes
		// at most every HOST_FRAME_MS; an earlier deadline replaces a later one.
		const schedule = (kind: 'run' | 'host') => {
			const now = Date.now();
			const at = Math.max(now + BATCH_MS, lastDraw + (kind === 'run' ? MIN_FRAME_MS : HOST_FRAME_MS));
			if (pending && at >= pendingAt) return;
			if (pending) clearTimeout(pending);
			pendingAt = at;
			pending = setTimeout(draw, at - now);
		};
		const unsubscribe = subscribe?.(schedule);
		// The clock: without subscribe, the polling tick; with it, once a second for live runs.
		const clock = setInterval(draw, subscribe ? 1000 : tickMs);
		return () => {
			unsubscribe?.();
			clearInterval(clock);
			if (pending) clearTimeout(pending);
		};
	}, [snapshot, subscribe, tickMs]);

	// While paused the last frame's data stays on screen (sources keep reading in the background).
	const [frozen, setFrozen] = useState<typeof frame | null>(null);
	useEffect(() => {
		setFrozen(ui.paused ? frame : null);
	}, [ui.paused]);
	const shown = frozen ?? frame;

	const shownRef = useRef(shown);
	shownRef.current = shown;

	const handleKey = (input: string, key: Key) => {
			const current = uiRef.current;
			if (current.input) {
				if (key.ctrl && input === 'c') exit();
				else update(reduceUiInput(current, input, key));
				return;
			}
			const action = actionFor(input, key);
			if (action === null) return;
			if (action === 'quit') {
				exit();
				return;
			}
			if (action === 'backToRun') {
				onBack();
				return;
			}
			if (current.runsOpen && action === 'focus') {
				const dir = shownRef.current.snap.runs?.[current.runCursor]?.listing.runDir;
				if (dir) onOpenRun?.(dir);
			}
			update(reduceUi(current, action, dashboardContext(shownRef.current.snap, current, size)));
	};

	useInput(
		(input, key) => {
			// Several keys in one chunk (fast typing, tmux send-keys): handle each one.
			if (input.length > 1 && !key.ctrl && !key.meta) {
				for (const press of splitKeys(input)) handleKey(press.input, {...NO_KEY, ...press.key});
			} else handleKey(input, key);
		},
		{isActive: isRawModeSupported === true},
	);

	return (
		<Box width={size.columns} height={Math.max(1, size.rows - 1)} flexDirection="column">
			<Dashboard snap={shown.snap} ui={ui} columns={size.columns} rows={size.rows} color={color} now={shown.now} pulse={shown.pulse} />
		</Box>
	);
}
