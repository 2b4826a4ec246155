/** The subset of Node's Buffer that remote-key.ts and ecdsa.ts use, on plain Uint8Arrays (no node:buffer here). */
export const Buffer = {
  from(source: ArrayBufferLike | Uint8Array, offset?: number, length?: number): Uint8Array {
    return source instanceof Uint8Array ? new Uint8Array(source) : new Uint8Array(source, offset, length);
  },
  alloc(size: number): Uint8Array {
    return new Uint8Array(size);
  },
  isBuffer(value: unknown): boolean {
    return value instanceof Uint8Array;
  },
};
export type Buffer = Uint8Array;
