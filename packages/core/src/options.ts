import { SignetError } from './errors.js';

/**
 * Reads an options object the one safe way: its own enumerable properties only, into an object with no prototype,
 * so that nothing set on `Object.prototype` (prototype pollution) can stand in for an option the caller did not
 * give. A key that is not among `known` is refused with `ERR_INVALID_OPTION` naming the closest known option: a
 * misspelled option silently ignored in plain JavaScript is how a signer ends up refused by every API call.
 *
 * `fn` names the function the caller called, for the message; `required` says what the object must hold.
 * @internal
 */
export function readOptions<T extends object>(options: unknown, fn: string, known: readonly (keyof T & string)[], required?: string): Partial<T> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs an options object${required === undefined ? '' : ` with ${required}`}.`);
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!known.includes(key as keyof T & string)) throw unknownOption(fn, key, known);
    out[key] = (options as Record<string, unknown>)[key];
  }
  return out as Partial<T>;
}

/**
 * The option names of `T`, from a record that must list every one of them and nothing else: adding an option to
 * the interface without adding it here fails to compile, so `readOptions` can never refuse a documented option.
 * @internal
 */
export function optionNames<T extends object>(names: Record<keyof T & string, true>): readonly (keyof T & string)[] {
  return Object.keys(names) as (keyof T & string)[];
}

/**
 * One property of `value`, only if it is its own: what a request object or a per-call init holds, never what
 * `Object.prototype` (polluted) would lend it. `undefined` for a missing property or a non-object `value`.
 * @internal
 */
export function ownValue(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** @internal The error for an option `fn` does not know, with the closest known name when one is close. */
export function unknownOption(fn: string, key: string, known: readonly string[]): SignetError {
  const shown = printable(key);
  const suggestion = closest(key, known);
  const hint = suggestion === undefined ? ` Known options: ${known.join(', ')}.` : ` Did you mean "${suggestion}"?`;
  return new SignetError('ERR_INVALID_OPTION', `${fn} has no option "${shown}".${hint}`);
}

/** A key as the user wrote it, cut short and stripped of control characters; a key is never a secret. */
function printable(key: string): string {
  const clean = key.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

// Names other libraries use for the same settings (jsonwebtoken, jose, axios): an edit distance cannot find these.
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  alg: ['algorithm'],
  kid: ['keyId'],
  keyid: ['keyId'],
  iss: ['issuer'],
  exp: ['expiresInSeconds'],
  secret: ['secretKey', 'secretWord', 'key'],
  key: ['privateKey', 'secretKey', 'secretWord'],
  origins: ['allowedOrigins'],
  clocktolerance: ['clockToleranceSeconds', 'clockSkew'],
};

/**
 * The known name nearest to `key`: a known synonym, a case-only difference, a small edit distance, or a prefix
 * relation (`expiresIn` for `expiresInSeconds` ranks above `clock` for `clockOffset`: an abbreviation is likelier
 * than an added suffix).
 */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const synonym = SYNONYMS[lower]?.find((name) => known.includes(name));
  if (synonym !== undefined) return synonym;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of known) {
    const candidate = name.toLowerCase();
    if (candidate === lower) return name;
    let score = editDistance(lower, candidate);
    const extra = Math.abs(candidate.length - lower.length) / 1000;
    if (lower.length >= 3 && candidate.startsWith(lower)) score = Math.min(score, 1 + extra);
    else if (lower.length >= 4 && lower.startsWith(candidate)) score = Math.min(score, 1.5 + extra);
    if (score < bestScore) {
      bestScore = score;
      best = name;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
