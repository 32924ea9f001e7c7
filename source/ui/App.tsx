import React, {useEffect, useMemo, useRef, useState} from 'react';
import {useStdin, useStdout, useInput, type Key} from 'ink';
import {actionFor, KEYMAP, MACHINE_ACTIONS, splitKeys, type Binding} from '../keymap.js';
import type {ChangeKind, SessionCommand, Snapshot} from '../state/snapshot.js';
import {initialUiState, reduceUi, reduceUiInput, type UiState} from '../state/ui-state.js';
import type {PaintMode} from '../view/line.js';
import {navigation, ScreenBuilder} from '../view/screen.js';
import {Screen} from './Screen.js';
import type {ColorDepth} from '../view/image-cells.js';
import type {MouseEvent} from '../decode/mouse.js';
import {DOUBLE_CLICK_MS, reduceMouse, type MouseGesture} from '../state/mouse-ui.js';
import {hitTest} from '../view/hit-test.js';
import type {Graphic} from '../view/graphics-protocol.js';

export type AppProps = {
	/** Reads the session's current snapshot (no side effects). */
	snapshot: () => Snapshot;
	/** Quit, back, open a run, pause: handed to the session. */
	onCommand: (command: SessionCommand) => void;
	paint: Exclude<PaintMode, 'plain'>;
	/**
	 * Tells the app when the data changed, so frames follow changes instead of a polling tick.
	 * Without it (tests) the app polls `snapshot` every `tickMs`.
	 */
	subscribe?: (listener: (kind: ChangeKind) => void) => () => void;
	/** Ms between state checks when there is no `subscribe`; a frame is drawn only when something changed. */
	tickMs?: number;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	size?: {columns: number; rows: number};
	/** Called on a terminal resize, before the frame at the new size (the dashboard clears the screen). */
	onResize?: () => void;
	/** The keys (the config file may remap them); default KEYMAP. */
	keymap?: readonly Binding[];
	/** The UI state to start from (the config file's view settings); default initialUiState(). */
	initialUi?: UiState;
	/** What colours the terminal draws (the media panel's images); default: 24-bit where paint is colour. */
	colorDepth?: ColorDepth;
	/** The save key: write the view's settings to the config file; returns the line the header shows. */
	onSaveSettings?: (ui: UiState) => string;
	/** The terminal's mouse reports (the dashboard takes them out of stdin); absent: no mouse. */
	subscribeMouse?: (listener: (event: MouseEvent) => void) => () => void;
	/**
	 * The terminal draws images (kitty graphics, sixel): after each frame, the image the media page
	 * left blank cells for (null: none) and the frame's painted lines. Absent: half blocks.
	 */
	onGraphic?: (graphic: Graphic | null, lines: readonly string[]) => void;
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
function useTerminalSize(fixed: {columns: number; rows: number} | undefined, onResize: (() => void) | undefined) {
	const {stdout} = useStdout();
	const read = () => fixed ?? {columns: stdout.columns || 80, rows: stdout.rows || 24};
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed) return;
		const changed = () => {
			onResize?.();
			setSize(read());
		};
		stdout.on('resize', changed);
		return () => {
			stdout.off('resize', changed);
		};
	}, [stdout, fixed, onResize]);
	return size;
}

/** Least time between two frames while run data streams in. */
export const MIN_FRAME_MS = 200;
/** Least time between frames caused only by live host samples. */
export const HOST_FRAME_MS = 1000;
/** Wait this long after a change before drawing, so a burst of records makes one frame. */
const BATCH_MS = 16;

type Frame = {snap: Snapshot; version: number; now: number; pulse: number};

/** The live dashboard: owns the UI state, draws the screen model, routes keys. */
export function App({snapshot, onCommand, subscribe, paint, tickMs = 250, size: fixedSize, onResize, keymap = KEYMAP, initialUi, onSaveSettings, colorDepth, subscribeMouse, onGraphic}: AppProps) {
	const graphics = onGraphic !== undefined;
	const depth: ColorDepth = paint === 'mono' ? 'none' : (colorDepth ?? 'truecolor');
	const {isRawModeSupported} = useStdin();
	const size = useTerminalSize(fixedSize, onResize);
	const [ui, setUi] = useState<UiState>(() => initialUi ?? initialUiState());
	// Keys can arrive faster than frames: each one must see the state the previous one left.
	const uiRef = useRef(ui);
	const update = (next: UiState) => {
		uiRef.current = next;
		setUi(next);
	};
	const [frame, setFrame] = useState<Frame>(() => ({snap: snapshot(), version: -1, now: Date.now(), pulse: 0}));
	const frameRef = useRef(frame);
	frameRef.current = frame;

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
				const live = snap.run.exit === null && snap.paused === null;
				// Redraw when data changed, or once a second so "last row Ns ago" and the live mark move.
				const secondPassed = Math.floor(now / 1000) !== Math.floor(previous.now / 1000);
				if (snap.version === previous.version && !(live && secondPassed)) return previous;
				lastDraw = now;
				return {snap, version: snap.version, now, pulse: previous.pulse + (secondPassed && live ? 1 : 0)};
			});
		};
		// Frames follow changes, throttled: run data at most every MIN_FRAME_MS, host-only changes
		// at most every HOST_FRAME_MS; an earlier deadline replaces a later one.
		const schedule = (kind: ChangeKind) => {
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

	const builder = useRef<ScreenBuilder | null>(null);
	builder.current ??= new ScreenBuilder(keymap);
	const screen = useMemo(
		() => builder.current!.build({snap: frame.snap, ui, columns: size.columns, rows: size.rows, now: frame.now, pulse: frame.pulse, colorDepth: depth, graphics}),
		[frame, ui, size.columns, size.rows, depth, graphics],
	);
	const lines = useMemo(() => screen.lines.map(line => line.paint(paint)), [screen, paint]);
	// The terminal's own image goes over the blank cells after the frame (ui/graphics.ts writes it).
	useEffect(() => {
		onGraphic?.(screen.graphic ?? null, lines);
	}, [screen, lines]);
	// The screen the user sees: a click acts on what it drew there.
	const screenRef = useRef(screen);
	screenRef.current = screen;
	// A zoom the charts on screen want at full resolution: the session reads it (off the frame path).
	const zoomKey = screen.zoomRequest ? JSON.stringify(screen.zoomRequest) : '';
	const zoomSent = useRef('');
	useEffect(() => {
		if (zoomKey === zoomSent.current) return;
		zoomSent.current = zoomKey;
		onCommand({type: 'zoom', request: screen.zoomRequest ?? null});
	}, [zoomKey]);

	// A media file the media page wants (an image, a table): the session reads it, off the frame path.
	const mediaKey = screen.mediaRequest ? `${screen.mediaRequest.kind}:${screen.mediaRequest.path}` : '';
	useEffect(() => {
		if (screen.mediaRequest) onCommand({type: 'media', path: screen.mediaRequest.path, kind: screen.mediaRequest.kind});
	}, [mediaKey]);

	const handleKey = (input: string, key: Key) => {
		const current = uiRef.current;
		if (current.input) {
			if (key.ctrl && input === 'c') onCommand({type: 'quit'});
			else update(reduceUiInput(current, input, key));
			return;
		}
		const action = actionFor(input, key, keymap);
		if (action === null) return;
		// The machine view has no run: only the keys its footer offers act.
		if (frameRef.current.snap.machineView && !MACHINE_ACTIONS.has(action)) return;
		if (action === 'quit') return onCommand({type: 'quit'});
		if (action === 'backToRun') return onCommand({type: 'back'});
		if (action === 'pause') return onCommand({type: 'pause'});
		if (action === 'saveSettings') return update({...current, notice: onSaveSettings ? onSaveSettings(current) : 'no config file to save to here'});
		const shown = frameRef.current;
		const nav = navigation({snap: shown.snap, ui: current, columns: size.columns, rows: size.rows, now: shown.now, pulse: shown.pulse, colorDepth: depth, graphics});
		if (current.runsOpen && action === 'focus') {
			// The run under the cursor in the list as drawn (filtered by its query).
			const dir = nav.runDirs[current.runCursor];
			if (dir) onCommand({type: 'openRun', runDir: dir});
		}
		update(reduceUi(current, action, nav));
	};

	// The mouse: what the screen drew under the pointer, then the gesture's change to the UI state.
	const lastPress = useRef<{at: number; index: number} | null>(null);
	const handleMouse = (event: MouseEvent) => {
		const current = uiRef.current;
		const target = hitTest(screenRef.current, current, event.x, event.y);
		if (target === null || frameRef.current.snap.machineView) return;
		let gesture: MouseGesture;
		if (event.kind === 'wheelUp' || event.kind === 'wheelDown') gesture = event.kind;
		else if (event.kind === 'drag' && event.button === 0) gesture = 'drag';
		else if (event.kind === 'press' && event.button === 0) {
			const now = Date.now();
			const last = lastPress.current;
			const double = target.kind === 'chart' && last !== null && last.index === target.index && now - last.at <= DOUBLE_CLICK_MS;
			lastPress.current = target.kind === 'chart' && !double ? {at: now, index: target.index} : null;
			gesture = double ? 'doubleClick' : 'click';
		} else return;
		const shown = frameRef.current;
		const navFor = (ui: UiState) => navigation({snap: shown.snap, ui, columns: size.columns, rows: size.rows, now: shown.now, pulse: shown.pulse, colorDepth: depth, graphics});
		const next = reduceMouse(current, gesture, target, navFor);
		if (next !== current) update(next);
	};
	const mouseRef = useRef(handleMouse);
	mouseRef.current = handleMouse;
	useEffect(() => subscribeMouse?.(event => mouseRef.current(event)), [subscribeMouse]);

	useInput(
		(input, key) => {
			// A mouse report that reached Ink whole (the dashboard takes them out first): never a key.
			if (/^\u001B?\[<\d+;\d+;\d+[Mm]$/.test(input)) return;
			// A device attributes reply that came after wbtop stopped waiting for it (a slow link): never keys.
			if (/^\u001B?\[\?[\d;]*c$/.test(input)) return;
			// Several keys in one chunk (fast typing, tmux send-keys): handle each one.
			if (input.length > 1 && !key.ctrl && !key.meta) {
				for (const press of splitKeys(input)) handleKey(press.input, {...NO_KEY, ...press.key});
			} else handleKey(input, key);
		},
		{isActive: isRawModeSupported === true},
	);

	return <Screen lines={lines} />;
}
