// What JS pays to turn a wasm answer into a string (docs/BENCHMARKS.md, "Session 11"; ADR 0043):
// 6,000 decodes of one 20 KB answer-shaped UTF-8 text, ASCII only and with one "é" per ~110
// bytes, by TextDecoder (what bindings/js/boundary.js uses) and by Node's Buffer slices.
//   node bench/peers/decode.mjs
const N = 20000;
const row = (name) => `{"id":"0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091","name":"${name}","status":"ready"},`;
for (const [label, name] of [['ASCII only', 'Weekly review'], ['one non-ASCII character per row', 'Weekly revi\u00e9w']]) {
  const bytes = new TextEncoder().encode(row(name).repeat(Math.ceil(N / row(name).length))).subarray(0, N);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const td = new TextDecoder();
  const runs = [
    ['TextDecoder utf-8', () => td.decode(bytes)],
    ['Buffer utf8Slice', () => buf.utf8Slice(0, N)],
    ['Buffer latin1Slice (wrong text when not ASCII)', () => buf.latin1Slice(0, N)],
  ];
  console.log(`## ${label}`);
  for (const [what, f] of runs) {
    let x = 0;
    for (let w = 0; w < 2000; w++) x += f().length;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 6000; i++) x += f().length;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`${what}: ${ms.toFixed(1)} ms for ${(6000 * N / 1e6).toFixed(0)} MB (${(ms / (6000 * N / 1e6)).toFixed(3)} ms/MB)`);
    if (x < 0) console.log(x);  // keeps the strings alive for the optimizer
  }
}
