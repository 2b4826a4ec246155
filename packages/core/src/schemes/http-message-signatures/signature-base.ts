import { type ComponentId, ComponentError, type MessageContext, componentValue, sameComponent, serializeComponentId } from './components.js';
import { type Parameters, serializeInnerList } from './structured-field.js';

/**
 * @internal The `@signature-params` value (RFC 9421 §2.3): the covered components as an Inner List of Strings with
 * the signature parameters. It is also, byte for byte, the member value of Signature-Input.
 */
export function signatureParams(components: readonly ComponentId[], params: Parameters): string {
  return serializeInnerList({ items: components.map((id) => ({ value: id.name, params: id.params })), params });
}

/**
 * @internal The signature base (RFC 9421 §2.5): one `"identifier": value` line per covered component, in order,
 * then the `@signature-params` line, joined by LF with no final newline. `paramsValue` is the serialized Inner List,
 * as the signer wrote it or as the verifier re-serialized it from Signature-Input.
 */
export function signatureBase(components: readonly ComponentId[], paramsValue: string, message: MessageContext): string {
  const lines: string[] = [];
  components.forEach((id, index) => {
    if (components.slice(0, index).some((earlier) => sameComponent(earlier, id))) {
      throw new ComponentError(`${serializeComponentId(id)} is covered twice`);
    }
    const value = componentValue(id, message);
    if (/[\r\n]/.test(value)) throw new ComponentError(`${serializeComponentId(id)} has a value with a line break`);
    lines.push(`${serializeComponentId(id)}: ${value}`);
  });
  lines.push(`"@signature-params": ${paramsValue}`);
  const base = lines.join('\n');
  // RFC 9421 §2.5 step 4: the base is ASCII only (a non-ASCII field value must be covered with ;bs).
  if (!/^[\x00-\x7f]*$/.test(base)) throw new ComponentError('a covered value holds non-ASCII characters: cover that field with ;bs');
  return base;
}
