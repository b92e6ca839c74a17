// socket.io across servers: the Redis streams adapter (@socket.io/redis-streams-adapter), so io.emit and
// room broadcasts reach the clients of every server (e.g. 'run:removed'), and io.fetchSockets() sees them all.
// Chosen over @socket.io/redis-adapter (pub/sub) because a stream keeps what was sent while a server was
// reconnecting to Redis: after a Redis restart a server reads on from its last offset instead of losing
// the broadcasts of that moment.
// Live deltas do NOT go through it: every server feeds its own store from the live stream and its hub
// pushes to its own clients (io.local), which is what lets any server answer a reconnecting client's
// `have` with exactly the rest. Broadcasting deltas through the adapter too would deliver each point once
// per server.
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { KEYS } from './redis.ts';
import { importPackage } from '../dynamic-import.ts';

export async function attachAdapter(io: Server, redis: Redis): Promise<void> {
  const { createAdapter } = await importPackage<typeof import('@socket.io/redis-streams-adapter')>('@socket.io/redis-streams-adapter');
  io.adapter(createAdapter(redis, { streamName: KEYS.io, maxLen: 10_000 }) as Parameters<Server['adapter']>[0]);
}
