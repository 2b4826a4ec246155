import { describe } from 'vitest';
import { describeFrameworkVerification } from './support/framework-cases.js';

describe('signetHono behind a real server (@hono/node-server)', () => {
  describeFrameworkVerification('Hono');
});
