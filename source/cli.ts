/**
 * wbtop's entry point. It only prepares the environment, then loads the real program: Ink decides
 * at import time whether it is "in CI" (any CI variable, even empty, turns live rendering off),
 * so a live dashboard must drop CI before Ink is loaded.
 */
const wantsLiveUi = !process.argv.some(arg => ['--once', '--check', '--line', 'export', '--help', '--version'].includes(arg));
if (wantsLiveUi && process.stdout.isTTY) {
	delete process.env.CI;
	delete process.env.CONTINUOUS_INTEGRATION;
}
const {main} = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
