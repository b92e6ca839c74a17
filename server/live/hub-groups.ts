// The live hub's membership (hub.ts decides when to push): its clients, the subscription groups they
// share a buffer in, and which buffer, the group's or a private one, takes what is published for a client.
// Every item goes to exactly one of the two, so a client moving between them sees no gap and no duplicate.
// No timers, no I/O.
import type { SeriesDelta } from '../../shared/protocol.ts';
import { ClientBuffer } from './client-buffer.ts';
import { matches, NONE_KEY, type Client, type ClientSink, type Group } from './hub-model.ts';
import type { TagFilter } from './tag-filter.ts';

/** Whether the group's subscription takes points of this run. */
export function takesRun(g: Group, run: string): boolean {
  return g.runs !== null && (g.runs === '*' || g.runs.has(run));
}

export class HubGroups {
  readonly clients = new Map<string, Client>();
  readonly groups = new Map<string, Group>();

  /** A new client, in the group of clients with no subscription. */
  add(sink: ClientSink): void {
    const group = this.group(NONE_KEY, null, () => false, null);
    const c: Client = { sink, group, buffer: null, lastPushTick: -1 };
    group.shared.add(c);
    this.clients.set(sink.id, c);
  }

  /** The client, removed (undefined if unknown). */
  remove(id: string): Client | undefined {
    const c = this.clients.get(id);
    if (!c) return undefined;
    this.leave(c);
    this.clients.delete(id);
    return c;
  }

  /**
   * Moves the client to the group of `key` (`runs` null: no subscription), made if new. The client is
   * private with no series queued (the caller queues what it is owed); anything else queued stays.
   */
  regroup(c: Client, key: string, runs: Group['runs'], filter: TagFilter, kinds: Group['kinds']): ClientBuffer {
    const buffer = this.privatize(c);
    buffer.clearSeries(); // queued points may overlap what the caller queues next
    this.leave(c);
    c.group = this.group(key, runs, filter, kinds);
    c.buffer = buffer;
    return buffer;
  }

  /** Moves the client to the group of clients with no subscription (see regroup). */
  ungroup(c: Client): ClientBuffer {
    return this.regroup(c, NONE_KEY, null, () => false, null);
  }

  /**
   * Makes the client private, handing it whatever its group holds for the next tick (which it would
   * otherwise have received with the group).
   */
  privatize(c: Client): ClientBuffer {
    if (c.buffer) return c.buffer;
    const b = new ClientBuffer();
    if (c.group.shared.has(c)) {
      c.group.shared.delete(c);
      b.pushBuffer(c.group.buffer);
    }
    c.buffer = b;
    return b;
  }

  /** At a tick boundary, after the group's batch was taken: the client continues with its group. */
  rejoin(c: Client): void {
    c.buffer = null;
    c.group.shared.add(c);
  }

  /** Clients on their own buffer (backlog still draining or transport backed up). */
  privateClients(): Client[] {
    const list: Client[] = [];
    for (const c of this.clients.values()) if (c.buffer) list.push(c);
    return list;
  }

  /** Whether some client takes points of this run (of this kind, if given). */
  wants(run: string, kind?: SeriesDelta['kind']): boolean {
    for (const g of this.groups.values()) if (g.refs > 0 && takesRun(g, run) && (!kind || !g.kinds || g.kinds.has(kind))) return true;
    return false;
  }

  /**
   * Queues each delta once per group with members, and for each private client, where it matches the
   * subscription; `onPrivate` is called for each private client after its deltas. True if any was queued.
   */
  fanOut(deltas: readonly SeriesDelta[], onPrivate: (c: Client) => void): boolean {
    let queued = false;
    for (const g of this.groups.values()) {
      if (g.runs === null || g.shared.size === 0) continue;
      for (const d of deltas) {
        if (matches(g, d)) {
          g.buffer.pushSeries(d);
          queued = true;
        }
      }
    }
    for (const c of this.clients.values()) {
      if (!c.buffer) continue;
      for (const d of deltas) {
        if (matches(c.group, d)) {
          c.buffer.pushSeries(d);
          queued = true;
        }
      }
      onPrivate(c);
    }
    return queued;
  }

  /** `push` into the buffer of each group with members and of each private client whose group `wants` it. */
  queue(push: (b: ClientBuffer) => void, wants: (g: Group) => boolean = () => true): void {
    for (const g of this.groups.values()) if (g.shared.size > 0 && wants(g)) push(g.buffer);
    for (const c of this.clients.values()) if (c.buffer && wants(c.group)) push(c.buffer);
  }

  /** Drops anything queued for a removed run, in every buffer. */
  dropRun(run: string): void {
    for (const g of this.groups.values()) g.buffer.dropRun(run);
    for (const c of this.clients.values()) c.buffer?.dropRun(run);
  }

  clear(): void {
    this.clients.clear();
    this.groups.clear();
  }

  private group(key: string, runs: Group['runs'], filter: TagFilter, kinds: Group['kinds']): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { key, runs, filter, kinds, buffer: new ClientBuffer(), shared: new Set(), refs: 0 };
      this.groups.set(key, g);
    }
    g.refs++;
    return g;
  }

  private leave(c: Client): void {
    const g = c.group;
    g.shared.delete(c);
    if (--g.refs <= 0) this.groups.delete(g.key);
  }
}
