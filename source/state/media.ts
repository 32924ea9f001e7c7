/**
 * The media the run logged, per key, for the media panel: which steps each key has (and the file
 * of each), the latest histograms (for the distribution and its heat strip over steps), and the
 * media files wbtop has read on request (image thumbnails, table previews). Bounded: a run logging
 * an image every step for a million steps keeps the last MAX_MEDIA_STEPS entries of that key.
 * Pure: the files are read by sources/media-reader.ts and arrive as `media-file` events.
 */
import type {MediaValue} from '../decode/run-events.js';
import type {MediaFile} from '../decode/media-file.js';

export type {MediaFile, TablePreview, Thumbnail} from '../decode/media-file.js';

/** Steps (with their files) kept per key: the latest ones. */
export const MAX_MEDIA_STEPS = 1000;
/** Histograms kept per key (the heat strip's columns): the latest ones. */
export const MAX_HISTOGRAMS = 48;
/** Histogram keys whose histograms are kept (the rest are counted, their history not kept). */
export const MAX_HISTOGRAM_KEYS = 1000;
/** Bins a kept histogram has at most: more are merged, neighbours summed, so counts stay exact. */
export const MAX_KEPT_BINS = 64;
/** Media files read (thumbnails, table previews) kept, the least recently asked for dropped first. */
export const MAX_MEDIA_FILES = 32;
/** Images whose full-resolution pixels (up to 1024 px a side, 3 MiB) are kept: the latest read; the others keep their thumbnail. */
export const MAX_FULL_IMAGES = 4;

/** One logged value of a key: its step and its file (relative to `files/`), or null. */
export type MediaEntry = {step: number | null; path: string | null};

/** One histogram as kept: counts, and edges (one more than counts). */
export type HistogramSample = {step: number | null; counts: Float64Array; edges: Float64Array};

/** A media key: its `_type`, how many were logged, the latest entries and histograms. */
export type MediaTrack = {
	key: string;
	kind: string;
	count: number;
	/** The last MAX_MEDIA_STEPS values, oldest first. */
	entries: MediaEntry[];
	/** The last MAX_HISTOGRAMS histograms, oldest first (histogram keys only). */
	histograms: HistogramSample[];
	/** The latest value's short description (`1200x500 png`, `64 bins`, `345x3 table`). */
	detail: string;
};

/** The run's media, as the panel shows it. */
export type MediaLog = {
	tracks: Map<string, MediaTrack>;
	/** Histograms not kept because MAX_HISTOGRAM_KEYS keys already had theirs. */
	droppedHistograms: number;
	/** Files read on request, by path (relative to `files/`), least recently set first. */
	files: Map<string, MediaFile>;
	/** Bumped on every change (the panel is memoized on it). */
	version: number;
};

export function initialMediaLog(): MediaLog {
	return {tracks: new Map(), droppedHistograms: 0, files: new Map(), version: 0};
}

/** A copy for a paused view (entries and samples are never changed once made, so they are shared). */
export function cloneMediaLog(log: MediaLog): MediaLog {
	return {
		tracks: new Map([...log.tracks].map(([key, track]) => [key, {...track, entries: [...track.entries], histograms: [...track.histograms]}])),
		droppedHistograms: log.droppedHistograms,
		files: new Map(log.files),
		version: log.version,
	};
}

/** Folds one media value of the history (`maxKeys`: the most keys kept, as for metrics). */
export function addMediaValue(log: MediaLog, key: string, value: MediaValue, step: number | null, maxKeys: number): void {
	let track = log.tracks.get(key);
	if (track === undefined) {
		if (log.tracks.size >= maxKeys) return;
		track = {key, kind: value.mediaType, count: 0, entries: [], histograms: [], detail: ''};
		log.tracks.set(key, track);
	}
	track.kind = value.mediaType;
	track.count++;
	track.detail = value.detail;
	track.entries.push({step, path: value.path});
	if (track.entries.length > MAX_MEDIA_STEPS) track.entries.shift();
	if (value.histogram) {
		if (track.histograms.length === 0 && histogramKeys(log) >= MAX_HISTOGRAM_KEYS) log.droppedHistograms++;
		else {
			track.histograms.push(keptHistogram(value.histogram.counts, value.histogram.edges, step));
			if (track.histograms.length > MAX_HISTOGRAMS) track.histograms.shift();
		}
	}
	log.version++;
}

function histogramKeys(log: MediaLog): number {
	let n = 0;
	for (const track of log.tracks.values()) if (track.histograms.length > 0) n++;
	return n;
}

/** A histogram with at most MAX_KEPT_BINS bins: neighbouring bins merged (counts summed, outer edges kept). */
export function keptHistogram(counts: readonly number[], edges: readonly number[], step: number | null): HistogramSample {
	const n = counts.length;
	const group = Math.ceil(n / MAX_KEPT_BINS);
	if (group <= 1) return {step, counts: Float64Array.from(counts), edges: Float64Array.from(edges)};
	const bins = Math.ceil(n / group);
	const kept = new Float64Array(bins);
	const keptEdges = new Float64Array(bins + 1);
	for (let i = 0; i < n; i++) kept[Math.floor(i / group)] += counts[i];
	for (let b = 0; b < bins; b++) keptEdges[b] = edges[b * group];
	keptEdges[bins] = edges[n];
	return {step, counts: kept, edges: keptEdges};
}

/** Stores what reading a media file gave (the oldest dropped past MAX_MEDIA_FILES). */
export function setMediaFile(log: MediaLog, path: string, file: MediaFile): void {
	log.files.delete(path);
	log.files.set(path, file);
	while (log.files.size > MAX_MEDIA_FILES) log.files.delete(log.files.keys().next().value as string);
	// Full-resolution pixels only for the latest images (the view asks again for one shown without).
	let full = 0;
	for (const [key, kept] of [...log.files].reverse()) {
		if (kept.kind !== 'image' || !kept.thumb.full) continue;
		if (++full > MAX_FULL_IMAGES) log.files.set(key, {kind: 'image', thumb: {...kept.thumb, full: null}});
	}
	log.version++;
}

/** Keys in the panel's order: by kind (images, histograms, tables, the rest), then by name. */
export function mediaTracks(log: MediaLog): MediaTrack[] {
	const rank = (kind: string) => (kind.startsWith('image') ? 0 : kind === 'histogram' ? 1 : kind.includes('table') ? 2 : 3);
	return [...log.tracks.values()].sort((a, b) => rank(a.kind) - rank(b.kind) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** How wide a histogram is: the largest |edge| and the count-weighted standard deviation of bin centres. */
export type HistogramSpread = {maxAbs: number; std: number; total: number};

export function histogramSpread(sample: HistogramSample): HistogramSpread {
	const {counts, edges} = sample;
	let maxAbs = 0;
	let total = 0;
	let sum = 0;
	for (let i = 0; i < counts.length; i++) {
		if (counts[i] > 0) maxAbs = Math.max(maxAbs, Math.abs(edges[i]), Math.abs(edges[i + 1]));
		const centre = (edges[i] + edges[i + 1]) / 2;
		total += counts[i];
		sum += counts[i] * centre;
	}
	const mean = total > 0 ? sum / total : 0;
	let variance = 0;
	for (let i = 0; i < counts.length; i++) {
		const centre = (edges[i] + edges[i + 1]) / 2;
		variance += counts[i] * (centre - mean) ** 2;
	}
	return {maxAbs, std: total > 0 ? Math.sqrt(variance / total) : 0, total};
}

/**
 * The `gradients/*` keys (wandb.watch) with their latest histogram, smallest first (by max |value|,
 * then spread): vanishing gradients are what people look for.
 */
export function gradientTracks(log: MediaLog): Array<{track: MediaTrack; spread: HistogramSpread}> {
	const out: Array<{track: MediaTrack; spread: HistogramSpread}> = [];
	for (const track of log.tracks.values()) {
		if (!track.key.startsWith('gradients/') || track.histograms.length === 0) continue;
		out.push({track, spread: histogramSpread(track.histograms[track.histograms.length - 1])});
	}
	return out.sort((a, b) => a.spread.maxAbs - b.spread.maxAbs || a.spread.std - b.spread.std || (a.track.key < b.track.key ? -1 : 1));
}
