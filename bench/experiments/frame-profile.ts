/** Frames under a profiler: `node --expose-gc --cpu-prof --import tsx bench/experiments/frame-profile.ts`. */
process.env.NODE_ENV = 'production';
const {frameBench} = await import('../frames.js');
const result = await frameBench(new URL('../out/profile-run', import.meta.url).pathname, {frames: Number(process.argv[2] ?? 400), stock: false});
console.log(JSON.stringify({changing: result.changing, clock: result.clockOnly, host: result.hostOnly}));
