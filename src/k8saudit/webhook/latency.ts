// A latency histogram that costs one array increment per sample: log-linear buckets (each power of two
// of microseconds split into 16 steps, so any percentile is within 1/16 of the true value), fixed size,
// allocated once. Enough to report p50/p99 of evaluation latency without keeping samples.

const SUB_BUCKETS = 16;
const SUB_BITS = 4;
const MAX_POWER = 40; // 2^40 us: about 12 days, far beyond any latency worth telling apart

export class LatencyHistogram {
  private readonly counts = new Float64Array((MAX_POWER + 1) * SUB_BUCKETS);
  count = 0;
  maxMs = 0;
  private sumMs = 0;

  /** Record one latency in milliseconds. */
  record(ms: number): void {
    const us = ms > 0 ? ms * 1000 : 0;
    this.counts[bucketOf(us)]++;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The latency (ms) below which `q` (0..1) of the samples fall: the upper edge of its bucket. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      seen += this.counts[b];
      if (seen >= rank) return Math.min(upperEdgeUs(b) / 1000, this.maxMs);
    }
    return this.maxMs;
  }

  meanMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }
}

// Bucket b = power * 16 + step covers [2^power * (1 + step/16), 2^power * (1 + (step+1)/16)) us;
// everything below 1 us shares bucket 0.
function bucketOf(us: number): number {
  if (us < 1) return 0;
  const power = Math.min(MAX_POWER, Math.floor(Math.log2(us)));
  const base = 2 ** power;
  const step = Math.min(SUB_BUCKETS - 1, Math.floor(((us - base) / base) * SUB_BUCKETS));
  return (power << SUB_BITS) + step;
}

function upperEdgeUs(bucket: number): number {
  const power = bucket >> SUB_BITS;
  const step = bucket & (SUB_BUCKETS - 1);
  return 2 ** power * (1 + (step + 1) / SUB_BUCKETS);
}
