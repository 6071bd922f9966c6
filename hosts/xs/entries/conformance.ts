/**
 * XS entry of the conformance suite (test/conformance): runs one group of cases per call and
 * returns its results as CBOR bytes, which the test compares with the same group run on Node.
 */
import { GROUPS, runGroup } from '../../../test/conformance/cases.js';
import { serve } from '../guest/serve.js';

serve({
  groups: () => Object.keys(GROUPS),
  /** Proof that the other side is XS: it has print and no console. */
  engine: () => ({ print: typeof (globalThis as { print?: unknown }).print, console: typeof (globalThis as { console?: unknown }).console }),
  run: (args) => runGroup(String(args)),
});
