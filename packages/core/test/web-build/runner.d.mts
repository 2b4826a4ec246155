/** See runner.mjs. */
export declare const FIXED_NOW: number;

export interface KeySpec {
  text?: string;
  jwk?: Record<string, unknown>;
  cryptoKey?: { format: 'pkcs8' | 'raw'; data: string; algorithm: Record<string, unknown>; usages: string[] };
  signingKey?: { algorithm: string; cryptoKey: NonNullable<KeySpec['cryptoKey']> };
}

export interface WebBuildCase {
  name: string;
  make: string;
  keyOption: string;
  key?: KeySpec | undefined;
  options: Record<string, unknown>;
  request: { method: string; url: string; body?: string; origin?: string };
}

export type CaseResult = { headers: [Record<string, string>, Record<string, string>] } | { error: string; at: 'construction' | 'sign'; again?: string };

export declare function runCases(core: unknown, cases: readonly WebBuildCase[]): Promise<Record<string, CaseResult>>;
