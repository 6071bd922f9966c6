/** npm start: placeholder until the fleet demo lands; runs the single-node walk-through. */
await import('./single-node.js');
