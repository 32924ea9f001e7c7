// Prints the plain closing line `tests: N passed, N failed` that CI harnesses read,
// after vitest's own summary (which they do not).
import type {Reporter, TestModule} from 'vitest/node';

export default class SummaryReporter implements Reporter {
	onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
		let passed = 0;
		let failed = 0;
		let skipped = 0;
		for (const module of testModules) {
			for (const test of module.children.allTests()) {
				const state = test.result().state;
				if (state === 'passed') passed++;
				else if (state === 'failed') failed++;
				else skipped++;
			}
		}
		const files = testModules.filter(m => m.state() === 'failed' && [...m.children.allTests()].length === 0).length;
		failed += files; // a file that failed to load counts as a failure
		process.stdout.write(`\ntests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '') + '\n');
	}
}
