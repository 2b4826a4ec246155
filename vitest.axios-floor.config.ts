import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import workspace from './vitest.config.js';

// The whole @signet/axios suite against the lowest axios its peer range allows (`axios-lowest`, an npm alias in
// the root package.json): .ci/run runs it, so the range never claims a version no test has run on.
// The workspace's projects would run every package's tests (once per project); this run is the axios suite alone.
const shared = { ...workspace.test };
delete shared.projects;

export default defineConfig({
  resolve: {
    alias: [{ find: /^axios$/, replacement: fileURLToPath(new URL('./node_modules/axios-lowest/index.js', import.meta.url)) }, ...(workspace.resolve?.alias as [])],
  },
  test: {
    ...shared,
    include: ['packages/axios/test/**/*.test.ts'],
  },
});
