// Prints "N passed, N failed" from vitest's JSON report, plus one check per extra command (the demo, the bench
// smoke run). A test command that failed before vitest could report (install or build) counts as one failure, so
// a red run never reads green.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, testStatus, ...checks] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) failed += report.numFailedTestSuites;
  console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped in ${report.testResults.length} files`);
} else {
  console.log('vitest: no report (the build or the test command failed before the tests ran)');
}
if (testStatus !== '0' && failed === 0) failed += 1;
for (const check of checks) {
  const [name, status] = check.split('=');
  if (status === '0') passed += 1;
  else failed += 1;
  console.log(`${name}: ${status === '0' ? 'passed' : `failed (exit ${status})`}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
