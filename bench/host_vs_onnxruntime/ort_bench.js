// The onnxruntime side of the bench: the same model, input and thread count as tpuc_host_bench.
//   node ort_bench.js model.onnx input.bin 1x3x224x224 runs threads output.bin
// input.bin / output.bin are raw little-endian float32 (the model's one input and first output).
// Prints {"first_run_ms", "mean_ms", "min_ms"} like tpuc_host_bench.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputFile, shapeSpec, runsArg, threadsArg, outputFile] = process.argv.slice(2);
  const shape = shapeSpec.split('x').map(Number);
  const bytes = fs.readFileSync(inputFile);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const start = performance.now();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: Number(threadsArg), interOpNumThreads: 1,
  });
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  let result = await session.run(feeds);
  const first = performance.now();
  const runs = Number(runsArg);
  let fastest = Infinity;
  for (let i = 0; i < runs; ++i) {
    const before = performance.now();
    result = await session.run(feeds);
    fastest = Math.min(fastest, performance.now() - before);
  }
  const end = performance.now();
  const out = result[session.outputNames[0]].data;
  fs.writeFileSync(outputFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  console.log(JSON.stringify({first_run_ms: +(first - start).toFixed(1), mean_ms: +((end - first) / runs).toFixed(2),
    min_ms: +fastest.toFixed(2)}));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
