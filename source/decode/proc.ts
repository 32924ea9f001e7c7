/**
 * Pure parsers for Linux /proc text (/proc/stat, /proc/meminfo, /proc/net/dev, /proc/<pid>/stat)
 * and the rate arithmetic between two readings. Tested on captures in test/fixtures/proc/.
 */

/** Jiffy counters of one CPU line: busy and total time since boot. */
export type CpuTimes = {busy: number; total: number};

/** /proc/stat: the aggregate `cpu` line and each `cpuN` line (indexed by N). */
export type ProcStat = {total: CpuTimes; cores: Array<CpuTimes | undefined>};

/** Parses /proc/stat. Offline cores have no line, so `cores` may have holes. */
export function parseProcStat(text: string): ProcStat | null {
	let total: CpuTimes | null = null;
	const cores: Array<CpuTimes | undefined> = [];
	for (const line of text.split('\n')) {
		if (!line.startsWith('cpu')) continue;
		const [label, ...rest] = line.trim().split(/\s+/);
		// user nice system idle iowait irq softirq steal (guest/guest_nice are already inside user/nice).
		const v = rest.slice(0, 8).map(Number);
		if (v.length < 4 || v.some(n => !Number.isFinite(n))) continue;
		const all = v.reduce((a, b) => a + b, 0);
		const idle = v[3]! + (v[4] ?? 0);
		const times = {busy: all - idle, total: all};
		if (label === 'cpu') total = times;
		else {
			const n = Number(label!.slice(3));
			if (Number.isInteger(n)) cores[n] = times;
		}
	}
	return total ? {total, cores} : null;
}

/** Busy percent between two readings of one CPU, or null when unknown (no time passed, counter reset). */
export function cpuPercent(prev: CpuTimes | undefined, next: CpuTimes | undefined): number | null {
	if (!prev || !next) return null;
	const dTotal = next.total - prev.total;
	const dBusy = next.busy - prev.busy;
	if (dTotal <= 0 || dBusy < 0) return null;
	return Math.min(100, Math.max(0, (dBusy / dTotal) * 100));
}

/** CPU total and per-core percent between two /proc/stat readings. */
export function cpuUsage(prev: ProcStat, next: ProcStat): {totalPct: number | null; perCorePct: Array<number | null>} {
	const perCorePct: Array<number | null> = [];
	for (let i = 0; i < next.cores.length; i++) perCorePct.push(cpuPercent(prev.cores[i], next.cores[i]));
	return {totalPct: cpuPercent(prev.total, next.total), perCorePct};
}

/** Memory and swap in bytes from /proc/meminfo. */
export type MemInfo = {usedBytes: number | null; totalBytes: number | null; swapUsedBytes: number | null; swapTotalBytes: number | null};

/**
 * Parses /proc/meminfo. "Used" is MemTotal − MemAvailable (what `free` and htop call used: page
 * cache that can be dropped is not counted).
 */
export function parseMeminfo(text: string): MemInfo {
	const kb = new Map<string, number>();
	for (const line of text.split('\n')) {
		const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
		if (m) kb.set(m[1]!, Number(m[2]) * 1024);
	}
	const total = kb.get('MemTotal') ?? null;
	// Kernels before 3.14 have no MemAvailable: approximate it as free + buffers + cache.
	const available =
		kb.get('MemAvailable') ??
		(kb.has('MemFree') ? kb.get('MemFree')! + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0) : null);
	const swapTotal = kb.get('SwapTotal') ?? null;
	const swapFree = kb.get('SwapFree') ?? null;
	return {
		totalBytes: total,
		usedBytes: total !== null && available !== null ? Math.max(0, total - available) : null,
		swapTotalBytes: swapTotal,
		swapUsedBytes: swapTotal !== null && swapFree !== null ? Math.max(0, swapTotal - swapFree) : null,
	};
}

/**
 * Interfaces left out of the network total: loopback, and virtual ones whose traffic is already
 * counted on a physical interface (container veth pairs, bridges and ifb traffic-shaping
 * mirrors would double-count it).
 */
export function isCountedInterface(name: string): boolean {
	return !/^(lo|veth|docker|br-|virbr|cni|flannel|cali|vxlan|ifb)/.test(name);
}

/** Byte counters of /proc/net/dev summed over the counted interfaces. */
export type NetCounters = {rxBytes: number; txBytes: number; interfaces: string[]};

/** Parses /proc/net/dev (two header lines, then `iface: rx_bytes … (8 rx fields) tx_bytes …`). */
export function parseNetDev(text: string): NetCounters {
	let rxBytes = 0;
	let txBytes = 0;
	const interfaces: string[] = [];
	for (const line of text.split('\n')) {
		const colon = line.indexOf(':');
		if (colon < 0) continue;
		const name = line.slice(0, colon).trim();
		if (name === '' || name.includes('|') || !isCountedInterface(name)) continue;
		// Old kernels glue a large rx count to the colon ("eth0:123456"); splitting after it copes.
		const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
		if (v.length < 9 || !Number.isFinite(v[0]) || !Number.isFinite(v[8])) continue;
		rxBytes += v[0]!;
		txBytes += v[8]!;
		interfaces.push(name);
	}
	return {rxBytes, txBytes, interfaces};
}

/**
 * Bytes per second between two counter readings `seconds` apart; null when unknown (no time passed,
 * or a counter went backwards because an interface went away or was reset).
 */
export function ratePerSec(prev: number, next: number, seconds: number): number | null {
	if (!(seconds > 0) || next < prev) return null;
	return (next - prev) / seconds;
}

/** The parent pid from /proc/<pid>/stat text, or null. The comm field may hold spaces and ')'. */
export function parseStatPpid(text: string): number | null {
	const close = text.lastIndexOf(')');
	if (close < 0) return null;
	// After "pid (comm) ": state ppid ...
	const fields = text.slice(close + 2).split(' ');
	const ppid = Number(fields[1]);
	return Number.isInteger(ppid) ? ppid : null;
}
