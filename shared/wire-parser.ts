// The socket.io parser both ends use: MessagePack frames instead of JSON text (a number costs 1-9 bytes
// instead of up to 24 characters), and a broadcast is still encoded once for every socket in it.
// socket.io-msgpack-parser gives the packet checks and the event emitter; encoding and decoding are ours
// (msgpack-encode.ts, msgpack-decode.ts): large doubles keep their value, names from outside stay own
// keys, and lengths are checked before allocating.
import { Decoder } from 'socket.io-msgpack-parser';
import { decodeMsgpack } from './msgpack-decode.ts';
import { encodeMsgpack } from './msgpack-encode.ts';

export class WireEncoder {
  /** One binary frame per packet (socket.io's Encoder contract: a list of frames). */
  encode(packet: unknown): Uint8Array[] {
    return [encodeMsgpack(packet)];
  }
}

export class WireDecoder extends Decoder {
  override add(chunk: unknown): void {
    if (typeof chunk === 'string') throw new Error('wire: a text frame on a MessagePack socket');
    const packet = decodeMsgpack(chunk as Uint8Array | ArrayBuffer);
    if (packet === null || typeof packet !== 'object' || Array.isArray(packet)) throw new Error('wire: a packet must be a map');
    this.checkPacket(packet);
    this.emit('decoded', packet);
  }
}

/** Pass as `parser` to socket.io's Server and to every socket.io-client `io()` call. */
export const wireParser = { Encoder: WireEncoder, Decoder: WireDecoder };
