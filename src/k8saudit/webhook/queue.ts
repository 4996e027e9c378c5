// The bounded queue between the webhook's request handlers and the detector: a ring of fixed capacity
// allocated once, each slot holding an event and the time its request arrived. Producers ask for room
// for a whole payload before adding any of it, so a payload is taken whole or refused whole.

export class BoundedQueue<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  private readonly times: Float64Array;
  private head = 0;
  private size = 0;
  /** The most items ever held at once. */
  highWater = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity ${capacity}`);
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity).fill(undefined);
    this.times = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Room left. */
  free(): number {
    return this.capacity - this.size;
  }

  /** Add one item stamped with `time`; false (and nothing added) when full. */
  push(item: T, time: number): boolean {
    if (this.size === this.capacity) return false;
    const at = (this.head + this.size) % this.capacity;
    this.items[at] = item;
    this.times[at] = time;
    this.size++;
    if (this.size > this.highWater) this.highWater = this.size;
    return true;
  }

  /** Remove the oldest item and give it with its time to `take`; false when empty. */
  shift(take: (item: T, time: number) => void): boolean {
    if (this.size === 0) return false;
    const at = this.head;
    const item = this.items[at] as T;
    const time = this.times[at];
    this.items[at] = undefined; // let the event be collected
    this.head = (at + 1) % this.capacity;
    this.size--;
    take(item, time);
    return true;
  }
}
