// The CloudFront Functions runtime on QuickJS: what CloudFront provides and QuickJS lacks, and what
// QuickJS has and CloudFront forbids. Evaluated in every fresh context before the function's own code.
// Sources: "JavaScript runtime 2.0 features for CloudFront Functions", "JavaScript runtime 1.0 features",
// "Helper methods for key value stores" (CloudFront developer guide).
//
// Everything here is plain JS, hashing included: the engine refuses calls into Python while a time limit
// is set. The host (cf_functions.py) sets __lc_runtime and, for a KeyValueStore, __lc_kvs (an object)
// before this runs; it reads the globals __lc_run and __lc_logs before the function's code runs and
// removes them.
//
// The file is in sections (`//#section name`). The host sends only those the function's code names
// (crypto, querystring, Buffer, TextEncoder, cloudfront, ...) plus the core and `run`: parsing all of it
// costs ~2.5 ms a context, most of a call. Sections share the enclosing function's scope.
(function () {
  'use strict';
  const G = globalThis;
  const host = { runtime: G.__lc_runtime, kvs: G.__lc_kvs, logs: [] };
  delete G.__lc_runtime;
  delete G.__lc_kvs;
  const V2 = host.runtime === 'cloudfront-js-2.0';
  const stringify = JSON.stringify;

  // --- Restricted features: no dynamic code, no high-resolution or blocking timers, a frozen clock. ---
  const noDynamicCode = function () {
    throw new EvalError('Dynamic code evaluation is not supported');
  };
  for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    Object.defineProperty(Object.getPrototypeOf(fn), 'constructor', { value: noDynamicCode });
  }
  noDynamicCode.prototype = Function.prototype; // so `f instanceof Function` still holds
  G.Function = noDynamicCode;
  G.eval = noDynamicCode;
  for (const name of ['performance', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry', 'queueMicrotask']) {
    delete G[name];
  }
  if (!V2) {
    delete G.atob; // atob() and btoa() are new in runtime 2.0
    delete G.btoa;
  }
  // "Date always returns the same value—the function's start time—during the lifetime of a single run."
  const RealDate = Date;
  const started = RealDate.now();
  function FrozenDate(...args) {
    if (!new.target) return new RealDate(started).toString();
    return args.length ? new RealDate(...args) : new RealDate(started);
  }
  FrozenDate.prototype = RealDate.prototype;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: FrozenDate });
  FrozenDate.now = () => started;
  FrozenDate.parse = RealDate.parse;
  FrozenDate.UTC = RealDate.UTC;
  G.Date = FrozenDate;

  // console.log only; CloudFront truncates a function's logs at 10 KB (the host does).
  G.console = { log: (...parts) => void host.logs.push(parts.map((p) => (typeof p === 'string' ? p : stringify(p))).join(' ')) };

  const modules = {};
  let Buffer; // set by the buffer section, when the code needs it

//#section bytes
  // --- Bytes and encodings ---
  const HEX = '0123456789abcdef';
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const toHex = (bytes) => {
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
    return out;
  };
  const fromHex = (text) => {
    const out = [];
    for (let i = 0; i + 1 < text.length; i += 2) {
      const byte = parseInt(text.substr(i, 2), 16);
      if (Number.isNaN(byte)) break;
      out.push(byte);
    }
    return out;
  };
  const toBase64 = (bytes, url) => {
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.length ? B64[n & 63] : '=';
    }
    return url ? out.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : out;
  };
  const fromBase64 = (text) => {
    const clean = String(text).replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
    const out = [];
    let bits = 0;
    let acc = 0;
    for (const ch of clean) {
      acc = (acc << 6) | B64.indexOf(ch);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 255);
      }
    }
    return out;
  };
  const utf8Encode = (text) => {
    const out = [];
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder does
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  };
  const utf8Decode = (bytes, fatal) => {
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i];
      const need = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf5 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
      let c = need === 0 ? b : need === 1 ? b & 31 : need === 2 ? b & 15 : b & 7;
      let ok = need >= 0 && i + need < bytes.length + (need === 0 ? 1 : 0);
      for (let k = 1; ok && k <= need; k++) {
        if ((bytes[i + k] & 0xc0) !== 0x80) ok = false;
        else c = (c << 6) | (bytes[i + k] & 63);
      }
      if (!ok || (need === 2 && c < 0x800) || (need === 3 && (c < 0x10000 || c > 0x10ffff))) {
        if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8');
        out += '\ufffd';
        i++;
        continue;
      }
      out += String.fromCodePoint(c);
      i += need + 1;
    }
    return out;
  };
  const latin1 = (bytes) => {
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
    return out;
  };
  const ENCODINGS = ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii'];
  const encode = (text, encoding) => {
    const enc = String(encoding || 'utf8').toLowerCase();
    if (enc === 'hex') return fromHex(text);
    if (enc === 'base64' || enc === 'base64url') return fromBase64(text);
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return Array.from(text, (ch) => ch.charCodeAt(0) & 255);
    if (enc === 'utf8' || enc === 'utf-8') return utf8Encode(text);
    throw new TypeError(`Unknown encoding: ${encoding}`);
  };
  const decode = (bytes, encoding) => {
    const enc = String(encoding || 'utf8').toLowerCase();
    if (enc === 'hex') return toHex(bytes);
    if (enc === 'base64') return toBase64(bytes, false);
    if (enc === 'base64url') return toBase64(bytes, true);
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return latin1(bytes);
    if (enc === 'utf8' || enc === 'utf-8') return utf8Decode(bytes, false);
    throw new TypeError(`Unknown encoding: ${encoding}`);
  };

//#section buffer
  // --- Buffer (runtime 2.0): a Uint8Array with Node's helpers, for the documented subset. ---
  Buffer = class Buffer extends Uint8Array {
    static alloc(size, fill, encoding) {
      const buf = new Buffer(size);
      if (fill !== undefined && fill !== 0) buf.fill(fill, 0, size, encoding);
      return buf;
    }
    static allocUnsafe(size) {
      return new Buffer(size);
    }
    static from(value, offsetOrEncoding, length) {
      if (typeof value === 'string') return Buffer.of(...encode(value, offsetOrEncoding));
      if (value instanceof ArrayBuffer) return new Buffer(value, offsetOrEncoding || 0, length);
      if (ArrayBuffer.isView(value)) return Buffer.of(...new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (Array.isArray(value)) return Buffer.of(...value.map((n) => n & 255));
      if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
      if (value && value.valueOf && value.valueOf() !== value) return Buffer.from(value.valueOf(), offsetOrEncoding, length);
      throw new TypeError('The first argument must be a string, Buffer, ArrayBuffer, Array, or array-like object');
    }
    static byteLength(value, encoding) {
      return typeof value === 'string' ? encode(value, encoding).length : value.byteLength;
    }
    static compare(a, b) {
      return a.compare(b);
    }
    static concat(list, totalLength) {
      const total = totalLength === undefined ? list.reduce((n, b) => n + b.length, 0) : totalLength;
      const out = Buffer.alloc(total);
      let at = 0;
      for (const b of list) {
        if (at >= total) break;
        out.set(b.subarray(0, total - at), at);
        at += Math.min(b.length, total - at);
      }
      return out;
    }
    static isBuffer(value) {
      return value instanceof Buffer;
    }
    static isEncoding(encoding) {
      return ENCODINGS.includes(String(encoding).toLowerCase());
    }
    toString(encoding, start, end) {
      return decode(this.subarray(start || 0, end === undefined ? this.length : end), encoding);
    }
    toJSON() {
      return { type: 'Buffer', data: Array.from(this) };
    }
    equals(other) {
      return this.compare(other) === 0;
    }
    compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
      const a = this.subarray(sourceStart, sourceEnd);
      const b = target.subarray(targetStart, targetEnd);
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
    }
    copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      const part = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
      target.set(part, targetStart);
      return part.length;
    }
    fill(value, offset = 0, end = this.length, encoding) {
      if (typeof offset === 'string') [encoding, offset, end] = [offset, 0, this.length];
      if (typeof value === 'number') return super.fill(value & 255, offset, end);
      const bytes = typeof value === 'string' ? encode(value, encoding) : Array.from(value);
      if (!bytes.length) return super.fill(0, offset, end);
      for (let i = offset; i < end; i++) this[i] = bytes[(i - offset) % bytes.length];
      return this;
    }
    write(string, offset = 0, length = this.length - offset, encoding) {
      if (typeof offset === 'string') [encoding, offset, length] = [offset, 0, this.length];
      const bytes = encode(string, encoding).slice(0, Math.min(length, this.length - offset));
      this.set(bytes, offset);
      return bytes.length;
    }
    indexOf(value, byteOffset = 0, encoding) {
      if (typeof value === 'number') return super.indexOf(value, byteOffset);
      const needle = typeof value === 'string' ? encode(value, encoding) : Array.from(value);
      for (let i = byteOffset < 0 ? this.length + byteOffset : byteOffset; i + needle.length <= this.length; i++) {
        if (needle.every((b, k) => this[i + k] === b)) return i;
      }
      return -1;
    }
    lastIndexOf(value, byteOffset = this.length, encoding) {
      const needle = typeof value === 'number' ? [value] : typeof value === 'string' ? encode(value, encoding) : Array.from(value);
      for (let i = Math.min(byteOffset, this.length - needle.length); i >= 0; i--) {
        if (needle.every((b, k) => this[i + k] === b)) return i;
      }
      return -1;
    }
    includes(value, byteOffset, encoding) {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    }
    subarray(start, end) {
      const view = Uint8Array.prototype.subarray.call(this, start, end);
      return new Buffer(view.buffer, view.byteOffset, view.length);
    }
    slice(start, end) {
      return this.subarray(start, end);
    }
    readIntBE(offset, byteLength) {
      return this.readIntLE(offset, byteLength, true);
    }
    readIntLE(offset, byteLength, bigEndian) {
      const n = this.readUIntLE(offset, byteLength, bigEndian);
      return n >= 2 ** (8 * byteLength - 1) ? n - 2 ** (8 * byteLength) : n;
    }
    readUIntBE(offset, byteLength) {
      return this.readUIntLE(offset, byteLength, true);
    }
    readUIntLE(offset, byteLength, bigEndian) {
      let n = 0;
      for (let k = 0; k < byteLength; k++) n += this[offset + (bigEndian ? byteLength - 1 - k : k)] * 2 ** (8 * k);
      return n;
    }
    writeIntBE(value, offset, byteLength) {
      return this.writeUIntLE(value < 0 ? value + 2 ** (8 * byteLength) : value, offset, byteLength, true);
    }
    writeIntLE(value, offset, byteLength) {
      return this.writeUIntLE(value < 0 ? value + 2 ** (8 * byteLength) : value, offset, byteLength);
    }
    writeUIntBE(value, offset, byteLength) {
      return this.writeUIntLE(value, offset, byteLength, true);
    }
    writeUIntLE(value, offset, byteLength, bigEndian) {
      for (let k = 0; k < byteLength; k++) {
        this[offset + (bigEndian ? byteLength - 1 - k : k)] = Math.floor(value / 2 ** (8 * k)) & 255;
      }
      return offset + byteLength;
    }
    swap16() {
      return this._swap(2);
    }
    swap32() {
      return this._swap(4);
    }
    swap64() {
      return this._swap(8);
    }
    _swap(size) {
      if (this.length % size) throw new RangeError(`Buffer size must be a multiple of ${size * 8}-bits`);
      for (let i = 0; i < this.length; i += size) this.set(this.subarray(i, i + size).reverse(), i);
      return this;
    }
  };
  // readUInt16LE, writeInt32BE, readDoubleLE, ...: DataView does the arithmetic.
  const view = (buf) => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const numeric = { Int8: 1, UInt8: 1, Int16: 2, UInt16: 2, Int32: 4, UInt32: 4, Float: 4, Double: 8 };
  for (const [type, size] of Object.entries(numeric)) {
    const dv = type === 'Float' ? 'Float32' : type === 'Double' ? 'Float64' : type.replace('UInt', 'Uint');
    for (const order of size === 1 ? [''] : ['LE', 'BE']) {
      const little = order === 'LE';
      Buffer.prototype[`read${type}${order}`] = function (offset = 0) {
        return view(this)[`get${dv}`](offset, little);
      };
      Buffer.prototype[`write${type}${order}`] = function (value, offset = 0) {
        view(this)[`set${dv}`](offset, value, little);
        return offset + size;
      };
    }
  }

  if (V2) {
    modules.buffer = { Buffer };
    G.Buffer = Buffer;
  }

//#section crypto
  // --- crypto: createHash and createHmac with md5, sha1 and sha256 (the three CloudFront offers). ---
  // Each hash takes and returns an array of bytes. The round constants are derived as the standards
  // define them (roots of primes, sines), which a test checks against Python's hashlib.
  const rol = (x, n) => (x << n) | (x >>> (32 - n));
  const ror = (x, n) => (x >>> n) | (x << (32 - n));
  const pad = (bytes, littleEndian) => {
    const out = bytes.slice();
    const bits = bytes.length * 8;
    out.push(0x80);
    while (out.length % 64 !== 56) out.push(0);
    const length = [];
    for (let k = 0; k < 8; k++) length.push(Math.floor(bits / 2 ** (8 * k)) & 255);
    return out.concat(littleEndian ? length : length.reverse());
  };
  const wordsToBytes = (words, littleEndian) => {
    const out = [];
    for (const w of words) for (let k = 0; k < 4; k++) out.push((w >>> (littleEndian ? 8 * k : 24 - 8 * k)) & 255);
    return out;
  };
  const wordAt = (m, i) => (m[i] << 24) | (m[i + 1] << 16) | (m[i + 2] << 8) | m[i + 3];
  const PRIMES = [];
  for (let n = 2; PRIMES.length < 64; n++) if (PRIMES.every((p) => n % p)) PRIMES.push(n);
  const frac32 = (x) => Math.floor((x - Math.floor(x)) * 2 ** 32) | 0;
  const K256 = PRIMES.map((p) => frac32(Math.cbrt(p)));
  const H256 = PRIMES.slice(0, 8).map((p) => frac32(Math.sqrt(p)));
  const sha256 = (bytes) => {
    const m = pad(bytes, false);
    const H = H256.slice();
    const W = new Array(64);
    for (let off = 0; off < m.length; off += 64) {
      for (let t = 0; t < 64; t++) {
        if (t < 16) W[t] = wordAt(m, off + 4 * t);
        else {
          const s0 = ror(W[t - 15], 7) ^ ror(W[t - 15], 18) ^ (W[t - 15] >>> 3);
          const s1 = ror(W[t - 2], 17) ^ ror(W[t - 2], 19) ^ (W[t - 2] >>> 10);
          W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
        }
      }
      let [a, b, c, d, e, f, g, h] = H;
      for (let t = 0; t < 64; t++) {
        const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K256[t] + W[t]) | 0;
        const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
      }
      [a, b, c, d, e, f, g, h].forEach((v, i) => (H[i] = (H[i] + v) | 0));
    }
    return wordsToBytes(H, false);
  };
  const sha1 = (bytes) => {
    const m = pad(bytes, false);
    const H = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const W = new Array(80);
    for (let off = 0; off < m.length; off += 64) {
      for (let t = 0; t < 80; t++) W[t] = t < 16 ? wordAt(m, off + 4 * t) : rol(W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16], 1);
      let [a, b, c, d, e] = H;
      for (let t = 0; t < 80; t++) {
        const [f, k] = t < 20 ? [(b & c) | (~b & d), 0x5a827999] : t < 40 ? [b ^ c ^ d, 0x6ed9eba1] : t < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc] : [b ^ c ^ d, 0xca62c1d6];
        [e, d, c, b, a] = [d, c, rol(b, 30), a, (rol(a, 5) + f + e + k + W[t]) | 0];
      }
      [a, b, c, d, e].forEach((v, i) => (H[i] = (H[i] + v) | 0));
    }
    return wordsToBytes(H, false);
  };
  const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const md5 = (bytes) => {
    const m = pad(bytes, true);
    const H = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let off = 0; off < m.length; off += 64) {
      const M = Array.from({ length: 16 }, (_, i) => m[off + 4 * i] | (m[off + 4 * i + 1] << 8) | (m[off + 4 * i + 2] << 16) | (m[off + 4 * i + 3] << 24));
      let [a, b, c, d] = H;
      for (let i = 0; i < 64; i++) {
        const round = i >> 4;
        const f = round === 0 ? (b & c) | (~b & d) : round === 1 ? (d & b) | (~d & c) : round === 2 ? b ^ c ^ d : c ^ (b | ~d);
        const g = round === 0 ? i : round === 1 ? (5 * i + 1) % 16 : round === 2 ? (3 * i + 5) % 16 : (7 * i) % 16;
        [a, d, c, b] = [d, c, b, (b + rol((a + f + MD5_K[i] + M[g]) | 0, MD5_S[round * 4 + (i % 4)])) | 0];
      }
      [a, b, c, d].forEach((v, i) => (H[i] = (H[i] + v) | 0));
    }
    return wordsToBytes(H, true);
  };
  const HASHES = { md5, sha1, sha256 };
  const hmacOf = (hash, key, data) => {
    let k = key.length > 64 ? hash(key) : key.slice();
    while (k.length < 64) k.push(0);
    const inner = hash(k.map((b) => b ^ 0x36).concat(data));
    return hash(k.map((b) => b ^ 0x5c).concat(inner));
  };
  const bytesOf = (data, encoding) => (typeof data === 'string' ? encode(data, encoding) : Array.from(new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength)));
  class Digest {
    constructor(algorithm, key) {
      const name = String(algorithm).toLowerCase();
      if (!Object.prototype.hasOwnProperty.call(HASHES, name)) throw new Error(`Digest method not supported: ${algorithm}`);
      this.hash = HASHES[name];
      this.key = key === undefined ? null : bytesOf(key);
      this.data = [];
    }
    update(data, encoding) {
      if (this.data === null) throw new Error('Digest already called');
      for (const b of bytesOf(data, encoding)) this.data.push(b);
      return this;
    }
    digest(encoding) {
      if (this.data === null) throw new Error('Digest already called');
      const bytes = this.key === null ? this.hash(this.data) : hmacOf(this.hash, this.key, this.data);
      this.data = null;
      if (encoding) return decode(bytes, encoding);
      // No encoding: a Buffer in runtime 2.0, a byte string in 1.0.
      return V2 ? Buffer.from(bytes) : latin1(bytes);
    }
  }
  modules.crypto = {
    createHash: (algorithm) => new Digest(algorithm),
    createHmac: (algorithm, key) => new Digest(algorithm, key),
  };

//#section querystring
  // --- querystring: Node's parse/stringify/escape/unescape. ---
  // Node's unescape: decodeURIComponent, or byte by byte (invalid UTF-8 becoming U+FFFD) when that throws.
  const unescape = (text) => {
    try {
      return decodeURIComponent(text);
    } catch (err) {
      const bytes = [];
      for (const [, hex, ch] of String(text).matchAll(/%([0-9a-fA-F]{2})|([\s\S][\udc00-\udfff]?)/g)) {
        if (hex) bytes.push(parseInt(hex, 16));
        else bytes.push(...utf8Encode(ch));
      }
      return utf8Decode(bytes, false);
    }
  };
  const escape = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const querystring = (modules.querystring = {
    escape,
    unescape,
    parse(text, sep = '&', eq = '=', options = {}) {
      const out = {};
      const decodeComponent = options.decodeURIComponent || querystring.unescape;
      const maxKeys = options.maxKeys === undefined ? 1000 : options.maxKeys;
      let count = 0;
      for (const pair of String(text || '').split(sep)) {
        if (!pair || (maxKeys > 0 && count >= maxKeys)) continue;
        const at = pair.indexOf(eq);
        const key = decodeComponent((at < 0 ? pair : pair.slice(0, at)).replace(/\+/g, ' '));
        const value = at < 0 ? '' : decodeComponent(pair.slice(at + eq.length).replace(/\+/g, ' '));
        if (Object.prototype.hasOwnProperty.call(out, key)) out[key] = [].concat(out[key], value);
        else {
          out[key] = value;
          count++;
        }
      }
      return out;
    },
    stringify(object, sep = '&', eq = '=', options = {}) {
      const encodeComponent = options.encodeURIComponent || querystring.escape;
      const part = (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? encodeComponent(String(v)) : '');
      return Object.keys(object || {})
        .map((key) => [].concat(object[key]).map((v) => encodeComponent(key) + eq + part(v)).join(sep))
        .filter(Boolean)
        .join(sep);
    },
  });
  querystring.decode = querystring.parse;
  querystring.encode = querystring.stringify;

//#section cloudfront
  // --- cloudfront (runtime 2.0): kvs() for the associated KeyValueStore. ---
  const created = new RealDate(started).toISOString();
  modules.cloudfront = {
    kvs() {
      const store = host.kvs;
      if (!store) throw new Error('No KeyValueStore is associated with this function');
      const has = (key) => Object.prototype.hasOwnProperty.call(store, String(key));
      return {
        async get(key, options = {}) {
          if (!has(key)) throw new Error(`The key ${key} does not exist in the KeyValueStore`);
          const value = store[String(key)];
          const format = options.format || 'string';
          if (format === 'json') return JSON.parse(value);
          if (format === 'bytes') return Buffer.from(value);
          return value;
        },
        async exists(key) {
          return has(key);
        },
        async meta() {
          return { creationDateTime: created, lastUpdatedDateTime: created, keyCount: Object.keys(store).length };
        },
      };
    },
    logCustomData(text) {
      host.logs.push(String(text));
    },
  };

//#section text
  G.TextEncoder = class TextEncoder {
    get encoding() {
      return 'utf-8';
    }
    encode(text = '') {
      return Uint8Array.from(utf8Encode(String(text)));
    }
    encodeInto(text, target) {
      const bytes = utf8Encode(String(text)).slice(0, target.length);
      target.set(bytes);
      return { read: String(text).length, written: bytes.length };
    }
  };
  G.TextDecoder = class TextDecoder {
    constructor(label = 'utf-8', options = {}) {
      if (!['utf-8', 'utf8'].includes(String(label).toLowerCase())) throw new RangeError(`The "${label}" encoding is not supported`);
      this._fatal = Boolean(options.fatal);
      this._ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() {
      return 'utf-8';
    }
    get fatal() {
      return this._fatal;
    }
    get ignoreBOM() {
      return this._ignoreBOM;
    }
    decode(input) {
      if (input === undefined) return '';
      let bytes = Array.from(new Uint8Array(input.buffer || input, input.byteOffset || 0, input.byteLength));
      if (!this._ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.slice(3);
      return utf8Decode(bytes, this._fatal);
    }
  };

//#section v1strings
  // Runtime 1.0's nonstandard byte-string helpers (removed in 2.0).
  const own = (name, fn) => Object.defineProperty(String.prototype, name, { value: fn, writable: true, configurable: true });
  own('bytesFrom', function (data, encoding) {
    return latin1(typeof data === 'string' ? encode(data, encoding) : Array.from(data));
  });
  own('fromBytes', function (start, end) {
    return this.slice(start, end);
  });
  own('toBytes', function (start, end) {
    const text = this.slice(start, end);
    return /[^\x00-\xff]/.test(text) ? null : text;
  });
  own('toUTF8', function (start, end) {
    return latin1(utf8Encode(this.slice(start, end)));
  });
  own('fromUTF8', function (start, end) {
    try {
      return utf8Decode(Array.from(this.slice(start, end), (ch) => ch.charCodeAt(0)), true);
    } catch (err) {
      return null;
    }
  });

//#section run
  G.require = function require(name) {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new Error(`Cannot find module '${name}'`);
  };
  // The host calls __lc_run(event) once; the state settles when the handler's value (or promise) does.
  const describe = (err) => (err instanceof Error ? `${err.name}: ${err.message}` + (err.stack ? `\n${err.stack}` : '') : `Uncaught ${String(err)}`);
  G.__lc_logs = host.logs;
  G.__lc_run = function (event) {
    const state = { done: false };
    Promise.resolve()
      .then(() => {
        if (typeof handler !== 'function') throw new ReferenceError('The function code does not define handler(event)');
        return handler(event); // eslint-disable-line no-undef
      })
      .then(
        (value) => {
          state.done = true;
          state.json = value === undefined ? undefined : stringify(value);
        },
        (err) => {
          state.done = true;
          state.error = describe(err);
        },
      );
    return state;
  };
})();
