/** Randomness for jitter and ids; injected so that simulations replay deterministically. */
export interface RandomPort {
  /** Uniform in [0, 1). */
  next(): number;
}
