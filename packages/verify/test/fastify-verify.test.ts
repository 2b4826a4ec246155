import { describe } from 'vitest';
import { describeFrameworkVerification } from './support/framework-cases.js';

describe('signetFastify on a real Fastify 5 server', () => {
  describeFrameworkVerification('Fastify');
});
