import { describe } from 'vitest';
import { describeFrameworkVerification } from './support/framework-cases.js';

describe('verifyFetchRequest behind a real server (@hono/node-server)', () => {
  describeFrameworkVerification('verifyFetchRequest');
});
