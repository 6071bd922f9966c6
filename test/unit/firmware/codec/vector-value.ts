import { Simple, Tagged } from '../../../../firmware/codec/cbor.js';
import { fromHex } from '../../../../firmware/codec/bytes.js';

/** JSON form of a CBOR value used by test/vectors (see the "format" note in each vector file). */
export type VectorValue = null | boolean | number | string | VectorValue[] | { [key: string]: VectorValue };

/** Turns the JSON form of test/vectors into the JS value firmware/codec/cbor.ts decodes to. */
export function fromVectorValue(v: VectorValue): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(fromVectorValue);
  const kind = v.$;
  if (kind === undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromVectorValue(x);
    return out;
  }
  switch (kind) {
    case 'bigint': return BigInt(v.v as string);
    case 'float': return Number(v.v as string); // Number('-0') is -0, Number('NaN') is NaN
    case 'bytes': return fromHex(v.hex as string);
    case 'undefined': return undefined;
    case 'simple': return new Simple(v.value as number);
    case 'tag': return new Tagged(v.tag as number, fromVectorValue(v.value as VectorValue));
    case 'map': return new Map((v.entries as VectorValue[][]).map(([k, x]) => [fromVectorValue(k), fromVectorValue(x)]));
    default: throw new Error(`unknown vector kind ${String(kind)}`);
  }
}
