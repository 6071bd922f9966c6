/**
 * The firmware core a node runs, as bundled for bench/core.bench.ts core.bundleBytes: config
 * validation, wiring and the wake cycle with everything they import (CBOR and SenML, sampling
 * pipelines, rules, planner). Ports are the host's and not counted.
 */
import { DEFAULT_NODE_CONFIG, validateNodeConfig } from '../../../firmware/node/config.js';
import { createNode } from '../../../firmware/node/node.js';
import { runWakeCycle } from '../../../firmware/node/wake-cycle.js';

(globalThis as Record<string, unknown>)['core'] = { createNode, runWakeCycle, validateNodeConfig, DEFAULT_NODE_CONFIG };
