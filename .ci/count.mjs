// Prints "N passed, N failed" from the real counts of every vitest run CI made (its JSON report) and of every
// other check (the demo, the bench smoke run). Each argument is either `name=status` (a check: one test) or
// `name=status=report.json` (a vitest run). A run that failed before vitest could report (install, build, a Node
// that could not be fetched) counts as one failure, so a red run never reads green.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const arg of process.argv.slice(2)) {
  const [name, status, reportPath] = arg.split('=');
  if (reportPath === undefined) {
    if (status === '0') passed += 1;
    else failed += 1;
    console.log(`${name}: ${status === '0' ? 'passed' : `failed (exit ${status})`}`);
    continue;
  }
  let runFailed = 0;
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests;
    runFailed += report.numFailedTests;
    // A file that failed to load has no failed test of its own: count it, or the run would read green.
    if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) runFailed += report.numFailedTestSuites;
    console.log(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped in ${report.testResults.length} files`);
  } else {
    console.log(`${name}: no report (the run failed before the tests ran)`);
  }
  if (status !== '0' && runFailed === 0) runFailed = 1;
  failed += runFailed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
