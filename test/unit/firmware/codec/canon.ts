import { Simple, Tagged } from '../../../../firmware/codec/cbor.js';
import { toHex } from '../../../../firmware/codec/bytes.js';

const TWO_64 = 2 ** 64;

/**
 * A canonical text form of a decoded CBOR value, so that values decoded by firmware/codec/cbor.ts
 * and by cbor-x compare equal when they mean the same CBOR data: integers compare by value
 * whether they are numbers or bigints, byte strings whatever their class (Buffer or
 * Uint8Array), maps by their entries in any order whether they are Maps or plain objects,
 * tags whether they are our Tagged or cbor-x's Tag.
 */
export function canon(x: unknown): string {
  switch (typeof x) {
    case 'number':
      if (Number.isInteger(x) && !Object.is(x, -0) && x < TWO_64 && x >= -TWO_64) return `i:${BigInt(x)}`;
      return `f:${Object.is(x, -0) ? '-0' : String(x)}`;
    case 'bigint':
      return `i:${x}`;
    case 'string':
      return JSON.stringify(x);
    case 'boolean':
    case 'undefined':
      return String(x);
    case 'object': {
      if (x === null) return 'null';
      if (x instanceof Uint8Array) return `h'${toHex(x)}'`;
      if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`;
      if (x instanceof Map) return `{${[...x].map(([k, v]) => `${canon(k)}:${canon(v)}`).sort().join(',')}}`;
      if (x instanceof Simple) return `simple(${x.value})`;
      if (x instanceof Tagged) return `${x.tag}(${canon(x.value)})`;
      const proto: unknown = Object.getPrototypeOf(x);
      if (proto === Object.prototype || proto === null) {
        return `{${Object.entries(x).map(([k, v]) => `${canon(k)}:${canon(v)}`).sort().join(',')}}`;
      }
      const t = x as { tag?: unknown; value?: unknown };
      if (x.constructor?.name === 'Tag' && typeof t.tag === 'number') return `${t.tag}(${canon(t.value)})`; // cbor-x Tag
      throw new Error(`canon: unexpected ${Object.prototype.toString.call(x)}`);
    }
    default:
      throw new Error(`canon: unexpected ${typeof x}`);
  }
}
