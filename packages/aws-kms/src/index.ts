/**
 * A Signet `SigningKey` held in AWS KMS.
 * @packageDocumentation
 */
export { awsKmsKey } from './aws-kms-key.js';
export type { AwsKmsCallOptions, AwsKmsKey, AwsKmsKeyOptions } from './aws-kms-key.js';
export { loadAwsKmsKey } from './load-aws-kms-key.js';
export type { LoadAwsKmsKeyOptions } from './load-aws-kms-key.js';
export { AWS_KMS_ALGORITHMS } from './algorithms.js';
export type { AwsKmsFailure } from './failure.js';
