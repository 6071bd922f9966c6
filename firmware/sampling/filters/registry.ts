/**
 * FILTER_REGISTRY: config-as-data to classes (style item 9). A spec is a plain object tagged
 * by `type`; `parseFilterSpec` checks it (ERR_CONFIG_INVALID, with the field's path) and
 * `createFilter` builds the instance. Adding a filter = one file + one line here.
 */
import type { Filter, FilterType } from './filter.js';
import { ClampFilter, parseClampSpec, type ClampSpec } from './clamp.js';
import { EmaFilter, parseEmaSpec, type EmaSpec } from './ema.js';
import { LinearFilter, parseLinearSpec, type LinearSpec } from './linear.js';
import { MeanFilter, parseMeanSpec, type MeanSpec } from './mean.js';
import { MedianFilter, parseMedianSpec, type MedianSpec } from './median.js';
import { anArray, configError, specType } from '../validate.js';

export type FilterSpec = LinearSpec | ClampSpec | MedianSpec | MeanSpec | EmaSpec;

export interface FilterEntry {
  /** Checks a raw spec and returns a normalised copy (defaults filled in). */
  parse(raw: unknown, path: string): FilterSpec;
  /** Checks and builds. */
  create(raw: unknown, path: string): Filter;
}

function entry<S extends FilterSpec>(parse: (raw: unknown, path: string) => S, make: (spec: S, path: string) => Filter): FilterEntry {
  return Object.freeze({ parse, create: (raw: unknown, path: string) => make(parse(raw, path), path) });
}

export const FILTER_REGISTRY: Readonly<Record<FilterType, FilterEntry>> = Object.freeze({
  linear: entry(parseLinearSpec, (s, p) => new LinearFilter(s, p)),
  clamp: entry(parseClampSpec, (s, p) => new ClampFilter(s, p)),
  median: entry(parseMedianSpec, (s, p) => new MedianFilter(s, p)),
  mean: entry(parseMeanSpec, (s, p) => new MeanFilter(s, p)),
  ema: entry(parseEmaSpec, (s, p) => new EmaFilter(s, p)),
});

/** Longest filter chain per channel. */
export const MAX_FILTERS = 8;

function lookup(raw: unknown, path: string): FilterEntry {
  const type = specType(raw, path);
  if (!Object.prototype.hasOwnProperty.call(FILTER_REGISTRY, type)) {
    throw configError(`${path}.type`, `unknown filter "${type}" (known: ${Object.keys(FILTER_REGISTRY).join(', ')})`);
  }
  return FILTER_REGISTRY[type as FilterType];
}

export function parseFilterSpec(raw: unknown, path = 'filter'): FilterSpec {
  return lookup(raw, path).parse(raw, path);
}

export function createFilter(raw: FilterSpec | unknown, path = 'filter'): Filter {
  return lookup(raw, path).create(raw, path);
}

export function parseFilterChain(raw: unknown, path = 'filters'): FilterSpec[] {
  return anArray(raw, path, 0, MAX_FILTERS).map((spec, i) => parseFilterSpec(spec, `${path}[${i}]`));
}
